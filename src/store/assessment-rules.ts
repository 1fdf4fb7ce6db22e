/**
 * The rules of reviewing, in one place for every UI (quick flows, forms, the trace panel, the
 * tree): which traces come first, which trace a person has rated, which feedback can be
 * overridden, and which trace "Submit and Next" goes to. Pure: no `vscode`, no requests.
 */
import {
  MlflowInputError,
  type Assessment,
  type AssessmentId,
  type Feedback,
  type TraceId,
  type TraceInfo,
} from '../mlflow';

/** Newest first, by when the trace's request started: the order of every list of traces. */
export function newestFirst(a: TraceInfo, b: TraceInfo): number {
  return Date.parse(b.requestTime) - Date.parse(a.requestTime);
}

export function sortNewestFirst(traces: Iterable<TraceInfo>): TraceInfo[] {
  return [...traces].sort(newestFirst);
}

/** A person has rated the trace: it has feedback in force from a human. */
export function hasHumanFeedback(trace: TraceInfo): boolean {
  return trace.assessments.some(
    (a) => a.kind === 'feedback' && a.valid && a.source.sourceType === 'HUMAN',
  );
}

/** An LLM judge or scorer tried and recorded an error instead of a value. */
export function hasFailedJudge(trace: TraceInfo): boolean {
  return trace.assessments.some(
    (a) =>
      a.kind === 'feedback' && a.valid && a.error !== undefined && a.source.sourceType !== 'HUMAN',
  );
}

/** The feedback that overrides this one (when it is no longer in force). */
export function overriddenBy(trace: TraceInfo, assessment: Assessment): Feedback | undefined {
  if (assessment.valid) return undefined;
  return trace.assessments.find(
    (a): a is Feedback => a.kind === 'feedback' && a.overrides === assessment.assessmentId,
  );
}

/**
 * The feedback in force at the head of an override chain that starts at `assessment`: itself
 * when it is in force, else the override that replaced it, and so on.
 */
export function currentFeedback(trace: TraceInfo, assessment: Assessment): Feedback | undefined {
  const seen = new Set<AssessmentId>();
  let current: Assessment | undefined = assessment;
  while (current && !current.valid && !seen.has(current.assessmentId)) {
    seen.add(current.assessmentId);
    current = overriddenBy(trace, current);
  }
  return current?.kind === 'feedback' && current.valid ? current : undefined;
}

/**
 * Only feedback in force can be overridden: an expectation is edited instead, and an overridden
 * feedback is superseded already (the message names the feedback that replaced it).
 */
export function checkOverridable(trace: TraceInfo, assessment: Assessment): Feedback {
  if (assessment.kind !== 'feedback') {
    throw new MlflowInputError(
      `Only feedback can be overridden; "${assessment.name}" is an expectation. Edit it instead.`,
    );
  }
  if (!assessment.valid) {
    const current = currentFeedback(trace, assessment);
    const by = current ? ` (now ${current.source.sourceId ?? current.source.sourceType}'s)` : '';
    throw new MlflowInputError(
      `"${assessment.name}" is already overridden${by}. Override or edit the feedback that replaced it.`,
    );
  }
  return assessment;
}

/**
 * What a reviewer would override: feedback in force from a judge, code, or another person
 * (their own they edit instead). The pickers of Override list only these.
 */
export function isOverridableBy(assessment: Assessment, reviewer: string): boolean {
  if (assessment.kind !== 'feedback' || !assessment.valid) return false;
  return !(assessment.source.sourceType === 'HUMAN' && assessment.source.sourceId === reviewer);
}

/**
 * "Submit and Next": the newest trace among `candidates` that no person has rated, other than
 * the one just rated.
 */
export function nextUnrated(candidates: TraceInfo[], after: TraceId): TraceInfo | undefined {
  return sortNewestFirst(candidates.filter((t) => t.traceId !== after && !hasHumanFeedback(t)))[0];
}
