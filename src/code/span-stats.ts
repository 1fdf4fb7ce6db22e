/**
 * How a span (a traced function, a `start_span` block) has been doing, from the newest traces
 * that contain it: what its lens and hover say. Pure: no `vscode`, no requests.
 *
 * - failing feedback: a trace with feedback in force (not overridden) whose value says it failed
 *   (false, "no", "fail", "failed", "bad", "incorrect", "wrong", 0 on a pass/fail scale of
 *   booleans is not guessed) or that records an error (a judge that could not run);
 * - unreviewed: a trace with no HUMAN feedback in force (hasHumanFeedback, as the tree's badge).
 */
import type { Feedback, JsonValue, TraceInfo } from '../mlflow';
import { formatAge } from '../shared/format';
import { hasHumanFeedback } from '../store/assessment-rules';

export interface SpanStats {
  /** Traces found (at most the search's page). */
  readonly count: number;
  /** More traces exist than were counted: the title says "100+". */
  readonly more: boolean;
  readonly failing: number;
  readonly unreviewed: number;
  /** The newest trace's request time (ISO), if any. */
  readonly latest: string | undefined;
  /** The newest traces, newest first, for the hover. */
  readonly recent: readonly TraceInfo[];
}

/** Values that mean "failed" (lower case), as MLflow's judges and people write them. */
const FAILING_TEXT = new Set([
  'no',
  'false',
  'fail',
  'failed',
  'failure',
  'bad',
  'incorrect',
  'wrong',
]);

export function isFailingFeedback(feedback: Feedback): boolean {
  if (!feedback.valid) return false;
  if (feedback.error !== undefined) return true;
  return isFailingValue(feedback.value);
}

function isFailingValue(value: JsonValue): boolean {
  if (value === false) return true;
  return typeof value === 'string' && FAILING_TEXT.has(value.trim().toLowerCase());
}

export function hasFailingFeedback(trace: TraceInfo): boolean {
  return trace.assessments.some((a) => a.kind === 'feedback' && isFailingFeedback(a));
}

/** The stats of traces that are newest first; `more`: the server has older ones. */
export function spanStats(traces: readonly TraceInfo[], more: boolean, recent = 5): SpanStats {
  return {
    count: traces.length,
    more,
    failing: traces.filter(hasFailingFeedback).length,
    unreviewed: traces.filter((t) => !hasHumanFeedback(t)).length,
    latest: traces[0]?.requestTime,
    recent: traces.slice(0, recent),
  };
}

/** "24 traces · 3 failing feedback · 5 unreviewed · last 2 min ago". */
export function lensTitle(stats: SpanStats, now: number): string {
  if (stats.count === 0) return 'No traces yet';
  const parts = [
    `${stats.count}${stats.more ? '+' : ''} ${stats.count === 1 ? 'trace' : 'traces'}`,
  ];
  if (stats.failing > 0) parts.push(`${stats.failing} failing feedback`);
  if (stats.unreviewed > 0) parts.push(`${stats.unreviewed} unreviewed`);
  if (stats.latest) parts.push(`last ${formatAge(stats.latest, now)}`);
  return parts.join(' · ');
}
