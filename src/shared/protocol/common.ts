/**
 * What every webview's protocol shares: JSON values, an assessment as the webviews show it, the
 * `ready` and `error` messages, and the checker. Each panel has its own pair of message unions
 * (trace.ts, form.ts), checked with zod on both sides: a message that does not match is rejected
 * and logged, never acted on. Imported by both bundles: no `vscode`, no DOM.
 */
import * as z from '../../mlflow/zod';
import { limitDepth } from '../../mlflow/json-depth';
import { jsonValue, stringRecord } from '../../mlflow/records';
import type { JsonValue } from '../../mlflow/types';

/**
 * Any JSON value; object keys such as `__proto__` are kept (records.ts). zod walks a value
 * recursively, so what nests deeper than MAX_JSON_DEPTH is first cut to text (measured without
 * recursion): a value 2 000 levels deep shows, cut, instead of overflowing the check.
 */
export const json: z.ZodMiniType<JsonValue> = z.pipe(
  z.transform((value): unknown => limitDepth(value as JsonValue)),
  jsonValue,
);

/** A judge's failure, as the webviews and command arguments carry it. */
export const assessmentError = z.object({
  errorCode: z.string(),
  errorMessage: z.optional(z.string()),
  stackTrace: z.optional(z.string()),
});

const sourceType = z.enum(['HUMAN', 'LLM_JUDGE', 'CODE', 'SOURCE_TYPE_UNSPECIFIED']);

export const assessmentView = z.object({
  assessmentId: z.string(),
  kind: z.enum(['feedback', 'expectation']),
  name: z.string(),
  value: json,
  error: z.optional(assessmentError),
  rationale: z.optional(z.string()),
  source: z.object({ sourceType, sourceId: z.optional(z.string()) }),
  spanId: z.optional(z.string()),
  createTime: z.string(),
  lastUpdateTime: z.string(),
  metadata: stringRecord(),
  valid: z.boolean(),
  overrides: z.optional(z.string()),
  /** Set when the server's record did not fit: the card says what, flagged. */
  problem: z.optional(z.string()),
});
export type AssessmentView = z.infer<typeof assessmentView>;

/** Webview → host, first of all: the page has loaded and listens. The host sends nothing before. */
export const readyMessage = z.object({ type: z.literal('ready') });

/** Host → webview: what the panel shows could not be loaded. */
export const errorMessage = z.object({ type: z.literal('error'), message: z.string() });

/** Checks a message; returns it typed, or a one-line reason it was rejected. */
export function parseMessage<T>(
  schema: z.ZodMiniType<T>,
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

/** Ends an exhaustive `switch`: a message type added to a union does not compile until handled. */
export function assertNever(value: never): never {
  throw new Error(`Unhandled message: ${JSON.stringify(value)}`);
}

/** One webview's protocol: the schema of each direction, for the hosts on both sides. */
export interface Protocol<
  ToWebview extends { type: string },
  FromWebview extends { type: string },
> {
  readonly toWebview: z.ZodMiniType<ToWebview>;
  readonly fromWebview: z.ZodMiniType<FromWebview>;
}

/**
 * A question's input (an MLflow label schema's), as review-types.ts's LabelInput: what the review
 * panel and the forms draw and label-validation.ts checks answers against.
 */
export const labelInputView = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('passFail'),
    positiveLabel: z.string(),
    negativeLabel: z.string(),
  }),
  z.object({
    type: z.literal('categorical'),
    options: z.array(z.string()),
    multiSelect: z.boolean(),
  }),
  z.object({
    type: z.literal('numeric'),
    minValue: z.optional(z.number()),
    maxValue: z.optional(z.number()),
  }),
  z.object({ type: z.literal('text'), maxLength: z.optional(z.number()) }),
  z.object({ type: z.literal('unsupported'), variant: z.string() }),
]);
