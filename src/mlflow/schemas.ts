/**
 * What the MLflow server sends, as zod schemas (proto JSON: snake_case, enums as names, unset
 * fields omitted). Every response is checked here before it leaves src/mlflow/; unknown extra
 * fields are dropped so that newer servers keep working.
 */
import * as z from './zod';
import { MlflowResponseError } from './errors';
import { parsedJson, parsedJsonRecord, stringRecord } from './records';
import { SOURCE_TYPES, SPAN_STATUS_CODES, TRACE_STATES, type SpanStatusCode } from './types';

const stringMap = stringRecord();

export const wireAssessmentSource = z.object({
  // A source type added by a newer server reads as unspecified rather than failing the record.
  source_type: z.catch(z.enum(SOURCE_TYPES), 'SOURCE_TYPE_UNSPECIFIED'),
  source_id: z.optional(z.string()),
});

export const wireAssessmentError = z.object({
  error_code: z.optional(z.string()),
  error_message: z.optional(z.string()),
  stack_trace: z.optional(z.string()),
});

export const wireFeedback = z.object({
  value: z.optional(parsedJson),
  error: z.optional(wireAssessmentError),
});

export const wireExpectation = z.object({
  value: z.optional(parsedJson),
  serialized_value: z.optional(z.object({ serialization_format: z.string(), value: z.string() })),
});

export const wireAssessment = z.object({
  assessment_id: z.string(),
  assessment_name: z.string(),
  trace_id: z.string(),
  span_id: z.optional(z.string()),
  source: wireAssessmentSource,
  create_time: z.string(),
  last_update_time: z.string(),
  feedback: z.optional(wireFeedback),
  expectation: z.optional(wireExpectation),
  rationale: z.optional(z.string()),
  metadata: z.optional(stringMap),
  overrides: z.optional(z.string()),
  valid: z.optional(z.boolean()),
});
export type WireAssessment = z.infer<typeof wireAssessment>;

export const wireTraceInfo = z.object({
  trace_id: z.string(),
  client_request_id: z.optional(z.string()),
  trace_location: z.optional(
    z.object({
      type: z.string(),
      mlflow_experiment: z.optional(z.object({ experiment_id: z.string() })),
    }),
  ),
  request_preview: z.optional(z.string()),
  response_preview: z.optional(z.string()),
  request_time: z.string(),
  execution_duration: z.optional(z.string()),
  state: z.catch(z.enum(TRACE_STATES), 'STATE_UNSPECIFIED'),
  trace_metadata: z.optional(stringMap),
  tags: z.optional(stringMap),
  /** Each one checked on its own (convert.ts): one bad assessment does not hide the others. */
  assessments: z.optional(z.array(z.unknown())),
});
export type WireTraceInfo = z.infer<typeof wireTraceInfo>;

export const assessmentResponse = z.object({ assessment: wireAssessment });

/** Each trace is checked on its own (convert.ts): one bad record does not fail the page. */
export const searchTracesResponse = z.object({
  traces: z.optional(z.array(z.unknown())),
  next_page_token: z.optional(z.string()),
});

export const getTraceInfoResponse = z.object({ trace: z.object({ trace_info: z.unknown() }) });

/** A nanosecond time: a number, or a string when spans.ts kept a large integer exact. */
const wireNanos = z.union([
  z.string().check(z.regex(/^\d+$/)),
  z.number().check(z.int(), z.nonnegative()),
]);

export const wireSpan = z.object({
  trace_id: z.string(),
  span_id: z.string(),
  parent_span_id: z.optional(z.nullable(z.string())),
  name: z.string(),
  start_time_unix_nano: wireNanos,
  end_time_unix_nano: z.optional(z.nullable(wireNanos)),
  status: z.optional(
    z.object({
      code: z.catch(z.pipe(z.string(), z.transform(toSpanStatusCode)), 'STATUS_CODE_UNSET'),
      message: z.optional(z.string()),
    }),
  ),
  attributes: z.optional(parsedJsonRecord()),
  events: z.optional(
    z.array(
      z.object({
        name: z.string(),
        time_unix_nano: wireNanos,
        attributes: z.optional(parsedJsonRecord()),
      }),
    ),
  ),
});
export type WireSpan = z.infer<typeof wireSpan>;

/** Each span is checked on its own (spans.ts): one bad span does not hide the others. */
export const traceDataResponse = z.object({ spans: z.array(z.unknown()) });

/** OTel's codes, also in the short form some exporters write; anything else is unset. */
function toSpanStatusCode(code: string): SpanStatusCode {
  const full = code.startsWith('STATUS_CODE_') ? code : `STATUS_CODE_${code}`;
  return (SPAN_STATUS_CODES as readonly string[]).includes(full)
    ? (full as SpanStatusCode)
    : 'STATUS_CODE_UNSET';
}

export const wireExperiment = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.optional(z.string()),
  lifecycle_stage: z.optional(z.string()),
  creation_time: z.optional(z.number()),
  last_update_time: z.optional(z.number()),
  tags: z.optional(z.array(z.object({ key: z.string(), value: z.optional(z.string()) }))),
});

export const searchExperimentsResponse = z.object({
  experiments: z.optional(z.array(wireExperiment)),
  next_page_token: z.optional(z.string()),
});

export const currentUserResponse = z.object({
  user: z.object({
    id: z.optional(z.number()),
    username: z.string(),
    is_admin: z.optional(z.boolean()),
  }),
});

/** Checks `data` against `schema`; a mismatch becomes an error that names the first bad field. */
export function parseWire<S extends z.ZodMiniType>(
  schema: S,
  data: unknown,
  url: string,
): z.output<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? formatPath(issue.path) : '';
  throw new MlflowResponseError(url, field, issue ? describeIssue(issue, data) : 'does not match');
}

/**
 * Checks one record of a page (a trace, an assessment, a span) against `schema`: the record, or
 * a short reason ("field: what is wrong") to flag it with, so the rest of the page still shows.
 */
export function parseRecord<S extends z.ZodMiniType>(
  schema: S,
  data: unknown,
): { ok: true; value: z.output<S> } | { ok: false; problem: string } {
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  if (!issue) return { ok: false, problem: 'does not match' };
  const field = formatPath(issue.path);
  return { ok: false, problem: `${field ? `${field}: ` : ''}${describeIssue(issue, data)}` };
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const actual = valueAt(data, issue.path);
  const got = actual === undefined ? 'missing' : `got ${shortJson(actual)}`;
  return `${issue.message.replace(/^Invalid input: /, '')} (${got})`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = data;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** At most 80 characters of a value's JSON text; what JSON cannot show (or nests too deep) by type. */
function shortJson(value: unknown): string {
  try {
    return (JSON.stringify(value) as string | undefined)?.slice(0, 80) ?? typeof value;
  } catch {
    return typeof value;
  }
}
