/** The feedback and expectation forms' messages: the form to fill in, and its submission. */
import * as z from '../../mlflow/zod';
import { VALUE_TYPE_NAMES } from '../value-input';
import {
  assessmentView,
  errorMessage,
  labelInputView,
  readyMessage,
  type Protocol,
} from './common';

const metadataRow = z.object({ key: z.string(), value: z.string() });

/** What a person has typed into a form: kept as text until it is submitted. */
export const formDraft = z.object({
  name: z.string(),
  valueType: z.enum(VALUE_TYPE_NAMES),
  valueText: z.string(),
  rationale: z.string(),
  sourceType: z.enum(['HUMAN', 'LLM_JUDGE', 'CODE']),
  sourceId: z.string(),
  metadata: z.array(metadataRow),
  /** Empty: the whole trace. */
  spanId: z.string(),
  /** Feedback only: record a failed evaluation (code, message, stack trace) instead of a value. */
  errorMode: z.boolean(),
  errorCode: z.string(),
  errorMessage: z.string(),
  stackTrace: z.string(),
});
export type FormDraft = z.infer<typeof formDraft>;

/** One of the experiment's questions (an MLflow label schema) the form offers first. */
export const formQuestion = z.object({
  name: z.string(),
  instruction: z.optional(z.string()),
  enableComment: z.boolean(),
  input: labelInputView,
});
export type FormQuestion = z.infer<typeof formQuestion>;

export const formMode = z.enum(['feedback', 'expectation', 'edit', 'override']);
export type FormMode = z.infer<typeof formMode>;

export const formInit = z.object({
  mode: formMode,
  traceId: z.string(),
  /** The tracking URL the trace is on: the host sends the form only while it reads this server. */
  server: z.string(),
  traceName: z.string(),
  /** Spans to target, in tree order with their depth. */
  spans: z.array(z.object({ spanId: z.string(), name: z.string(), depth: z.number() })),
  nameSuggestions: z.array(z.string()),
  /** The experiment's questions of the form's kind: a name that is one is answered as it says. */
  questions: z.optional(z.array(formQuestion)),
  reviewer: z.string(),
  /** The assessment edited or overridden. */
  assessment: z.optional(assessmentView),
  draft: formDraft,
});
export type FormInit = z.infer<typeof formInit>;

// ---- host → webview -------------------------------------------------------------------------

export const formToWebview = z.discriminatedUnion('type', [
  /**
   * `generation` counts the forms this panel has been sent: a submit echoes it, and one for a
   * form since replaced ("Submit and Next") is refused, never written onto the next trace.
   */
  z.object({ type: z.literal('form'), form: formInit, generation: z.number().check(z.int()) }),
  z.object({ type: z.literal('submitting') }),
  z.object({ type: z.literal('submitFailed'), message: z.string(), field: z.optional(z.string()) }),
  z.object({ type: z.literal('submitted'), assessment: assessmentView }),
  /**
   * The extension reads another server than the form's (`message` says so: the form is not sent
   * there), or reads the form's again (no `message`): the notice shows or goes, the draft stays.
   */
  z.object({ type: z.literal('elsewhere'), message: z.optional(z.string()) }),
  errorMessage,
]);
export type FormToWebview = z.infer<typeof formToWebview>;

// ---- webview → host -------------------------------------------------------------------------

export const formFromWebview = z.discriminatedUnion('type', [
  readyMessage,
  /** `traceId`: the trace of the form the draft was typed in (the host checks it is its own). */
  z.object({
    type: z.literal('submit'),
    traceId: z.string(),
    generation: z.number().check(z.int()),
    draft: formDraft,
    next: z.boolean(),
  }),
  z.object({ type: z.literal('cancel') }),
]);
export type FormFromWebview = z.infer<typeof formFromWebview>;

export const FORM_PROTOCOL: Protocol<FormToWebview, FormFromWebview> = {
  toWebview: formToWebview,
  fromWebview: formFromWebview,
};
