/** The trace panel's messages: the trace to draw, and what the person does with it. */
import * as z from '../../mlflow/zod';
import { stringRecord } from '../../mlflow/records';
import { assessmentView, errorMessage, json, readyMessage, type Protocol } from './common';

/** Token counts (MLflow's `input_tokens`, `output_tokens`, `total_tokens`). */
const tokenCounts = z.object({
  input: z.optional(z.number()),
  output: z.optional(z.number()),
  total: z.optional(z.number()),
});

/**
 * A span as the list and the timeline need it: no inputs, outputs, attributes or events (those
 * are the megabytes), only its status code, and the model, tokens and cost of an LLM call. A trace of 32 000 spans sends these, and the
 * details of one span at a time (spanDetails).
 */
export const spanSummary = z.object({
  spanId: z.string(),
  parentSpanId: z.nullable(z.string()),
  name: z.string(),
  spanType: z.optional(z.string()),
  /** Milliseconds from the trace's first span start (bigint nanoseconds do not cross JSON). */
  startOffsetMs: z.number(),
  durationMs: z.nullable(z.number()),
  statusCode: z.string(),
  /** `mlflow.llm.model`, cut to a row's length. */
  model: z.optional(z.string()),
  /** `mlflow.chat.tokenUsage`. */
  tokens: z.optional(tokenCounts),
  /** `mlflow.llm.cost`'s total, in US dollars. */
  cost: z.optional(z.number()),
  /** Set when the server's span did not fit or repeats an id: its row says what, flagged. */
  problem: z.optional(z.string()),
});
export type SpanSummary = z.infer<typeof spanSummary>;

/**
 * The span list. A webview that has just started runs zod's check of each summary before its
 * code is compiled: for 1 000 spans that was most of the check's cost on a panel's opening, and
 * a trace can hold 32 000. A list whose every summary has exactly the fields above, of the right
 * types, is taken in one plain pass; any other goes through zod, which names what is wrong.
 */
const spanSummaries = z.pipe(
  z.custom<unknown[]>(Array.isArray, { error: 'Invalid input: expected array' }),
  z.transform((items, ctx): SpanSummary[] => {
    if (items.every(isPlainSpanSummary)) return items;
    const result = z.array(spanSummary).safeParse(items);
    if (result.success) return result.data;
    for (const issue of result.error.issues)
      ctx.issues.push({ code: 'custom', message: issue.message, path: issue.path, input: items });
    return [];
  }),
);

const SUMMARY_FIELDS: ReadonlySet<string> = new Set(Object.keys(spanSummary.def.shape));

/** A summary spanSummary accepts as it is (zod would make a copy with the same fields). */
function isPlainSpanSummary(item: unknown): item is SpanSummary {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  const s = item as Record<string, unknown>;
  for (const key in s) if (!SUMMARY_FIELDS.has(key) || s[key] === undefined) return false;
  return (
    typeof s.spanId === 'string' &&
    (s.parentSpanId === null || typeof s.parentSpanId === 'string') &&
    typeof s.name === 'string' &&
    (s.spanType === undefined || typeof s.spanType === 'string') &&
    Number.isFinite(s.startOffsetMs) &&
    (s.durationMs === null || Number.isFinite(s.durationMs)) &&
    typeof s.statusCode === 'string' &&
    (s.model === undefined || typeof s.model === 'string') &&
    (s.tokens === undefined || isTokenCounts(s.tokens)) &&
    (s.cost === undefined || Number.isFinite(s.cost)) &&
    (s.problem === undefined || typeof s.problem === 'string')
  );
}

function isTokenCounts(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const counts = value as Record<string, unknown>;
  for (const key in counts)
    if (!['input', 'output', 'total'].includes(key) || !Number.isFinite(counts[key])) return false;
  return true;
}

/** What a span's details show beyond its summary: sent when the span is selected. */
export const spanDetails = z.object({
  /** The span's place in the trace's `spans` (an id can repeat; the index cannot). */
  index: z.int().check(z.nonnegative()),
  spanId: z.string(),
  status: z.object({ code: z.string(), message: z.string() }),
  inputs: z.optional(json),
  outputs: z.optional(json),
  /**
   * The root span's inputs (outputs) are the trace's `request` (`response`), sent once: set
   * instead of `inputs` (`outputs`) in the first message.
   */
  inputsAreRequest: z.optional(z.boolean()),
  outputsAreResponse: z.optional(z.boolean()),
  /** Every attribute but the inputs and outputs (`mlflow.spanInputs`, `…Outputs`): sent above. */
  attributes: z.record(z.string(), json),
  events: z.array(
    z.object({ name: z.string(), offsetMs: z.number(), attributes: z.record(z.string(), json) }),
  ),
});
export type SpanDetails = z.infer<typeof spanDetails>;

export const traceView = z.object({
  traceId: z.string(),
  experimentId: z.optional(z.string()),
  name: z.string(),
  state: z.string(),
  requestTime: z.string(),
  durationMs: z.optional(z.number()),
  /** `mlflow.trace.tokenUsage`: the trace's LLM calls summed. */
  tokenUsage: z.optional(tokenCounts),
  /** `mlflow.trace.cost`'s total, in US dollars. */
  cost: z.optional(z.number()),
  tags: stringRecord(),
  metadata: stringRecord(),
  /** The root span's inputs and outputs in full (the trace info only has cut previews). */
  request: z.optional(json),
  response: z.optional(json),
  assessments: z.array(assessmentView),
  /** Every span, summarised; a span's details come with its selection (spanDetails). */
  spans: spanSummaries,
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

/** What made the webview draw: a message from the host, or something done in the page. */
export const RENDER_CAUSES = [
  'trace',
  'traceUpdate',
  'spanDetails',
  'select',
  'raw',
  'attributes',
  'history',
  'elsewhere',
  'queues',
] as const;
export type RenderCause = (typeof RENDER_CAUSES)[number];

/** The parts of the trace page, each redrawn alone. `page` is everything. */
export const RENDERED_PARTS = [
  'page',
  'banner',
  'header',
  'io',
  'assessments',
  'list',
  'selection',
  'details',
  'queues',
] as const;
export type RenderedPart = (typeof RENDERED_PARTS)[number];

export const ASSESSMENT_ACTIONS = ['edit', 'override', 'delete', 'copyId'] as const;
export type AssessmentAction = (typeof ASSESSMENT_ACTIONS)[number];

/** A review queue that holds the trace, and the trace's status there. */
export const traceQueue = z.object({
  queueId: z.string(),
  name: z.string(),
  /** Unset when the item could not be found (removed between two reads). */
  status: z.optional(z.enum(['pending', 'complete', 'declined'])),
  completedBy: z.optional(z.string()),
});
export type TraceQueue = z.infer<typeof traceQueue>;

// ---- host → webview -------------------------------------------------------------------------

export const traceToWebview = z.discriminatedUnion('type', [
  /**
   * `server`: the tracking URL the trace was read from (kept in the panel's saved state).
   * `details`: those of the span shown first (the first root), so that it shows at once.
   */
  z.object({
    type: z.literal('trace'),
    trace: traceView,
    server: z.string(),
    details: z.optional(spanDetails),
  }),
  /** The details of one span, asked for by `selectSpan`. */
  z.object({ type: z.literal('spanDetails'), traceId: z.string(), details: spanDetails }),
  /** The same trace with new assessments or info, its spans unchanged (not sent again). */
  z.object({ type: z.literal('traceUpdate'), trace: traceUpdate }),
  /**
   * The extension now reads another server: the trace stays readable, its actions are off
   * until the person connects to `server` again.
   */
  z.object({ type: z.literal('elsewhere'), server: z.string(), current: z.string() }),
  /** "recorded at a1b2c3d, 4 commits behind": the trace's git commit is not HEAD (src/code/). */
  z.object({ type: z.literal('sourceCommit'), traceId: z.string(), text: z.string() }),
  /**
   * The review queues that hold the trace; `message` instead when they could not be read (a
   * server older than MLflow 3.14, a refusal), said in their section.
   */
  z.object({
    type: z.literal('queues'),
    traceId: z.string(),
    queues: z.array(traceQueue),
    message: z.optional(z.string()),
  }),
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
  /** "Add to Review Queue…" for this trace. */
  z.object({ type: z.literal('addToQueue') }),
  /** The trace is a turn of a session: show the session's panel. */
  z.object({ type: z.literal('openSession') }),
  /** The traced function's file at the trace's commit, against today's. */
  z.object({ type: z.literal('compareCommit') }),
  /** Go to Source (src/code/go-to-source.ts): the function that made the span. */
  z.object({ type: z.literal('goToSource'), spanId: z.string() }),
  /** A span was selected whose details the webview does not have: the host sends them. */
  z.object({
    type: z.literal('selectSpan'),
    traceId: z.string(),
    index: z.int().check(z.nonnegative()),
    spanId: z.string(),
  }),
  /**
   * The webview drew something (for benchmarks and tests): how long it took, why (`cause`: the
   * host's message, or the person's click), which parts of the page it redrew, how many span
   * rows the page holds, and where the span list and the page are scrolled.
   */
  z.object({
    type: z.literal('rendered'),
    ms: z.number(),
    cause: z.enum(RENDER_CAUSES),
    redrawn: z.array(z.enum(RENDERED_PARTS)),
    rows: z.number(),
    scroll: z.object({ list: z.number(), page: z.number() }),
  }),
]);
export type TraceFromWebview = z.infer<typeof traceFromWebview>;

export const TRACE_PROTOCOL: Protocol<TraceToWebview, TraceFromWebview> = {
  toWebview: traceToWebview,
  fromWebview: traceFromWebview,
};
