/**
 * Sessions as MLflow records them (verified against the pinned MLflow 3.18.0): a trace's session
 * is its metadata `mlflow.trace.session` (TraceMetadataKey.TRACE_SESSION in
 * mlflow/tracing/constant.py), its user `mlflow.trace.user`. A hierarchical session id
 * (`session_id=["trip-2", "ep-2"]`) is stored as a compact JSON array string
 * (mlflow/tracing/utils/__init__.py `serialize_session_id`); the whole string is the session.
 *
 * A session-level assessment is logged on the session's first trace (earliest request time),
 * with the session id in the assessment's metadata under the same key
 * (mlflow/genai/evaluation/session_utils.py `evaluate_session_level_scorers`, and the online
 * session scorer in mlflow/genai/scorers/online/session_processor.py).
 *
 * Pure: no `vscode`, no DOM. Every value here comes from a trace and is untrusted text.
 */
import type { Assessment, TraceInfo } from '../mlflow';
import { filterClause } from '../mlflow/filters';
import type { TokenCounts } from './format';
import { parseCost, parseTokenUsage, totalCost, TRACE_METADATA } from './llm-metrics';

export const SESSION_KEY = TRACE_METADATA.session;
export const USER_KEY = TRACE_METADATA.user;

/** The trace's session id, if it has one (an empty value is none). */
export function sessionIdOf(trace: Pick<TraceInfo, 'metadata'>): string | undefined {
  return trace.metadata[SESSION_KEY] || undefined;
}

export function userOf(trace: Pick<TraceInfo, 'metadata'>): string | undefined {
  return trace.metadata[USER_KEY] || undefined;
}

/**
 * A session id as people read it: a hierarchical id (a JSON array of strings) as its levels
 * joined by " › ", anything else as it is.
 */
export function sessionLabel(sessionId: string): string {
  if (!sessionId.startsWith('[')) return sessionId;
  try {
    const levels: unknown = JSON.parse(sessionId);
    if (
      Array.isArray(levels) &&
      levels.length > 0 &&
      levels.every((l): l is string => typeof l === 'string')
    )
      return levels.join(' › ');
  } catch {
    // Not JSON: shown as it is.
  }
  return sessionId;
}

/** `metadata.\`mlflow.trace.session\` = '<id>'`, quoted safely (filters.ts); throws if it cannot be. */
export function sessionFilter(sessionId: string): string {
  return filterClause('metadata', SESSION_KEY, '=', sessionId);
}

/** Whether an assessment is session-level: MLflow marks those with the session in its metadata. */
export function isSessionAssessment(assessment: Pick<Assessment, 'metadata'>): boolean {
  return SESSION_KEY in assessment.metadata;
}

/** The metadata a session-level assessment carries, as MLflow's session scorers write it. */
export function sessionAssessmentMetadata(sessionId: string): Record<string, string> {
  return { [SESSION_KEY]: sessionId };
}

/** Oldest first, as MLflow orders a session's turns; ties by trace id, so the order is stable. */
export function byRequestTime(a: TraceInfo, b: TraceInfo): number {
  return a.requestTime.localeCompare(b.requestTime) || a.traceId.localeCompare(b.traceId);
}

/**
 * The trace a session-level assessment goes on: the session's chronologically first trace
 * (session_utils.py `get_first_trace_in_session`: the minimum request time).
 */
export function firstTurn(turns: readonly TraceInfo[]): TraceInfo | undefined {
  let first: TraceInfo | undefined;
  for (const t of turns) if (!first || byRequestTime(t, first) < 0) first = t;
  return first;
}

export interface SessionGroup {
  sessionId: string;
  /** Oldest first. */
  turns: TraceInfo[];
  /** The users named by its turns, in order of first appearance. */
  users: string[];
  /** The request time of its newest turn (ISO). */
  lastActivity: string;
}

/** A row of the grouped tree: a session, or a trace that has none. */
export type GroupedRow =
  { kind: 'session'; group: SessionGroup } | { kind: 'trace'; trace: TraceInfo };

/**
 * Groups traces by session: sessions (turns oldest first) and the traces without one, newest
 * activity first (a session by its newest turn). Only what is given is grouped: a session whose
 * older turns are not loaded shows the turns that are.
 */
export function groupBySession(traces: readonly TraceInfo[]): GroupedRow[] {
  const groups = new Map<string, SessionGroup>();
  const rows: GroupedRow[] = [];
  for (const trace of traces) {
    const sessionId = sessionIdOf(trace);
    if (sessionId === undefined) {
      rows.push({ kind: 'trace', trace });
      continue;
    }
    let group = groups.get(sessionId);
    if (!group) {
      group = { sessionId, turns: [], users: [], lastActivity: trace.requestTime };
      groups.set(sessionId, group);
      rows.push({ kind: 'session', group });
    }
    group.turns.push(trace);
    const user = userOf(trace);
    if (user !== undefined && !group.users.includes(user)) group.users.push(user);
    if (trace.requestTime > group.lastActivity) group.lastActivity = trace.requestTime;
  }
  for (const group of groups.values()) group.turns.sort(byRequestTime);
  const time = (row: GroupedRow) =>
    row.kind === 'session' ? row.group.lastActivity : row.trace.requestTime;
  // Stable: rows with the same time keep the order they were given in (newest first).
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => time(b.row).localeCompare(time(a.row)) || a.index - b.index)
    .map(({ row }) => row);
}

/** The trace's token counts (`mlflow.trace.tokenUsage`), if MLflow recorded them. */
export function tokenUsageOf(trace: Pick<TraceInfo, 'metadata'>): TokenCounts | undefined {
  return parseTokenUsage(trace.metadata[TRACE_METADATA.tokenUsage]);
}

/** The trace's total cost in USD (`mlflow.trace.cost`), if MLflow recorded one. */
export function costOf(trace: Pick<TraceInfo, 'metadata'>): number | undefined {
  const cost = parseCost(trace.metadata[TRACE_METADATA.cost]);
  return cost && totalCost(cost);
}
