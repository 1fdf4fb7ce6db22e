/**
 * The small pieces the form's components are made of: labelled inputs that report what is typed,
 * error lines, and a section that redraws only itself while keeping the focus where it was.
 */
import type { FieldErrors } from '../../src/shared/form-logic';
import type { FormDraft } from '../../src/shared/protocol/form';
import { el } from '../dom';

type Field = keyof FormDraft;

export function textField(
  field: Field,
  label: string,
  value: string,
  onInput: (value: string) => void,
  readonly = false,
): HTMLElement {
  const id = `field-${field}`;
  const input = el('vscode-textfield', {
    id,
    'data-field': field,
    'aria-label': label,
  }) as HTMLElement & { value: string; readonly: boolean };
  input.value = value;
  input.readonly = readonly;
  input.addEventListener('input', () => {
    onInput(input.value);
  });
  return el('div', { class: 'field' }, el('vscode-label', { for: id }, label), input);
}

export function textArea(
  field: Field,
  label: string,
  value: string,
  onInput: (value: string) => void,
  monospace = false,
): HTMLElement {
  const id = `field-${field}`;
  const area = el('vscode-textarea', {
    id,
    'data-field': field,
    'aria-label': label,
    class: monospace ? 'monospace' : undefined,
  }) as HTMLElement & { value: string; rows: number };
  area.value = value;
  area.rows = monospace ? 8 : 3;
  area.addEventListener('input', () => {
    onInput(area.value);
  });
  return el('div', { class: 'field' }, el('vscode-label', { for: id }, label), area);
}

/** The line under a field that says what is wrong with it; kept current by the form. */
export function errorLine(field: keyof FieldErrors, message: string): HTMLElement {
  return el('div', { class: 'error', role: 'alert', 'data-error-for': field }, message);
}

/**
 * A part of the form that is drawn again as a whole when what it shows changes (another kind of
 * value, a metadata row added), and only then: the rest of the page, and what is being typed
 * elsewhere, stay as they are. `display: contents` keeps the form's grid as if it were not there.
 */
export class Section {
  readonly element = el('div', { class: 'form-section' });

  constructor(private readonly draw: () => (Node | null)[]) {
    this.redraw();
  }

  redraw(): void {
    const focused = document.activeElement?.closest('[data-field]')?.getAttribute('data-field');
    const hadFocus =
      focused !== undefined && focused !== null && this.element.contains(document.activeElement);
    this.element.replaceChildren(...this.draw().filter((n): n is Node => n !== null));
    if (hadFocus) this.element.querySelector<HTMLElement>(`[data-field="${focused}"]`)?.focus();
  }
}
