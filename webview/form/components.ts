/**
 * The form's components. Each is a small view over the form's state: it draws its part once,
 * and draws it again only when a field it shows is changed from elsewhere (a name chip, another
 * kind of value, the source type, a metadata row added or removed). Typing into a field changes
 * the draft and nothing is redrawn.
 */
import { questionFor } from '../../src/shared/form-logic';
import type { FormDraft, FormQuestion } from '../../src/shared/protocol/form';
import { describeLabelInput } from '../../src/shared/question-rules';
import {
  EXPECTATION_VALUE_TYPES,
  FEEDBACK_VALUE_TYPES,
  VALUE_TYPES,
  type ValueType,
} from '../../src/shared/value-input';
import { append, button, el } from '../dom';
import { renderValue } from '../json-view';
import { errorLine, radioGroup, Section, textArea, textField } from './parts';
import type { FormState } from './state';

/** A component: its element, and the draft fields whose change from elsewhere redraws it. */
export interface Component {
  readonly element: Node;
  readonly redrawOn?: readonly (keyof FormDraft)[];
  redraw?(): void;
}

const TITLES = {
  feedback: 'Log Feedback',
  expectation: 'Log Expectation',
  edit: 'Edit',
  override: 'Override Feedback',
} as const;

export function formTitle(state: FormState): string {
  const { form } = state;
  return form.mode === 'edit' ? `Edit ${form.assessment?.kind ?? ''}` : TITLES[form.mode];
}

export function heading(state: FormState): Component {
  return {
    element: el(
      'h1',
      {},
      formTitle(state),
      el('span', { class: 'muted' }, ` · ${state.form.traceName}`),
    ),
  };
}

/** Override only: what the judge (or whoever) said, beside the form that replaces it. */
export function original(state: FormState): Component | undefined {
  const { form } = state;
  if (form.mode !== 'override' || !form.assessment) return undefined;
  const said = form.assessment;
  return {
    element: el(
      'aside',
      { class: 'original', 'aria-label': 'The feedback being overridden' },
      el('h2', {}, `${said.source.sourceType === 'LLM_JUDGE' ? 'The judge' : 'The original'} said`),
      said.error
        ? el(
            'p',
            { class: 'error' },
            `Error ${said.error.errorCode}: ${said.error.errorMessage ?? ''}`,
          )
        : renderValue(said.value, false),
      said.rationale ? el('p', { class: 'rationale' }, said.rationale) : null,
      el('p', { class: 'muted' }, `${said.source.sourceType} ${said.source.sourceId ?? ''}`),
    ),
  };
}

/** The name, with the experiment's names to pick from as chips. */
export function nameField(state: FormState): Component {
  const { form } = state;
  const field = textField(
    'name',
    'Name',
    state.draft.name,
    (name) => {
      state.update({ name });
    },
    form.mode === 'override',
  );
  const chips = el('div', { class: 'chips', role: 'group', 'aria-label': 'Names used before' });
  if (form.mode !== 'override') {
    // The experiment's questions first: picking one asks its value as it says.
    for (const question of form.questions ?? []) {
      const chip = button(
        question.name,
        () => {
          setValue(field, 'name', question.name);
          state.update({ name: question.name, ...startingAnswer(question) });
        },
        true,
      );
      chip.classList.add('chip', 'question-chip');
      chip.title = describeLabelInput(question.input);
      chip.dataset.question = question.name;
      chips.appendChild(chip);
    }
    const asked = new Set((form.questions ?? []).map((q) => q.name));
    for (const suggestion of form.nameSuggestions.filter((n) => !asked.has(n)).slice(0, 12)) {
      const chip = button(
        suggestion,
        () => {
          setValue(field, 'name', suggestion);
          state.update({ name: suggestion });
        },
        true,
      );
      chip.classList.add('chip');
      chips.appendChild(chip);
    }
  }
  const section = new Section(() => [field, chips, errorLine('name', state.errorFor('name'))]);
  return { element: section.element };
}

/** Feedback only: record a failed evaluation (an error) instead of a value. */
export function errorModeToggle(state: FormState): Component | undefined {
  if (state.isExpectation || state.form.mode !== 'feedback') return undefined;
  const toggle = el('vscode-checkbox', {
    label: 'Record a failed evaluation (an error instead of a value)',
    'data-field': 'errorMode',
    checked: state.draft.errorMode,
  });
  toggle.addEventListener('change', () => {
    state.update({ errorMode: !state.draft.errorMode });
  });
  return { element: toggle };
}

/** The value: its kind and an editor for that kind; or, in error mode, the error's fields. */
export function valueSection(state: FormState): Component {
  const section = new Section(() => {
    const { draft } = state;
    if (draft.errorMode && !state.isExpectation) {
      return [
        textField('errorCode', 'Error code', draft.errorCode, (errorCode) => {
          state.update({ errorCode });
        }),
        errorLine('errorCode', state.errorFor('errorCode')),
        textArea('errorMessage', 'Error message', draft.errorMessage, (errorMessage) => {
          state.update({ errorMessage });
        }),
        textArea(
          'stackTrace',
          'Stack trace',
          draft.stackTrace,
          (stackTrace) => {
            state.update({ stackTrace });
          },
          true,
        ),
      ];
    }
    const question = questionFor(state.form.questions, draft.name);
    if (question)
      return [questionEditor(state, question), errorLine('valueText', state.errorFor('valueText'))];
    return [
      valueTypeChooser(state),
      valueEditor(state),
      errorLine('valueText', state.errorFor('valueText')),
    ];
  });
  // What the section shows: a question's editor (whatever is typed into it), or a kind of value.
  const shows = () => {
    const question = questionFor(state.form.questions, state.draft.name);
    return question
      ? `question:${question.name}:${String(state.draft.errorMode)}`
      : `type:${state.draft.valueType}:${String(state.draft.errorMode)}`;
  };
  let shown = shows();
  return {
    element: section.element,
    redrawOn: ['errorMode', 'valueType', 'name'],
    redraw: () => {
      // Typing a name redraws the value only when it becomes (or stops being) a question's.
      if (shows() === shown) return;
      shown = shows();
      section.redraw();
    },
  };
}

/** The draft's value fields for a question just picked: its own kind, nothing chosen yet. */
function startingAnswer(question: FormQuestion): Pick<FormDraft, 'valueType' | 'valueText'> {
  switch (question.input.type) {
    case 'passFail':
      return { valueType: 'boolean', valueText: 'true' };
    case 'categorical':
      return question.input.multiSelect
        ? { valueType: 'json', valueText: '[]' }
        : { valueType: 'string', valueText: '' };
    case 'numeric':
      return { valueType: 'number', valueText: '' };
    default:
      return { valueType: 'string', valueText: '' };
  }
}

/** A question's answer, as its schema says: its labels, its options, its bounds, its length. */
function questionEditor(state: FormState, question: FormQuestion): HTMLElement {
  const { input } = question;
  const text = state.draft.valueText;
  const setText = (valueText: string) => {
    state.update({ valueText });
  };
  let editor: HTMLElement;
  switch (input.type) {
    case 'passFail':
      editor = radioGroup(
        { 'aria-label': question.name, 'data-field': 'valueText' },
        [
          {
            value: 'true',
            label: input.positiveLabel,
            attributes: { name: 'answer', 'data-boolean': 'true' },
          },
          {
            value: 'false',
            label: input.negativeLabel,
            attributes: { name: 'answer', 'data-boolean': 'false' },
          },
        ],
        text === 'false' ? 'false' : 'true',
        setText,
      );
      break;
    case 'categorical':
      if (!input.multiSelect) {
        editor = radioGroup(
          { 'aria-label': question.name, 'data-field': 'valueText' },
          input.options.map((option) => ({
            value: option,
            label: option,
            attributes: { name: 'answer', 'data-option': option },
          })),
          text,
          setText,
        );
      } else {
        const picked = new Set(parsedList(text));
        editor = el(
          'div',
          {
            class: 'options',
            role: 'group',
            'aria-label': question.name,
            'data-field': 'valueText',
          },
          ...input.options.map((option) => {
            const box = el('vscode-checkbox', {
              label: option,
              'data-option': option,
              checked: picked.has(option),
            });
            box.addEventListener('change', () => {
              if (picked.has(option)) picked.delete(option);
              else picked.add(option);
              // In the options' order, as MLflow's UI lists them.
              setText(JSON.stringify(input.options.filter((o) => picked.has(o))));
            });
            return box;
          }),
        );
      }
      break;
    case 'numeric':
      editor = textField('valueText', describeLabelInput(input), text, setText);
      break;
    default:
      editor = textArea('valueText', describeLabelInput(input), text, setText);
  }
  return el(
    'div',
    { class: 'field question', 'data-question': question.name },
    el('vscode-label', {}, `Answer (${describeLabelInput(input)})`),
    question.instruction ? el('p', { class: 'muted instruction' }, question.instruction) : null,
    editor,
  );
}

function parsedList(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

function valueTypeChooser(state: FormState): HTMLElement {
  const types: readonly ValueType[] = state.isExpectation
    ? EXPECTATION_VALUE_TYPES
    : FEEDBACK_VALUE_TYPES;
  const group = radioGroup(
    { 'aria-label': 'Kind of value', 'data-field': 'valueType' },
    types.map((type) => ({
      value: type,
      label: VALUE_TYPES[type].label,
      attributes: { name: 'valueType', 'data-value-type': type },
    })),
    state.draft.valueType,
    (type) => {
      state.update({ valueType: type, valueText: type === 'boolean' ? 'true' : '' });
    },
  );
  return el('div', { class: 'field' }, el('vscode-label', {}, 'Value'), group);
}

function valueEditor(state: FormState): HTMLElement {
  const { draft } = state;
  const setText = (valueText: string) => {
    state.update({ valueText });
  };
  if (draft.valueType === 'boolean') {
    return radioGroup(
      { 'aria-label': 'Pass or fail', 'data-field': 'valueText' },
      [
        {
          value: 'true',
          label: 'Pass (true)',
          attributes: { name: 'boolean', 'data-boolean': 'true' },
        },
        {
          value: 'false',
          label: 'Fail (false)',
          attributes: { name: 'boolean', 'data-boolean': 'false' },
        },
      ],
      draft.valueText === 'false' ? 'false' : 'true',
      setText,
    );
  }
  if (draft.valueType === 'json') {
    const editor = textArea('valueText', 'JSON', draft.valueText, setText, true);
    const format = button(
      'Format JSON',
      () => {
        try {
          const pretty = JSON.stringify(JSON.parse(state.draft.valueText), null, 2);
          setValue(editor, 'valueText', pretty);
          setText(pretty);
        } catch {
          // Not JSON yet: the error line under the editor already says why.
        }
      },
      true,
      'format-json',
    );
    return el('div', {}, editor, format);
  }
  const hint = VALUE_TYPES[draft.valueType].detail;
  return draft.valueType === 'string'
    ? textArea('valueText', `Text (${hint})`, draft.valueText, setText)
    : textField(
        'valueText',
        `${VALUE_TYPES[draft.valueType].label} (${hint})`,
        draft.valueText,
        setText,
      );
}

export function rationaleField(state: FormState): Component | undefined {
  if (state.isExpectation) return undefined;
  return {
    element: textArea('rationale', 'Rationale (optional)', state.draft.rationale, (rationale) => {
      state.update({ rationale });
    }),
  };
}

const SOURCES = [
  ['HUMAN', 'Human'],
  ['LLM_JUDGE', 'LLM judge'],
  ['CODE', 'Code'],
] as const;

/** Who assessed: the source type, and the reviewer, judge or scorer by name. New ones only. */
export function sourceSection(state: FormState): Component | undefined {
  const { form } = state;
  if (form.mode !== 'feedback' && form.mode !== 'expectation') return undefined;
  const section = new Section(() => {
    const { draft } = state;
    const group = radioGroup(
      { 'aria-label': 'Source', 'data-field': 'sourceType' },
      SOURCES.map(([type, label]) => ({
        value: type,
        label,
        attributes: { name: 'sourceType', 'data-source-type': type },
      })),
      draft.sourceType,
      (type) => {
        state.update({ sourceType: type, sourceId: type === 'HUMAN' ? form.reviewer : '' });
      },
    );
    const idLabel =
      draft.sourceType === 'HUMAN'
        ? 'Reviewer'
        : draft.sourceType === 'LLM_JUDGE'
          ? 'Judge (model)'
          : 'Code (scorer)';
    return [
      el(
        'div',
        { class: 'field' },
        el('vscode-label', {}, 'Source'),
        group,
        textField('sourceId', idLabel, draft.sourceId, (sourceId) => {
          state.update({ sourceId });
        }),
      ),
      errorLine('sourceId', state.errorFor('sourceId')),
    ];
  });
  return {
    element: section.element,
    redrawOn: ['sourceType'],
    redraw: () => {
      section.redraw();
    },
  };
}

/** The whole trace or one of its spans. New ones only. */
export function targetField(state: FormState): Component | undefined {
  const { form } = state;
  if (form.mode !== 'feedback' && form.mode !== 'expectation') return undefined;
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
  select.value = state.draft.spanId;
  select.addEventListener('change', () => {
    state.update({ spanId: select.value });
  });
  const field = el(
    'div',
    { class: 'field' },
    el('vscode-label', { for: 'field-spanId' }, 'Target'),
    select,
  );
  return {
    element: el(
      'div',
      { class: 'form-section' },
      field,
      errorLine('spanId', state.errorFor('spanId')),
    ),
  };
}

/** Metadata as key and value rows; adding or removing a row redraws the rows only. */
export function metadataSection(state: FormState): Component {
  const section = new Section(() => {
    const wrapper = el('fieldset', { class: 'metadata-rows' }, el('legend', {}, 'Metadata'));
    state.draft.metadata.forEach((row, index) => {
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
      const setRow = () => {
        state.update({
          metadata: state.draft.metadata.map((r, i) =>
            i === index ? { key: key.value, value: value.value } : r,
          ),
        });
      };
      key.addEventListener('input', setRow);
      value.addEventListener('input', setRow);
      const remove = button(
        'Remove',
        () => {
          state.update({ metadata: state.draft.metadata.filter((_, i) => i !== index) });
          section.redraw();
        },
        true,
      );
      wrapper.appendChild(el('div', { class: 'metadata-row' }, key, value, remove));
    });
    append(
      wrapper,
      button(
        'Add Metadata',
        () => {
          state.update({ metadata: [...state.draft.metadata, { key: '', value: '' }] });
          section.redraw();
        },
        true,
        'add-metadata',
      ),
    );
    return [wrapper, errorLine('metadata', state.errorFor('metadata'))];
  });
  return { element: section.element };
}

/** Submit (and, for new feedback, Submit and Next), Cancel, and the host's last refusal. */
export function actions(
  state: FormState,
  submit: (next: boolean) => void,
  cancel: () => void,
): Component {
  const submitButton = button(
    state.form.mode === 'edit' ? 'Save' : 'Submit',
    () => {
      submit(false);
    },
    false,
    'submit',
  );
  const mac = navigator.userAgent.includes('Mac');
  const shortcut = mac ? '⌘Enter' : 'Ctrl+Enter';
  submitButton.setAttribute('title', shortcut);
  const row = el('div', { class: 'actions' }, submitButton);
  if (state.form.mode === 'feedback')
    row.appendChild(
      button(
        'Submit and Next',
        () => {
          submit(true);
        },
        true,
        'submit-next',
      ),
    );
  row.appendChild(button('Cancel', cancel, true, 'cancel'));
  row.appendChild(
    el(
      'span',
      { class: 'muted shortcuts', 'data-testid': 'shortcuts' },
      state.form.mode === 'feedback'
        ? `${shortcut} submits · ${mac ? '⇧⌘Enter' : 'Ctrl+Shift+Enter'} submits and goes to the next · Escape cancels`
        : `${shortcut} submits · Escape cancels`,
    ),
  );
  const serverError = el('div', {
    class: 'error form-error',
    role: 'alert',
    'data-testid': 'server-error',
  });
  return { element: el('div', { class: 'form-section' }, row, serverError) };
}

/** Puts a value into a field whose text changed from elsewhere (a chip, Format JSON). */
function setValue(container: HTMLElement, field: keyof FormDraft, value: string): void {
  const input = container.matches(`[data-field="${field}"]`)
    ? container
    : container.querySelector(`[data-field="${field}"]`);
  if (input) (input as HTMLElement & { value: string }).value = value;
}
