/**
 * The form's state: the form the host sent, the draft as typed, whether a submit is in flight,
 * and the host's last refusal. Components read it and change it only through `update`, which
 * saves the draft in the webview state (it survives hiding the panel and reloading the window)
 * and tells the listeners what changed, so each component redraws only itself.
 */
import {
  checkEdit,
  checkExpectation,
  checkFeedback,
  type FieldErrors,
} from '../../src/shared/form-logic';
import type { FormDraft, FormInit } from '../../src/shared/protocol/form';
import { saveState } from '../host';

export type Listener = (changed: ReadonlySet<keyof FormDraft>) => void;

export class FormState {
  draft: FormDraft;
  busy = false;
  serverError: { message: string; field?: string } | undefined;
  /** Set while the extension reads another server than the form's: what the notice says. */
  elsewhere: string | undefined;
  /** Fields the person has changed: only their problems show, until a submit shows them all. */
  private readonly touched = new Set<string>();
  private submitAttempted = false;
  private readonly listeners = new Set<Listener>();

  constructor(
    readonly form: FormInit,
    restoredDraft?: FormDraft,
  ) {
    this.draft = restoredDraft ?? structuredClone(form.draft);
  }

  get isExpectation(): boolean {
    return this.form.mode === 'expectation' || this.form.assessment?.kind === 'expectation';
  }

  /** What is wrong with the draft now (the same checks the host applies on submit). */
  errors(): FieldErrors {
    const { form, draft } = this;
    if (form.mode === 'edit' && form.assessment) {
      const checked = checkEdit(form.assessment, draft, form.questions);
      // "Nothing has changed" is not an error to show while typing.
      return checked.ok || checked.errors.form ? {} : checked.errors;
    }
    const checked = this.isExpectation
      ? checkExpectation(draft, form.questions)
      : checkFeedback(
          form.mode === 'override' ? { ...draft, errorMode: false } : draft,
          form.questions,
        );
    return checked.ok ? {} : checked.errors;
  }

  /**
   * The message to show under a field: the host's refusal of it, else the check's once the
   * person has changed the field or tried to submit (no error before anything was typed).
   */
  errorFor(field: keyof FieldErrors, errors = this.errors()): string {
    if (this.serverError?.field === field) return this.serverError.message;
    return this.submitAttempted || this.touched.has(field) ? (errors[field] ?? '') : '';
  }

  /** A submit with problems: show every field's, from now on. */
  attemptSubmit(): void {
    this.submitAttempted = true;
    this.notify(new Set());
  }

  update(change: Partial<FormDraft>): void {
    this.draft = { ...this.draft, ...change };
    this.serverError = undefined;
    for (const key of Object.keys(change)) this.touched.add(metadataAware(key));
    saveState({ form: { ...this.form, draft: this.draft } });
    this.notify(new Set(Object.keys(change) as (keyof FormDraft)[]));
  }

  /** A submit started, failed or ended: nothing in the draft changed, only what is shown. */
  setStatus(busy: boolean, serverError?: { message: string; field?: string }): void {
    this.busy = busy;
    this.serverError = serverError;
    this.notify(new Set());
  }

  /** The extension switched servers: the notice shows or goes; the draft is left as it is. */
  setElsewhere(message: string | undefined): void {
    this.elsewhere = message;
    // A refusal from before the switch (this notice, a failure on the way) no longer applies.
    this.serverError = undefined;
    this.notify(new Set());
  }

  onChange(listener: Listener): void {
    this.listeners.add(listener);
  }

  private notify(changed: ReadonlySet<keyof FormDraft>): void {
    for (const listener of this.listeners) listener(changed);
  }
}

/** Metadata rows report as one field, `metadata`, as their checks do. */
function metadataAware(key: string): string {
  return key.startsWith('metadata') ? 'metadata' : key;
}
