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

/**
 * A radio group that reports the chosen value however it was chosen: a click or Space fires
 * `change` on a radio, but the arrow keys make the group check another radio without any event,
 * so the group's keydown is read too (after the group's own handler has moved the check).
 */
export function radioGroup<V extends string>(
  attributes: Record<string, string>,
  options: readonly { value: V; label: string; attributes?: Record<string, string> }[],
  selected: V,
  onChange: (value: V) => void,
): HTMLElement {
  const group = el('vscode-radio-group', attributes);
  const radios = options.map((option) => {
    const radio = el('vscode-radio', {
      value: option.value,
      label: option.label,
      checked: option.value === selected,
      ...option.attributes,
    }) as HTMLElement & { checked: boolean };
    group.appendChild(radio);
    return { radio, value: option.value };
  });
  let current = selected;
  const report = () => {
    const checked = radios.find((r) => r.radio.checked);
    if (checked && checked.value !== current) {
      current = checked.value;
      onChange(current);
    }
  };
  group.addEventListener('change', report);
  group.addEventListener('keydown', report);
  return group;
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
    if (!hadFocus) return;
    // Back where the person was: in a radio group, on the radio now checked.
    const field = this.element.querySelector<HTMLElement>(`[data-field="${focused}"]`);
    const radio = [...(field?.querySelectorAll('vscode-radio') ?? [])].find(
      (r) => (r as HTMLElement & { checked: boolean }).checked,
    );
    // After the new radios have rendered (Lit renders them on the next frame).
    const target = (radio as HTMLElement | undefined) ?? field;
    requestAnimationFrame(() => target?.focus());
  }
}
