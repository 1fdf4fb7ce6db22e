/**
 * A session as the session panel shows it: its turns oldest first, each with readable request
 * and response text, latency, tokens, cost and its own assessments; the session-level
 * assessments (metadata `mlflow.trace.session`) apart, with the turn they are on. Pure: no
 * `vscode`.
 */
import type { TraceInfo } from '../mlflow';
import { previewLine, traceName, type TokenCounts } from '../shared/format';
import type { SessionView, TurnView } from '../shared/protocol/session';
import {
  byRequestTime,
  costOf,
  isSessionAssessment,
  sessionLabel,
  tokenUsageOf,
  userOf,
} from '../shared/sessions';
import { toAssessmentView } from './trace-view';

/** The longest request or response text sent for a turn (the server's previews are ~1000). */
const TEXT_LIMIT = 4000;

export function toSessionView(
  experimentId: string,
  sessionId: string,
  turns: readonly TraceInfo[],
  complete: boolean,
): SessionView {
  const ordered = [...turns].sort(byRequestTime);
  const users: string[] = [];
  for (const t of ordered) {
    const user = userOf(t);
    if (user !== undefined && !users.includes(user)) users.push(user);
  }
  const views = ordered.map(toTurnView);
  return {
    experimentId,
    sessionId,
    label: sessionLabel(sessionId),
    users,
    turns: views,
    complete,
    sessionAssessments: ordered.flatMap((t) =>
      t.assessments
        .filter(isSessionAssessment)
        .map((a) => ({ traceId: t.traceId, assessment: toAssessmentView(a) })),
    ),
    totals: totals(views),
  };
}

function toTurnView(trace: TraceInfo): TurnView {
  const tokens = tokenUsageOf(trace);
  const cost = costOf(trace);
  const user = userOf(trace);
  const request = turnText(trace.requestPreview);
  const response = turnText(trace.responsePreview);
  return {
    traceId: trace.traceId,
    name: traceName(trace),
    state: trace.state,
    requestTime: trace.requestTime,
    ...(trace.executionDurationMs !== undefined ? { durationMs: trace.executionDurationMs } : {}),
    ...(request ? { request } : {}),
    ...(response ? { response } : {}),
    ...(user !== undefined ? { user } : {}),
    ...(tokens ? { tokens } : {}),
    ...(cost !== undefined ? { cost } : {}),
    assessments: trace.assessments.filter((a) => !isSessionAssessment(a)).map(toAssessmentView),
  };
}

/**
 * What a person reads of a request or response: a call with one text argument
 * (`{"question": "…"}`) as that text; a chat payload as its last message (previewLine);
 * anything else as the preview's text.
 */
export function turnText(preview: string | undefined): string {
  if (!preview) return '';
  try {
    const value: unknown = JSON.parse(preview);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const values = Object.values(value);
      if (values.length === 1 && typeof values[0] === 'string')
        return values[0].slice(0, TEXT_LIMIT);
    }
  } catch {
    // A preview cut by the server: shown as it is.
  }
  return previewLine(preview, TEXT_LIMIT);
}

/** Sums over the turns; a total is left out when no turn has it. */
function totals(turns: TurnView[]): SessionView['totals'] {
  const sum = (values: (number | undefined)[]) => {
    const known = values.filter((v): v is number => v !== undefined);
    return known.length > 0 ? known.reduce((a, b) => a + b, 0) : undefined;
  };
  const durationMs = sum(turns.map((t) => t.durationMs));
  const cost = sum(turns.map((t) => t.cost));
  const tokens: TokenCounts = {};
  for (const key of ['input', 'output', 'total'] as const) {
    const total = sum(turns.map((t) => t.tokens?.[key]));
    if (total !== undefined) tokens[key] = total;
  }
  return {
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(Object.keys(tokens).length > 0 ? { tokens } : {}),
    ...(cost !== undefined ? { cost } : {}),
  };
}
