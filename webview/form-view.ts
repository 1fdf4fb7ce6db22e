/**
 * The feedback and expectation form. Every field is checked as it changes (the same logic the
 * host applies again on submit); what is typed is saved in the webview state on every change,
 * so it survives a failed submit, hiding the panel and reloading the window.
 */
import {
  checkEdit,
  checkExpectation,
  checkFeedback,
  type FieldErrors,
} from '../src/shared/form-logic';
import type { FormDraft, FormInit } from '../src/shared/protocol';
import { VALUE_TYPES, type ValueType } from '../src/shared/value-input';
import { append, clear, el } from './dom';
import { saveState, send } from './host';
import { renderValue } from './json-view';
import { button } from './trace-view';

let init: FormInit | undefined;
let draft: FormDraft | undefined;
let busy = false;
let serverError: { message: string; field?: string } | undefined;

const FEEDBACK_TYPES: ValueType[] = ['boolean', 'number', 'string', 'labels', 'json'];
const EXPECTATION_TYPES: ValueType[] = ['string', 'number', 'boolean', 'json'];

export function showForm(root: HTMLElement, form: FormInit, restoredDraft?: FormDraft): void {
  init = form;
  draft = restoredDraft ?? structuredClone(form.draft);
  serverError = undefined;
  busy = false;
  render(root);
  root.querySelector<HTMLElement>('[data-field="name"]')?.focus();
}

export function onSubmitting(): void {
  busy = true;
  renderInPlace();
}

export function onSubmitFailed(message: string, field: string | undefined): void {
  busy = false;
  serverError = { message, ...(field ? { field } : {}) };
  renderInPlace();
}

export function onSubmitted(): void {
  busy = false;
  serverError = undefined;
}

function isExpectation(form: FormInit): boolean {
  return form.mode === 'expectation' || form.assessment?.kind === 'expectation';
}

function errorsOf(form: FormInit, current: FormDraft): FieldErrors {
  if (form.mode === 'edit' && form.assessment) {
    const checked = checkEdit(form.assessment, current);
    // "Nothing has changed" is not an error to show while typing.
    return checked.ok || checked.errors.form ? {} : checked.errors;
  }
  const checked = isExpectation(form)
    ? checkExpectation(current)
    : checkFeedback(form.mode === 'override' ? { ...current, errorMode: false } : current);
  return checked.ok ? {} : checked.errors;
}

function update(change: Partial<FormDraft>, rerenderAll = false): void {
  if (!draft || !init) return;
  draft = { ...draft, ...change };
  serverError = undefined;
  saveState({ form: { ...init, draft } });
  if (rerenderAll) renderInPlace();
  else refreshErrors();
}

function renderInPlace(): void {
  const root = document.getElementById('app');
  if (!root) return;
  const focused = document.activeElement?.getAttribute('data-field');
  render(root);
  if (focused) root.querySelector<HTMLElement>(`[data-field="${focused}"]`)?.focus();
}

/** Updates only the error lines, so typing never loses the cursor. */
function refreshErrors(): void {
  if (!init || !draft) return;
  const errors = errorsOf(init, draft);
  for (const line of document.querySelectorAll<HTMLElement>('[data-error-for]')) {
    const field = line.dataset.errorFor as keyof FieldErrors;
    line.textContent = errors[field] ?? '';
  }
  const submit = document.querySelector('[data-testid="submit"]');
  if (submit) submit.toggleAttribute('disabled', busy || Object.keys(errors).length > 0);
}

function render(root: HTMLElement): void {
  if (!init || !draft) return;
  const form = init;
  const current = draft;
  const expectation = isExpectation(form);
  const errors = errorsOf(form, current);
  clear(root);

  const title = {
    feedback: 'Log Feedback',
    expectation: 'Log Expectation',
    edit: `Edit ${form.assessment?.kind ?? ''}`,
    override: 'Override Feedback',
  }[form.mode];
  root.appendChild(el('h1', {}, title, el('span', { class: 'muted' }, ` · ${form.traceName}`)));

  if (form.mode === 'override' && form.assessment) {
    const original = form.assessment;
    root.appendChild(
      el(
        'aside',
        { class: 'original', 'aria-label': 'The feedback being overridden' },
        el(
          'h2',
          {},
          `${original.source.sourceType === 'LLM_JUDGE' ? 'The judge' : 'The original'} said`,
        ),
        original.error
          ? el(
              'p',
              { class: 'error' },
              `Error ${original.error.errorCode}: ${original.error.errorMessage ?? ''}`,
            )
          : renderValue(original.value, false),
        original.rationale ? el('p', { class: 'rationale' }, original.rationale) : null,
        el(
          'p',
          { class: 'muted' },
          `${original.source.sourceType} ${original.source.sourceId ?? ''}`,
        ),
      ),
    );
  }

  const formEl = el('form', { class: 'assessment-form', 'aria-label': title });
  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
  });

  // Name, with the experiment's names to pick from.
  const nameField = textField(
    'name',
    'Name',
    current.name,
    (value) => update({ name: value }),
    form.mode === 'override',
  );
  const chips = el('div', { class: 'chips', role: 'group', 'aria-label': 'Names used before' });
  if (form.mode !== 'override') {
    for (const suggestion of form.nameSuggestions.slice(0, 12)) {
      const chip = button(suggestion, () => update({ name: suggestion }, true), true);
      chip.classList.add('chip');
      chips.appendChild(chip);
    }
  }
  formEl.append(nameField, chips, errorLine('name', errors));

  // Error mode (feedback only): a failed evaluation instead of a value.
  if (!expectation && form.mode === 'feedback') {
    const toggle = el('vscode-checkbox', {
      label: 'Record a failed evaluation (an error instead of a value)',
      'data-field': 'errorMode',
      checked: current.errorMode,
    });
    toggle.addEventListener('change', () => update({ errorMode: !current.errorMode }, true));
    formEl.appendChild(toggle);
  }

  if (current.errorMode && !expectation) {
    formEl.append(
      textField('errorCode', 'Error code', current.errorCode, (v) => update({ errorCode: v })),
      errorLine('errorCode', errors),
      textArea('errorMessage', 'Error message', current.errorMessage, (v) =>
        update({ errorMessage: v }),
      ),
      textArea(
        'stackTrace',
        'Stack trace',
        current.stackTrace,
        (v) => update({ stackTrace: v }),
        true,
      ),
    );
  } else {
    formEl.append(
      valueTypeChooser(expectation ? EXPECTATION_TYPES : FEEDBACK_TYPES, current),
      valueEditor(current),
      errorLine('valueText', errors),
    );
  }

  if (!expectation)
    formEl.append(
      textArea('rationale', 'Rationale (optional)', current.rationale, (v) =>
        update({ rationale: v }),
      ),
    );

  if (form.mode === 'feedback' || form.mode === 'expectation') {
    formEl.append(
      sourceChooser(current),
      errorLine('sourceId', errors),
      targetChooser(form, current),
      errorLine('spanId', errors),
    );
  }
  formEl.append(metadataRows(current), errorLine('metadata', errors));

  const submitDisabled = busy || Object.keys(errors).length > 0;
  const submit = button(
    busy ? 'Saving…' : form.mode === 'edit' ? 'Save' : 'Submit',
    () => submitDraft(false),
    false,
    'submit',
  );
  submit.toggleAttribute('disabled', submitDisabled);
  submit.setAttribute('title', 'Ctrl+Enter (⌘+Enter on macOS)');
  const actions = el('div', { class: 'actions' }, submit);
  if (form.mode === 'feedback')
    actions.appendChild(button('Submit and Next', () => submitDraft(true), true, 'submit-next'));
  actions.appendChild(button('Cancel', () => send({ type: 'cancel' }), true, 'cancel'));
  formEl.appendChild(actions);
  formEl.appendChild(
    el(
      'div',
      { class: 'error form-error', role: 'alert', 'data-testid': 'server-error' },
      serverError?.message ?? errors.form ?? '',
    ),
  );
  root.appendChild(formEl);
}

function submitDraft(next: boolean): void {
  if (!init || !draft || busy) return;
  if (Object.keys(errorsOf(init, draft)).length > 0) {
    renderInPlace();
    return;
  }
  send({ type: 'submit', draft, next });
}

/** Ctrl/Cmd+Enter submits from anywhere in the form. */
export function installFormShortcuts(): void {
  window.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && init) {
      event.preventDefault();
      submitDraft(event.shiftKey && init.mode === 'feedback');
    }
  });
}

function textField(
  field: keyof FormDraft,
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
  input.addEventListener('input', () => onInput(input.value));
  return el('div', { class: 'field' }, el('vscode-label', { for: id }, label), input);
}

function textArea(
  field: keyof FormDraft,
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
  area.addEventListener('input', () => onInput(area.value));
  return el('div', { class: 'field' }, el('vscode-label', { for: id }, label), area);
}

function valueTypeChooser(types: ValueType[], current: FormDraft): HTMLElement {
  const group = el('vscode-radio-group', {
    'aria-label': 'Kind of value',
    'data-field': 'valueType',
  });
  for (const type of types) {
    const radio = el('vscode-radio', {
      name: 'valueType',
      value: type,
      label: VALUE_TYPES[type].label,
      checked: current.valueType === type,
      'data-value-type': type,
    });
    radio.addEventListener('change', () => {
      if (current.valueType === type) return;
      update({ valueType: type, valueText: type === 'boolean' ? 'true' : '' }, true);
    });
    group.appendChild(radio);
  }
  return el('div', { class: 'field' }, el('vscode-label', {}, 'Value'), group);
}

function valueEditor(current: FormDraft): HTMLElement {
  if (current.valueType === 'boolean') {
    const group = el('vscode-radio-group', {
      'aria-label': 'Pass or fail',
      'data-field': 'valueText',
    });
    for (const [value, label] of [
      ['true', 'Pass (true)'],
      ['false', 'Fail (false)'],
    ] as const) {
      const radio = el('vscode-radio', {
        name: 'boolean',
        value,
        label,
        checked: current.valueText === value,
        'data-boolean': value,
      });
      radio.addEventListener('change', () => update({ valueText: value }, true));
      group.appendChild(radio);
    }
    return group;
  }
  if (current.valueType === 'json') {
    const editor = textArea(
      'valueText',
      'JSON',
      current.valueText,
      (v) => update({ valueText: v }),
      true,
    );
    const format = button(
      'Format JSON',
      () => {
        try {
          update({ valueText: JSON.stringify(JSON.parse(draft?.valueText ?? ''), null, 2) }, true);
        } catch {
          refreshErrors();
        }
      },
      true,
      'format-json',
    );
    return el('div', {}, editor, format);
  }
  const hint = VALUE_TYPES[current.valueType].detail;
  return current.valueType === 'string'
    ? textArea('valueText', `Text (${hint})`, current.valueText, (v) => update({ valueText: v }))
    : textField(
        'valueText',
        `${VALUE_TYPES[current.valueType].label} (${hint})`,
        current.valueText,
        (v) => update({ valueText: v }),
      );
}

function sourceChooser(current: FormDraft): HTMLElement {
  const group = el('vscode-radio-group', { 'aria-label': 'Source' });
  for (const [type, label] of [
    ['HUMAN', 'Human'],
    ['LLM_JUDGE', 'LLM judge'],
    ['CODE', 'Code'],
  ] as const) {
    const radio = el('vscode-radio', {
      name: 'sourceType',
      value: type,
      label,
      checked: current.sourceType === type,
      'data-source-type': type,
    });
    radio.addEventListener('change', () => {
      if (current.sourceType !== type)
        update(
          { sourceType: type, sourceId: type === 'HUMAN' ? (init?.reviewer ?? '') : '' },
          true,
        );
    });
    group.appendChild(radio);
  }
  const idLabel =
    current.sourceType === 'HUMAN'
      ? 'Reviewer'
      : current.sourceType === 'LLM_JUDGE'
        ? 'Judge (model)'
        : 'Code (scorer)';
  return el(
    'div',
    { class: 'field' },
    el('vscode-label', {}, 'Source'),
    group,
    textField('sourceId', idLabel, current.sourceId, (v) => update({ sourceId: v })),
  );
}

function targetChooser(form: FormInit, current: FormDraft): HTMLElement {
  const select = el('vscode-single-select', {
    id: 'field-spanId',
    'data-field': 'spanId',
    'aria-label': 'Target',
  }) as HTMLElement & { value: string };
  select.appendChild(el('vscode-option', { value: '' }, 'The whole trace'));
  for (const span of form.spans)
    select.appendChild(
      el('vscode-option', { value: span.spanId }, `${'  '.repeat(span.depth)}${span.name}`),
    );
  select.value = current.spanId;
  select.addEventListener('change', () => update({ spanId: select.value }));
  return el(
    'div',
    { class: 'field' },
    el('vscode-label', { for: 'field-spanId' }, 'Target'),
    select,
  );
}

function metadataRows(current: FormDraft): HTMLElement {
  const wrapper = el('fieldset', { class: 'metadata-rows' }, el('legend', {}, 'Metadata'));
  current.metadata.forEach((row, index) => {
    const key = el('vscode-textfield', {
      'aria-label': `Metadata key ${index + 1}`,
      placeholder: 'key',
      'data-field': `metadata-key-${index}`,
    }) as HTMLElement & { value: string };
    const value = el('vscode-textfield', {
      'aria-label': `Metadata value ${index + 1}`,
      placeholder: 'value',
      'data-field': `metadata-value-${index}`,
    }) as HTMLElement & { value: string };
    key.value = row.key;
    value.value = row.value;
    // Handlers read the live draft: typing does not re-render, so `current` may be stale.
    const rows = () => draft?.metadata ?? current.metadata;
    const setRow = () =>
      update({
        metadata: rows().map((r, i) => (i === index ? { key: key.value, value: value.value } : r)),
      });
    key.addEventListener('input', setRow);
    value.addEventListener('input', setRow);
    const remove = button(
      'Remove',
      () => update({ metadata: rows().filter((_, i) => i !== index) }, true),
      true,
    );
    wrapper.appendChild(el('div', { class: 'metadata-row' }, key, value, remove));
  });
  append(
    wrapper,
    button(
      'Add Metadata',
      () => update({ metadata: [...(draft?.metadata ?? []), { key: '', value: '' }] }, true),
      true,
      'add-metadata',
    ),
  );
  return wrapper;
}

function errorLine(field: keyof FieldErrors, errors: FieldErrors): HTMLElement {
  const message = serverError?.field === field ? serverError.message : (errors[field] ?? '');
  return el('div', { class: 'error', role: 'alert', 'data-error-for': field }, message);
}
