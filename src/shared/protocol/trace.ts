/** The trace panel's messages: the trace to draw, and what the person does with it. */
import * as z from '../../mlflow/zod';
import { recordOf } from '../../mlflow/records';
import { assessmentView, errorMessage, json, readyMessage, type Protocol } from './common';

export const spanView = z.object({
  spanId: z.string(),
  parentSpanId: z.nullable(z.string()),
  name: z.string(),
  spanType: z.optional(z.string()),
  /** Milliseconds from the trace's first span start (bigint nanoseconds do not cross JSON). */
  startOffsetMs: z.number(),
  durationMs: z.nullable(z.number()),
  status: z.object({ code: z.string(), message: z.string() }),
  inputs: z.optional(json),
  outputs: z.optional(json),
  attributes: z.record(z.string(), json),
  events: z.array(
    z.object({ name: z.string(), offsetMs: z.number(), attributes: z.record(z.string(), json) }),
  ),
  /** Set when the server's span did not fit or repeats an id: its row says what, flagged. */
  problem: z.optional(z.string()),
});
export type SpanView = z.infer<typeof spanView>;

export const traceView = z.object({
  traceId: z.string(),
  experimentId: z.optional(z.string()),
  name: z.string(),
  state: z.string(),
  requestTime: z.string(),
  durationMs: z.optional(z.number()),
  tokenUsage: z.optional(
    z.object({
      input: z.optional(z.number()),
      output: z.optional(z.number()),
      total: z.optional(z.number()),
    }),
  ),
  tags: recordOf(z.string()),
  metadata: recordOf(z.string()),
  /** The root span's inputs and outputs in full (the trace info only has cut previews). */
  request: z.optional(json),
  response: z.optional(json),
  assessments: z.array(assessmentView),
  spans: z.array(spanView),
  /** Set when the spans could not be loaded; the rest still shows. */
  spansError: z.optional(z.string()),
  /** Set when the server's trace record did not fit: the header says what, flagged. */
  problem: z.optional(z.string()),
});
export type TraceView = z.infer<typeof traceView>;

/**
 * A trace whose spans the webview already has: everything but what comes from the spans, which
 * can be megabytes (an assessment logged, a state changed).
 */
export const traceUpdate = z.omit(traceView, {
  spans: true,
  request: true,
  response: true,
  spansError: true,
});
export type TraceUpdate = z.infer<typeof traceUpdate>;

export const ASSESSMENT_ACTIONS = ['edit', 'override', 'delete', 'copyId'] as const;
export type AssessmentAction = (typeof ASSESSMENT_ACTIONS)[number];

// ---- host → webview -------------------------------------------------------------------------

export const traceToWebview = z.discriminatedUnion('type', [
  /** `server`: the tracking URL the trace was read from (kept in the panel's saved state). */
  z.object({ type: z.literal('trace'), trace: traceView, server: z.string() }),
  /** The same trace with new assessments or info, its spans unchanged (not sent again). */
  z.object({ type: z.literal('traceUpdate'), trace: traceUpdate }),
  /**
   * The extension now reads another server: the trace stays readable, its actions are off
   * until the person connects to `server` again.
   */
  z.object({ type: z.literal('elsewhere'), server: z.string(), current: z.string() }),
  errorMessage,
]);
export type TraceToWebview = z.infer<typeof traceToWebview>;

// ---- webview → host -------------------------------------------------------------------------

export const traceFromWebview = z.discriminatedUnion('type', [
  readyMessage,
  z.object({
    type: z.literal('assessmentAction'),
    action: z.enum(ASSESSMENT_ACTIONS),
    assessmentId: z.string(),
  }),
  z.object({
    type: z.literal('openForm'),
    mode: z.enum(['feedback', 'expectation']),
    spanId: z.optional(z.string()),
  }),
  z.object({ type: z.literal('refresh') }),
  /** The webview measured how long it took to render (for benchmarks). */
  z.object({ type: z.literal('rendered'), ms: z.number() }),
]);
export type TraceFromWebview = z.infer<typeof traceFromWebview>;

export const TRACE_PROTOCOL: Protocol<TraceToWebview, TraceFromWebview> = {
  toWebview: traceToWebview,
  fromWebview: traceFromWebview,
};
