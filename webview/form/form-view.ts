/**
 * The feedback and expectation form: its components (components.ts) over one state (state.ts).
 * Every field is checked as it changes (the same logic the host applies again on submit); a
 * change redraws only the components that show what changed, and refreshes the error lines and
 * the submit button in place, so typing never loses the cursor or the scroll position.
 */
import type { FieldErrors } from '../../src/shared/form-logic';
import { FORM_PROTOCOL, type FormDraft, type FormInit } from '../../src/shared/protocol/form';
import { clear, el } from '../dom';
import { channel } from '../host';
import {
  actions,
  errorModeToggle,
  formTitle,
  heading,
  metadataSection,
  nameField,
  original,
  rationaleField,
  sourceSection,
  targetField,
  valueSection,
  type Component,
} from './components';
import { FormState } from './state';

export const formChannel = channel(FORM_PROTOCOL);

let current: { state: FormState; root: HTMLElement; generation: number } | undefined;

export function showForm(
  root: HTMLElement,
  form: FormInit,
  generation: number,
  restoredDraft?: FormDraft,
): void {
  const state = new FormState(form, restoredDraft);
  current = { state, root, generation };
  clear(root);
  const top = [heading(state), original(state)];
  const fields = [
    nameField(state),
    errorModeToggle(state),
    valueSection(state),
    rationaleField(state),
    sourceSection(state),
    targetField(state),
    metadataSection(state),
    actions(state, submit, () => {
      formChannel.send({ type: 'cancel' });
    }),
  ].filter((c): c is Component => c !== undefined);
  const formEl = el('form', { class: 'assessment-form', 'aria-label': formTitle(state) });
  formEl.addEventListener('submit', (event) => {
    event.preventDefault();
  });
  formEl.append(...fields.map((c) => c.element));
  for (const component of top) if (component) root.appendChild(component.element);
  root.appendChild(formEl);

  state.onChange((changed) => {
    for (const component of fields)
      if (component.redrawOn?.some((field) => changed.has(field))) component.redraw?.();
    refreshStatus(root, state);
  });
  refreshStatus(root, state);
  // The name box takes the keys, once drawn: Lit draws it after this task, and a focus before
  // that finds nothing to focus (the person's first keys went nowhere).
  const name = root.querySelector<HTMLElement>('[data-field="name"]');
  requestAnimationFrame(() => name?.focus());
}

export function onSubmitting(): void {
  current?.state.setStatus(true);
}

export function onSubmitFailed(message: string, field: string | undefined): void {
  current?.state.setStatus(false, { message, ...(field ? { field } : {}) });
}

export function onElsewhere(message: string | undefined): void {
  current?.state.setElsewhere(message);
}

export function onSubmitted(): void {
  // Still busy: the host closes the form or sends the next one (which starts afresh).
}

/**
 * The keyboard: Ctrl/Cmd+Enter submits from anywhere (with Shift, "Submit and Next"); Escape
 * cancels (unless it closes a dropdown first); Enter in the name moves on to the value.
 */
export function installFormShortcuts(): void {
  window.addEventListener('keydown', (event) => {
    if (!current) return;
    const target = event.target instanceof HTMLElement ? event.target : undefined;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      submit(event.shiftKey && current.state.form.mode === 'feedback');
    } else if (
      event.key === 'Escape' &&
      !event.defaultPrevented &&
      !target?.closest('vscode-single-select')
    ) {
      event.preventDefault();
      formChannel.send({ type: 'cancel' });
    } else if (event.key === 'Enter' && target?.closest('[data-field="name"]')) {
      event.preventDefault();
      const next =
        current.root.querySelector<HTMLElement>('[data-field="valueType"] vscode-radio[checked]') ??
        current.root.querySelector<HTMLElement>('[data-field="errorCode"]');
      next?.focus();
    }
  });
}

function submit(next: boolean): void {
  if (!current) return;
  const { state, root, generation } = current;
  if (state.busy) return;
  const problems = Object.keys(state.errors());
  if (problems.length > 0) {
    // Show every problem, and take the person to the first.
    state.attemptSubmit();
    const first = root.querySelector<HTMLElement>(`[data-field="${problems[0] ?? ''}"]`);
    first?.focus();
    return;
  }
  // Busy from the moment it is sent (not when the host answers): a second click sends nothing.
  state.setStatus(true);
  formChannel.send({
    type: 'submit',
    traceId: state.form.traceId,
    generation,
    draft: state.draft,
    next,
  });
}

/**
 * The error lines, the host's refusal (or that the form's server is not the one read now, which
 * stays until it is again) and the submit button, updated where they are.
 */
function refreshStatus(root: HTMLElement, state: FormState): void {
  const errors = state.errors();
  for (const line of root.querySelectorAll<HTMLElement>('[data-error-for]')) {
    line.textContent = state.errorFor(line.dataset.errorFor as keyof FieldErrors, errors);
  }
  const serverError = root.querySelector('[data-testid="server-error"]');
  if (serverError)
    serverError.textContent = state.elsewhere ?? state.serverError?.message ?? errors.form ?? '';
  const submitButton = root.querySelector('[data-testid="submit"]');
  if (submitButton) {
    submitButton.textContent = state.busy
      ? 'Saving…'
      : state.form.mode === 'edit'
        ? 'Save'
        : 'Submit';
  }
  // Both stay enabled but while a submit is on its way: a click with problems shows them.
  for (const button of root.querySelectorAll('[data-testid="submit"], [data-testid="submit-next"]'))
    button.toggleAttribute('disabled', state.busy);
}
