/**
 * Checks of the ids a webview sends, before the host acts on them. A webview renders untrusted
 * trace content, so what it sends is checked against what the host gave it: an id of the right
 * form, of the panel's own trace. Pure: no `vscode`.
 */
import {
  idProblem,
  isSpanId,
  MlflowInputError,
  type Assessment,
  type TraceId,
  type TraceInfo,
} from '../mlflow';

/** The assessment the webview names, if it is one of the trace's as last loaded; else throws. */
export function assessmentOfTrace(
  traceId: TraceId,
  trace: TraceInfo | undefined,
  assessmentId: string,
): Assessment {
  const problem = idProblem(assessmentId);
  if (problem) {
    throw new MlflowInputError(
      `The trace panel sent an assessment id that ${problem}: nothing was done.`,
    );
  }
  const assessment = trace?.assessments.find((a) => a.assessmentId === assessmentId);
  if (!assessment) {
    throw new MlflowInputError(
      `Assessment ${shown(assessmentId)} is not one of the assessments of trace ${traceId} shown in its panel: nothing was done. Refresh the trace and try again.`,
    );
  }
  return assessment;
}

/** How a refused span id is told: by the trace panel (opening a form) or a form (submitting). */
const SPAN_SENDERS = {
  'trace panel': {
    sender: 'The trace panel',
    spansOf: (traceId: TraceId) => `the spans of trace ${traceId} shown in its panel`,
    outcome: 'nothing was done',
    next: 'Refresh the trace and try again.',
  },
  form: {
    sender: 'The form',
    spansOf: (traceId: TraceId) => `the spans of trace ${traceId}`,
    outcome: 'nothing was sent',
    next: 'Choose the whole trace or one of its spans as the target, and submit again.',
  },
} as const;

/**
 * Throws unless `spanId` is a span id, and one of `spans` when the host knows the trace's spans
 * (undefined: they are not loaded, or could not be).
 */
export function checkSpanOfTrace(
  traceId: TraceId,
  spans: readonly { spanId: string }[] | undefined,
  spanId: string,
  from: keyof typeof SPAN_SENDERS = 'trace panel',
): void {
  const { sender, spansOf, outcome, next } = SPAN_SENDERS[from];
  if (!isSpanId(spanId)) {
    throw new MlflowInputError(
      `${sender} sent a span id that is not 16 lowercase hex characters (${shown(spanId)}): ${outcome}.`,
    );
  }
  if (spans && !spans.some((s) => s.spanId === spanId)) {
    throw new MlflowInputError(
      `Span ${spanId} is not one of ${spansOf(traceId)}: ${outcome}. ${next}`,
    );
  }
}

/** An id from the webview in a message: quoted, and cut short (it may be anything). */
function shown(id: string): string {
  return JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id);
}

/** Refuses a form's draft that its webview sent for another trace than the form's own. */
export function checkSubmittedTrace(formTraceId: TraceId, submittedTraceId: string): void {
  if (submittedTraceId !== formTraceId) {
    throw new MlflowInputError(
      `The form sent a draft for trace ${shown(submittedTraceId)}, but it is the form of trace ${formTraceId}: nothing was sent. Check the draft and submit again.`,
    );
  }
}
