/**
 * The messages between the extension host and its webviews, one schema per direction, checked
 * with zod on both sides: a message that does not match is rejected and logged, never acted on.
 * Imported by both bundles: no `vscode`, no DOM.
 */
import { z } from 'zod';

const json: z.ZodType<JsonLike> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(json),
    z.record(z.string(), json),
  ]),
);
type JsonLike = null | boolean | number | string | JsonLike[] | { [key: string]: JsonLike };

const sourceType = z.enum(['HUMAN', 'LLM_JUDGE', 'CODE', 'SOURCE_TYPE_UNSPECIFIED']);

export const assessmentView = z.object({
  assessmentId: z.string(),
  kind: z.enum(['feedback', 'expectation']),
  name: z.string(),
  value: json,
  error: z
    .object({
      errorCode: z.string(),
      errorMessage: z.string().optional(),
      stackTrace: z.string().optional(),
    })
    .optional(),
  rationale: z.string().optional(),
  source: z.object({ sourceType, sourceId: z.string().optional() }),
  spanId: z.string().optional(),
  createTime: z.string(),
  lastUpdateTime: z.string(),
  metadata: z.record(z.string(), z.string()),
  valid: z.boolean(),
  overrides: z.string().optional(),
});
export type AssessmentView = z.infer<typeof assessmentView>;

export const spanView = z.object({
  spanId: z.string(),
  parentSpanId: z.string().nullable(),
  name: z.string(),
  spanType: z.string().optional(),
  /** Milliseconds from the trace's first span start (bigint nanoseconds do not cross JSON). */
  startOffsetMs: z.number(),
  durationMs: z.number().nullable(),
  status: z.object({ code: z.string(), message: z.string() }),
  inputs: json.optional(),
  outputs: json.optional(),
  attributes: z.record(z.string(), json),
  events: z.array(
    z.object({ name: z.string(), offsetMs: z.number(), attributes: z.record(z.string(), json) }),
  ),
});
export type SpanView = z.infer<typeof spanView>;

export const traceView = z.object({
  traceId: z.string(),
  experimentId: z.string().optional(),
  name: z.string(),
  state: z.string(),
  requestTime: z.string(),
  durationMs: z.number().optional(),
  tokenUsage: z
    .object({
      input: z.number().optional(),
      output: z.number().optional(),
      total: z.number().optional(),
    })
    .optional(),
  tags: z.record(z.string(), z.string()),
  metadata: z.record(z.string(), z.string()),
  /** The root span's inputs and outputs in full (the trace info only has cut previews). */
  request: json.optional(),
  response: json.optional(),
  assessments: z.array(assessmentView),
  spans: z.array(spanView),
  /** Set when the spans could not be loaded; the rest still shows. */
  spansError: z.string().optional(),
});
export type TraceView = z.infer<typeof traceView>;

export const VALUE_TYPE_NAMES = ['boolean', 'number', 'string', 'labels', 'json'] as const;
const valueType = z.enum(VALUE_TYPE_NAMES);

const metadataRow = z.object({ key: z.string(), value: z.string() });

/** What a person has typed into a form: kept as text until it is submitted. */
export const formDraft = z.object({
  name: z.string(),
  valueType,
  valueText: z.string(),
  rationale: z.string(),
  sourceType: z.enum(['HUMAN', 'LLM_JUDGE', 'CODE']),
  sourceId: z.string(),
  metadata: z.array(metadataRow),
  /** Empty: the whole trace. */
  spanId: z.string(),
  /** Feedback only: record a failed evaluation (code, message, stack trace) instead of a value. */
  errorMode: z.boolean(),
  errorCode: z.string(),
  errorMessage: z.string(),
  stackTrace: z.string(),
});
export type FormDraft = z.infer<typeof formDraft>;

export const formMode = z.enum(['feedback', 'expectation', 'edit', 'override']);
export type FormMode = z.infer<typeof formMode>;

export const formInit = z.object({
  mode: formMode,
  traceId: z.string(),
  traceName: z.string(),
  /** Spans to target, in tree order with their depth. */
  spans: z.array(z.object({ spanId: z.string(), name: z.string(), depth: z.number() })),
  nameSuggestions: z.array(z.string()),
  reviewer: z.string(),
  /** The assessment edited or overridden. */
  assessment: assessmentView.optional(),
  draft: formDraft,
});
export type FormInit = z.infer<typeof formInit>;

// ---- host → webview -------------------------------------------------------------------------

export const toWebview = z.discriminatedUnion('type', [
  z.object({ type: z.literal('trace'), trace: traceView }),
  z.object({ type: z.literal('form'), form: formInit }),
  z.object({ type: z.literal('submitting') }),
  z.object({ type: z.literal('submitFailed'), message: z.string(), field: z.string().optional() }),
  z.object({ type: z.literal('submitted'), assessment: assessmentView }),
  /** A failure loading what the panel shows. */
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ToWebview = z.infer<typeof toWebview>;

// ---- webview → host -------------------------------------------------------------------------

export const fromWebview = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({
    type: z.literal('assessmentAction'),
    action: z.enum(['edit', 'override', 'delete', 'copyId']),
    assessmentId: z.string(),
  }),
  z.object({
    type: z.literal('openForm'),
    mode: z.enum(['feedback', 'expectation']),
    spanId: z.string().optional(),
  }),
  z.object({ type: z.literal('refresh') }),
  z.object({ type: z.literal('submit'), draft: formDraft, next: z.boolean() }),
  z.object({ type: z.literal('cancel') }),
  /** The webview measured how long it took to render (for benchmarks). */
  z.object({ type: z.literal('rendered'), ms: z.number() }),
]);
export type FromWebview = z.infer<typeof fromWebview>;

/** Checks a message; returns it typed, or a one-line reason it was rejected. */
export function parseMessage<T>(
  schema: z.ZodType<T>,
  data: unknown,
): { ok: true; message: T } | { ok: false; reason: string } {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, message: result.data };
  const issue = result.error.issues[0];
  return {
    ok: false,
    reason: issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid message',
  };
}

export function assertNever(value: never): never {
  throw new Error(`Unhandled message: ${JSON.stringify(value)}`);
}
