/**
 * Sessions: "This Session" (the tree filtered to one session's traces), "Group by Session" and
 * its way back, "Open Session" (the session panel) and "Rate Session" (a session-level feedback,
 * in the quick flow of Log Feedback).
 */
import type * as vscode from 'vscode';
import type { ExperimentId, Feedback, TraceInfo } from '../mlflow';
import { firstTurn, sessionFilter, sessionIdOf, sessionLabel } from '../shared/sessions';
import { SessionNode } from '../tree/nodes';
import { CONTEXT_KEYS } from '../ui/ids';
import { setContext } from '../ui/vscode-commands';
import type { CommandArgs, SessionRef } from './args';
import type { CommandContext } from './context';
import { logFeedback } from './log-feedback';
import type { StepInfo } from './prompts';
import { resolveTraceTarget } from './targets';
import { applyFilter } from './view-commands';

/** Where "Group by Session" is remembered (per workspace). */
export const GROUPED_STATE_KEY = 'mlflowTraceReview.groupBySession';

export interface SessionTarget {
  experimentId: ExperimentId;
  sessionId: string;
}

/**
 * The session a command acts on: a session row, else the session of the trace named (a row, an
 * id), else of the selected row, else of a trace the person picks among those with a session.
 */
export async function resolveSession(
  ctx: CommandContext,
  ref: SessionRef | undefined,
  info: StepInfo,
): Promise<SessionTarget> {
  if (isSessionRow(ref))
    return { experimentId: ref.node.experimentId, sessionId: ref.node.sessionId };
  const selected = ref ? undefined : ctx.view.selection[0];
  if (selected instanceof SessionNode)
    return { experimentId: selected.experimentId, sessionId: selected.sessionId };
  const { trace } = await resolveTraceTarget(ctx, ref, info, (t) => sessionIdOf(t) !== undefined);
  return sessionOfTrace(trace);
}

function isSessionRow(ref: SessionRef | undefined): ref is { node: SessionNode } {
  return ref !== undefined && 'node' in ref && ref.node instanceof SessionNode;
}

function sessionOfTrace(trace: TraceInfo): SessionTarget {
  const sessionId = sessionIdOf(trace);
  if (sessionId === undefined) {
    throw new Error(
      `Trace ${trace.traceId} is in no session: its metadata has no mlflow.trace.session (set it with mlflow.update_current_trace(metadata={"mlflow.trace.session": ...})).`,
    );
  }
  if (!trace.experimentId) throw new Error(`Trace ${trace.traceId} is in no experiment.`);
  return { experimentId: trace.experimentId, sessionId };
}

/** MLflow: This Session — the tree shows only the session's traces; Clear Trace Filters undoes it. */
export async function filterSession(
  ctx: CommandContext,
  { target }: CommandArgs['filterSession'],
): Promise<string> {
  const { sessionId } = await resolveSession(ctx, target, { title: 'This Session' });
  // Throws, saying why, for an id no MLflow filter string can hold (both kinds of quote).
  sessionFilter(sessionId);
  // Only the session: other filters would hide some of its turns.
  applyFilter(ctx, { session: sessionId, quick: new Set() });
  return sessionId;
}

export function groupBySession(ctx: CommandContext): Promise<void> {
  return setGrouped(ctx, true);
}

export function ungroupBySession(ctx: CommandContext): Promise<void> {
  return setGrouped(ctx, false);
}

async function setGrouped(ctx: CommandContext, grouped: boolean): Promise<void> {
  ctx.tree.model.setGroupBySession(grouped);
  setContext(CONTEXT_KEYS.groupedBySession, grouped);
  await ctx.extension.workspaceState.update(GROUPED_STATE_KEY, grouped);
}

/** MLflow: Open Session — the session's turns in order, in the session panel. */
export async function openSession(
  ctx: CommandContext,
  { target }: CommandArgs['openSession'],
): Promise<vscode.WebviewPanel> {
  const { experimentId, sessionId } = await resolveSession(ctx, target, { title: 'Open Session' });
  return ctx.sessions.show(experimentId, sessionId);
}

/**
 * MLflow: Rate Session — feedback on a whole session, logged on its first turn with the session
 * in the assessment's metadata (how MLflow stores a session-level assessment).
 */
export async function rateSession(
  ctx: CommandContext,
  { target, ...given }: CommandArgs['rateSession'],
): Promise<Feedback> {
  const { experimentId, sessionId } = await resolveSession(ctx, target, { title: 'Rate Session' });
  const { turns } = await ctx.store.sessionTurns(experimentId, sessionId);
  const first = firstTurn(turns);
  if (!first) throw new Error(`Session ${sessionLabel(sessionId)} has no turns on the server.`);
  return logFeedback(ctx, given, { sessionId, firstTurn: first.traceId });
}
