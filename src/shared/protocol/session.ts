/** The session panel's messages: a session's turns to draw, and what the person does with them. */
import * as z from '../../mlflow/zod';
import { assessmentView, errorMessage, readyMessage, type Protocol } from './common';

const tokenCounts = z.object({
  input: z.optional(z.number()),
  output: z.optional(z.number()),
  total: z.optional(z.number()),
});

/** One turn of the session: one trace, with what a reader needs to follow the conversation. */
export const turnView = z.object({
  traceId: z.string(),
  name: z.string(),
  state: z.string(),
  requestTime: z.string(),
  durationMs: z.optional(z.number()),
  /** Readable text of the request and response (from the server's previews, cut at ~1000). */
  request: z.optional(z.string()),
  response: z.optional(z.string()),
  user: z.optional(z.string()),
  tokens: z.optional(tokenCounts),
  /** USD, when MLflow recorded a cost on the trace (`mlflow.trace.cost`). */
  cost: z.optional(z.number()),
  /** The turn's own assessments (session-level ones are in the session's list). */
  assessments: z.array(assessmentView),
});
export type TurnView = z.infer<typeof turnView>;

export const sessionView = z.object({
  experimentId: z.string(),
  sessionId: z.string(),
  /** The id as people read it (a hierarchical id's levels). */
  label: z.string(),
  users: z.array(z.string()),
  /** Oldest first. */
  turns: z.array(turnView),
  /** False when the session has more turns than are shown. */
  complete: z.boolean(),
  /** Session-level assessments (metadata `mlflow.trace.session`), with the turn they are on. */
  sessionAssessments: z.array(z.object({ traceId: z.string(), assessment: assessmentView })),
  totals: z.object({
    durationMs: z.optional(z.number()),
    tokens: z.optional(tokenCounts),
    cost: z.optional(z.number()),
  }),
});
export type SessionView = z.infer<typeof sessionView>;

// ---- host → webview -------------------------------------------------------------------------

export const sessionToWebview = z.discriminatedUnion('type', [
  /** `server`: the tracking URL the session was read from (kept in the panel's saved state). */
  z.object({ type: z.literal('session'), session: sessionView, server: z.string() }),
  /** The extension reads another server than the session's: its actions are off. */
  z.object({ type: z.literal('elsewhere'), message: z.string() }),
  errorMessage,
]);
export type SessionToWebview = z.infer<typeof sessionToWebview>;

// ---- webview → host -------------------------------------------------------------------------

export const sessionFromWebview = z.discriminatedUnion('type', [
  readyMessage,
  /** Opens a turn in the trace panel. */
  z.object({ type: z.literal('openTurn'), traceId: z.string() }),
  /** The feedback form for one turn. */
  z.object({ type: z.literal('rateTurn'), traceId: z.string() }),
  /** The feedback form for the session: a session-level assessment on its first turn. */
  z.object({ type: z.literal('rateSession') }),
  z.object({ type: z.literal('refresh') }),
]);
export type SessionFromWebview = z.infer<typeof sessionFromWebview>;

export const SESSION_PROTOCOL: Protocol<SessionToWebview, SessionFromWebview> = {
  toWebview: sessionToWebview,
  fromWebview: sessionFromWebview,
};
