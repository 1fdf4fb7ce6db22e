/**
 * After a write whose outcome is unknown (mlflow/errors.ts, isOutcomeUnknown), the store reads
 * the trace back and looks for the write here: found, it was saved once and is shown as saved;
 * not found, nothing was saved and sending it again makes no duplicate. Only when the trace
 * cannot be read either does the person hear "not known", and then no retry is offered.
 */
import {
  MlflowError,
  type Assessment,
  type AssessmentId,
  type AssessmentUpdate,
  type FeedbackValue,
  type JsonValue,
  pythonStr,
  type SourceInput,
  type TraceInfo,
} from '../mlflow';
import { errorMessage } from '../util/error-message';

/** What a write meant to change, in the terms the server's copy of the trace shows. */
export type WriteIntent =
  | {
      kind: 'log';
      assessmentKind: Assessment['kind'];
      name: string;
      value: JsonValue;
      rationale?: string;
      source: SourceInput;
      spanId?: string;
      /** An override: the feedback it supersedes. */
      overrides?: AssessmentId;
    }
  | { kind: 'update'; assessmentId: AssessmentId; update: AssessmentUpdate }
  | { kind: 'delete'; assessmentId: AssessmentId };

/**
 * How far the server's clock may be behind ours: an assessment created this long before the
 * write was sent may still be it (the ids known before the write rule out older ones anyway).
 */
const CLOCK_SKEW_MS = 10 * 60_000;

/**
 * The assessment a log or override made, if the server's copy of the trace holds it: one that
 * was not there before (`knownIds`), created after the write was sent, with the intended name,
 * value, rationale, source, span and override. The newest such one when there are several.
 */
export function findLogged(
  trace: TraceInfo,
  intent: Extract<WriteIntent, { kind: 'log' }>,
  knownIds: ReadonlySet<string>,
  sentAt: number,
): Assessment | undefined {
  const matches = trace.assessments.filter(
    (a) =>
      !knownIds.has(a.assessmentId) &&
      a.kind === intent.assessmentKind &&
      a.name === intent.name &&
      sameJson(a.value, intent.value) &&
      (a.kind !== 'feedback' || (a.rationale ?? '') === (intent.rationale ?? '')) &&
      a.source.sourceType === intent.source.sourceType &&
      (a.source.sourceId ?? '') === (intent.source.sourceId ?? '') &&
      (a.spanId ?? '') === (intent.spanId ?? '') &&
      (a.kind !== 'feedback' || a.overrides === intent.overrides) &&
      !(Date.parse(a.createTime) < sentAt - CLOCK_SKEW_MS),
  );
  return matches.sort((x, y) => y.createTime.localeCompare(x.createTime))[0];
}

/** The updated assessment, if the server's copy shows every field the update set. */
export function findUpdated(
  trace: TraceInfo,
  intent: Extract<WriteIntent, { kind: 'update' }>,
): Assessment | undefined {
  const found = trace.assessments.find((a) => a.assessmentId === intent.assessmentId);
  if (!found) return undefined;
  const { update } = intent;
  const applied =
    (update.name === undefined || found.name === update.name) &&
    (update.feedback?.value === undefined || sameJson(found.value, update.feedback.value)) &&
    (update.expectation === undefined || sameJson(found.value, update.expectation.value)) &&
    (update.rationale === undefined ||
      (found.kind === 'feedback' && found.rationale === update.rationale)) &&
    Object.entries(update.metadata ?? {}).every(
      ([key, value]) => found.metadata[key] === pythonStr(value),
    );
  return applied ? found : undefined;
}

/** Whether the server's copy no longer holds the assessment. */
export function isDeleted(trace: TraceInfo, assessmentId: AssessmentId): boolean {
  return !trace.assessments.some((a) => a.assessmentId === assessmentId);
}

/** What a write is called in messages. */
export function describeWrite(intent: WriteIntent): string {
  switch (intent.kind) {
    case 'log':
      return intent.overrides
        ? `override of "${intent.name}"`
        : `${intent.assessmentKind} "${intent.name}"`;
    case 'update':
      return 'change';
    case 'delete':
      return 'deletion';
  }
}

/** The write failed on the way, and reading the trace back shows it was not carried out. */
export class WriteNotSavedError extends MlflowError {
  constructor(
    readonly intent: WriteIntent,
    override readonly cause: unknown,
  ) {
    super(
      `The ${describeWrite(intent)} was not saved: ${errorMessage(cause)} The trace, read back, ` +
        'does not have it, so sending it again makes no duplicate.',
      { cause },
    );
  }
}

/** The write failed on the way, and the trace could not be read back to find out. */
export class WriteOutcomeUnknownError extends MlflowError {
  constructor(
    readonly intent: WriteIntent,
    override readonly cause: unknown,
    readonly readBackError: unknown,
  ) {
    super(
      `It is not known whether the ${describeWrite(intent)} was saved: ${errorMessage(cause)} ` +
        `Reading the trace back failed too (${errorMessage(readBackError)}). Refresh the trace ` +
        'and look before sending it again: it may be there already.',
      { cause },
    );
  }
}

/** Feedback values and expectation values as the server keeps them: JSON, keys in any order. */
function sameJson(a: JsonValue | FeedbackValue | undefined, b: JsonValue | undefined): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}

function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key] ?? null)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
