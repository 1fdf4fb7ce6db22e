/** Between the wire's shapes (schemas.ts) and the client's domain types (types.ts). */
import { MlflowInputError, MlflowResponseError } from './errors';
import { asAssessmentId, asExperimentId, asTraceId, madeUpId } from './ids';
import { deeperThan, limitDepth, MAX_WIRE_DEPTH } from './json-depth';
import {
  parseRecord,
  wireAssessment,
  wireTraceInfo,
  type WireAssessment,
  type WireTraceInfo,
} from './schemas';
import type * as z from './zod';
import type { wireExperiment } from './schemas';
import { isPlainWireAssessment, isPlainWireTraceInfo } from './wire-guards';
import type {
  Assessment,
  JsonValue,
  AssessmentError,
  AssessmentInput,
  AssessmentSource,
  Experiment,
  SourceInput,
  TraceInfo,
} from './types';
import {
  assertFeedbackValue,
  decodeExpectationValue,
  encodeExpectationValue,
  stringifyMetadata,
  type WireExpectationValue,
} from './values';

export const DEFAULT_FEEDBACK_NAME = 'feedback';
const DEFAULT_SOURCE_ID = 'default';

export function toAssessment(wire: WireAssessment): Assessment {
  // Built field by field, as toTraceInfo: a page holds hundreds of these.
  const kind = wire.feedback || !wire.expectation ? 'feedback' : 'expectation';
  const assessment: Assessment = {
    kind,
    assessmentId: asAssessmentId(wire.assessment_id),
    traceId: asTraceId(wire.trace_id),
    name: wire.assessment_name,
    source: toSource(wire.source),
    createTime: wire.create_time,
    lastUpdateTime: wire.last_update_time,
    metadata: wire.metadata ?? {},
    // proto3 JSON leaves out a false default on some paths; the server sets it explicitly when
    // an override invalidates an assessment, so a missing flag means valid.
    valid: wire.valid ?? true,
    value: null,
  };
  if (wire.span_id) assessment.spanId = wire.span_id;
  if (wire.feedback && assessment.kind === 'feedback') {
    const error = wire.feedback.error;
    assessment.value = wire.feedback.value ?? null;
    if (error) assessment.error = toAssessmentError(error);
    if (wire.rationale !== undefined) assessment.rationale = wire.rationale;
    if (wire.overrides) assessment.overrides = asAssessmentId(wire.overrides);
  } else if (wire.expectation) {
    const { value, problem } = decodeExpectationValue(wire.expectation);
    assessment.value = value;
    if (problem) assessment.problem = problem;
  } else {
    assessment.problem = 'assessment: has neither feedback nor expectation';
  }
  return assessment;
}

/**
 * One assessment of a trace record, checked on its own: one that does not fit comes back flagged
 * (`problem`) with what could be read of it, so the trace's other assessments still show.
 */
export function parseAssessment(raw: unknown, traceId: string, index: number): Assessment {
  // Most records are read as they are; zod's path is for the others, and names what is wrong.
  if (isPlainWireAssessment(raw)) return toAssessment(raw);
  return checkAssessment(raw, traceId, index);
}

/** parseAssessment through zod alone (exported for the test that holds both paths alike). */
export function checkAssessment(raw: unknown, traceId: string, index: number): Assessment {
  const record = cutValues(raw);
  const parsed = deeperThan(record, MAX_WIRE_DEPTH)
    ? { ok: false as const, problem: `nested more than ${MAX_WIRE_DEPTH} levels deep` }
    : parseRecord(wireAssessment, record);
  if (parsed.ok) return toAssessment(parsed.value);
  const r = isObject(raw) ? raw : {};
  const text = (key: string) => (typeof r[key] === 'string' ? r[key] : undefined);
  return {
    kind: 'expectation' in r ? 'expectation' : 'feedback',
    assessmentId: asAssessmentId(
      text('assessment_id') || madeUpId(`assessment ${index + 1} of ${traceId}`),
    ),
    traceId: asTraceId(traceId),
    name: text('assessment_name') ?? '(unreadable assessment)',
    source: { sourceType: 'SOURCE_TYPE_UNSPECIFIED' },
    ...(text('span_id') ? { spanId: text('span_id') } : {}),
    createTime: text('create_time') ?? '',
    lastUpdateTime: text('last_update_time') ?? '',
    metadata: {},
    valid: typeof r.valid === 'boolean' ? r.valid : true,
    value: null,
    problem: parsed.problem,
  };
}

/**
 * Feedback and expectation values nest as deep as whoever logged them made them; cut to a depth
 * every recursive walk downstream (zod, renderers) can take, before anything walks them.
 */
function cutValues(raw: unknown): unknown {
  if (!isObject(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  for (const key of ['feedback', 'expectation']) {
    const part = raw[key];
    if (isObject(part) && 'value' in part)
      out[key] = { ...part, value: limitDepth(part.value as JsonValue) };
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toSource(wire: WireAssessment['source']): AssessmentSource {
  return { sourceType: wire.source_type, ...(wire.source_id ? { sourceId: wire.source_id } : {}) };
}

function toAssessmentError(
  wire: NonNullable<NonNullable<WireAssessment['feedback']>['error']>,
): AssessmentError {
  return {
    errorCode: wire.error_code ?? '',
    ...(wire.error_message !== undefined ? { errorMessage: wire.error_message } : {}),
    ...(wire.stack_trace !== undefined ? { stackTrace: wire.stack_trace } : {}),
  };
}

export function toTraceInfo(wire: WireTraceInfo, url: string): TraceInfo {
  const experimentId = wire.trace_location?.mlflow_experiment?.experiment_id;
  let duration: number | undefined;
  let problem: string | undefined;
  try {
    duration =
      wire.execution_duration === undefined
        ? undefined
        : parseDurationMs(wire.execution_duration, url);
  } catch (error) {
    // A bad duration is one field: the trace still shows, without it, flagged.
    if (!(error instanceof MlflowResponseError)) throw error;
    problem = `execution_duration: "${wire.execution_duration?.slice(0, 40) ?? ''}" is not a duration`;
  }
  // Built field by field: a page holds hundreds of these, and optional spreads cost an object each.
  const info: TraceInfo = {
    traceId: asTraceId(wire.trace_id),
    requestTime: wire.request_time,
    state: wire.state,
    metadata: wire.trace_metadata ?? {},
    tags: wire.tags ?? {},
    assessments: (wire.assessments ?? []).map((a, i) => parseAssessment(a, wire.trace_id, i)),
  };
  if (wire.client_request_id) info.clientRequestId = wire.client_request_id;
  if (experimentId) info.experimentId = asExperimentId(experimentId);
  if (wire.request_preview !== undefined) info.requestPreview = wire.request_preview;
  if (wire.response_preview !== undefined) info.responsePreview = wire.response_preview;
  if (duration !== undefined) info.executionDurationMs = duration;
  if (problem) info.problem = problem;
  return info;
}

/**
 * One trace record of a page, checked on its own: one that does not fit comes back flagged
 * (`problem`, with its id and assessments when they can be read), so the rest of the page shows.
 */
export function parseTraceInfo(raw: unknown, url: string, index = 0): TraceInfo {
  if (isPlainWireTraceInfo(raw)) return toTraceInfo(raw, url);
  return checkTraceInfo(raw, url, index);
}

/** parseTraceInfo through zod alone (exported for the test that holds both paths alike). */
export function checkTraceInfo(raw: unknown, url: string, index = 0): TraceInfo {
  const r = isObject(raw) ? raw : {};
  // Assessments are checked one by one (toTraceInfo); the depth check is for the trace's own fields.
  const parsed = ownFieldsDeeperThan(r, MAX_WIRE_DEPTH)
    ? { ok: false as const, problem: `nested more than ${MAX_WIRE_DEPTH} levels deep` }
    : parseRecord(wireTraceInfo, raw);
  if (parsed.ok) return toTraceInfo(parsed.value, url);
  const list = Array.isArray(r.assessments) ? (r.assessments as unknown[]) : [];
  const traceId =
    typeof r.trace_id === 'string' && r.trace_id ? r.trace_id : madeUpId(`trace ${index + 1}`);
  return {
    traceId: asTraceId(traceId),
    requestTime: typeof r.request_time === 'string' ? r.request_time : '',
    state: 'STATE_UNSPECIFIED',
    metadata: {},
    tags: {},
    assessments: list.map((a, i) => parseAssessment(a, traceId, i)),
    problem: parsed.problem,
  };
}

/** Whether a trace record's fields other than its assessments nest deeper than `max`. */
function ownFieldsDeeperThan(record: Record<string, unknown>, max: number): boolean {
  for (const key in record)
    if (key !== 'assessments' && Object.hasOwn(record, key) && deeperThan(record[key], max - 1))
      return true;
  return false;
}

/** proto Duration JSON: "1.234s" → 1234 (ms). */
export function parseDurationMs(text: string, url: string): number {
  const match = /^(-?\d+(?:\.\d+)?)s$/.exec(text);
  if (!match)
    throw new MlflowResponseError(
      url,
      'execution_duration',
      `is "${text}", not a duration like "1.5s"`,
    );
  return Math.round(Number(match[1]) * 1000);
}

export function toExperiment(wire: z.infer<typeof wireExperiment>): Experiment {
  return {
    experimentId: asExperimentId(wire.experiment_id),
    name: wire.name,
    ...(wire.artifact_location !== undefined ? { artifactLocation: wire.artifact_location } : {}),
    lifecycleStage: wire.lifecycle_stage ?? 'active',
    ...(wire.creation_time !== undefined ? { creationTime: wire.creation_time } : {}),
    ...(wire.last_update_time !== undefined ? { lastUpdateTime: wire.last_update_time } : {}),
    tags: Object.fromEntries((wire.tags ?? []).map((t) => [t.key, t.value ?? ''])),
  };
}

// ---- requests ------------------------------------------------------------------------------

/**
 * The source an assessment is logged with, as Python's API fills it in: CODE for a feedback and
 * HUMAN for an expectation when none is given, and the id "default" when the id is left out.
 */
export function sourceOrDefault(
  source: SourceInput | undefined,
  kind: 'feedback' | 'expectation',
): Required<SourceInput> {
  return {
    sourceType: source?.sourceType ?? (kind === 'feedback' ? 'CODE' : 'HUMAN'),
    sourceId: source?.sourceId ?? DEFAULT_SOURCE_ID,
  };
}

export function toWireSource(source: SourceInput | undefined, kind: 'feedback' | 'expectation') {
  const { sourceType, sourceId } = sourceOrDefault(source, kind);
  return { source_type: sourceType, source_id: sourceId };
}

export function toWireError(error: AssessmentError) {
  if (!error.errorCode) throw new MlflowInputError('An assessment error needs an error code.');
  return {
    error_code: error.errorCode,
    ...(error.errorMessage !== undefined ? { error_message: error.errorMessage } : {}),
    ...(error.stackTrace !== undefined ? { stack_trace: error.stackTrace } : {}),
  };
}

/** The `feedback` message: a value, or an error with a null value (as Python sends it). */
export function toWireFeedback(value: unknown, error: AssessmentError | undefined) {
  if (error === undefined) assertFeedbackValue(value);
  else if (value !== undefined && value !== null) assertFeedbackValue(value);
  return {
    value: value ?? null,
    ...(error ? { error: toWireError(error) } : {}),
  };
}

export function toWireExpectation(value: unknown): WireExpectationValue {
  return encodeExpectationValue(value);
}

/** The body of a create: the assessment as Python's `Assessment.to_proto()` builds it. */
export function toWireNewAssessment(traceId: string, input: AssessmentInput) {
  const now = new Date().toISOString();
  assertName(input.kind === 'feedback' ? (input.name ?? DEFAULT_FEEDBACK_NAME) : input.name);
  const metadata = stringifyMetadata(input.metadata);
  assertNoNul({
    'source id': input.source?.sourceId,
    ...(input.kind === 'feedback'
      ? {
          rationale: input.rationale,
          'error code': input.error?.errorCode,
          'error message': input.error?.errorMessage,
          'stack trace': input.error?.stackTrace,
        }
      : {}),
  });
  assertMetadataHasNoNul(metadata);
  const common = {
    trace_id: traceId,
    create_time: now,
    last_update_time: now,
    ...(input.spanId !== undefined ? { span_id: input.spanId } : {}),
    ...(metadata && Object.keys(metadata).length > 0 ? { metadata } : {}),
  };
  if (input.kind === 'feedback') {
    return {
      assessment_name: input.name ?? DEFAULT_FEEDBACK_NAME,
      source: toWireSource(input.source, 'feedback'),
      ...common,
      feedback: toWireFeedback(input.value, input.error),
      ...(input.rationale !== undefined ? { rationale: input.rationale } : {}),
      ...(input.overrides ? { overrides: input.overrides } : {}),
    };
  }
  return {
    assessment_name: input.name,
    source: toWireSource(input.source, 'expectation'),
    ...common,
    expectation: toWireExpectation(input.value),
    ...(input.overrides ? { overrides: input.overrides } : {}),
  };
}

export function assertName(name: string): void {
  if (name.trim() === '') throw new MlflowInputError('An assessment needs a name.');
  assertNoNul({ name });
  if (name.length > 250)
    throw new MlflowInputError(
      `An assessment name has at most 250 characters; this one has ${name.length}.`,
    );
}

/**
 * MLflow's backends differ on the NUL character (U+0000) in a text column: SQLite stores it,
 * PostgreSQL refuses the whole write with a 400 that quotes its SQL. Refused here whatever the
 * backend, saying where. Inside a value it is fine: values are stored as JSON text, NUL escaped.
 */
export function assertNoNul(fields: Record<string, string | undefined>): void {
  for (const [where, text] of Object.entries(fields)) {
    if (text?.includes('\u0000')) {
      throw new MlflowInputError(
        `The ${where} holds a NUL character (U+0000), which MLflow's database may refuse: remove it.`,
      );
    }
  }
}

export function assertMetadataHasNoNul(metadata: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(metadata ?? {}))
    assertNoNul({ 'metadata key': key, [`metadata value of "${key.replace(/\0/g, '')}"`]: value });
}
