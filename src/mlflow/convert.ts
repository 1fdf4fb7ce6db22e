/** Between the wire's shapes (schemas.ts) and the client's domain types (types.ts). */
import { MlflowInputError, MlflowResponseError } from './errors';
import { asAssessmentId, asExperimentId, asTraceId } from './ids';
import type { WireAssessment, WireTraceInfo } from './schemas';
import type { z } from 'zod';
import type { wireExperiment } from './schemas';
import type {
  Assessment,
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

export function toAssessment(wire: WireAssessment, url: string): Assessment {
  const common = {
    assessmentId: asAssessmentId(wire.assessment_id),
    traceId: asTraceId(wire.trace_id),
    name: wire.assessment_name,
    source: toSource(wire.source),
    ...(wire.span_id ? { spanId: wire.span_id } : {}),
    createTime: wire.create_time,
    lastUpdateTime: wire.last_update_time,
    metadata: wire.metadata ?? {},
    // proto3 JSON leaves out a false default on some paths; the server sets it explicitly when
    // an override invalidates an assessment, so a missing flag means valid.
    valid: wire.valid ?? true,
  };
  if (wire.feedback) {
    const error = wire.feedback.error;
    return {
      kind: 'feedback',
      ...common,
      value: wire.feedback.value ?? null,
      ...(error ? { error: toAssessmentError(error) } : {}),
      ...(wire.rationale !== undefined ? { rationale: wire.rationale } : {}),
      ...(wire.overrides ? { overrides: asAssessmentId(wire.overrides) } : {}),
    };
  }
  if (wire.expectation) {
    return { kind: 'expectation', ...common, value: decodeExpectationValue(wire.expectation, url) };
  }
  throw new MlflowResponseError(url, 'assessment', 'has neither feedback nor expectation');
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
  const duration =
    wire.execution_duration === undefined
      ? undefined
      : parseDurationMs(wire.execution_duration, url);
  return {
    traceId: asTraceId(wire.trace_id),
    ...(wire.client_request_id ? { clientRequestId: wire.client_request_id } : {}),
    ...(experimentId ? { experimentId: asExperimentId(experimentId) } : {}),
    ...(wire.request_preview !== undefined ? { requestPreview: wire.request_preview } : {}),
    ...(wire.response_preview !== undefined ? { responsePreview: wire.response_preview } : {}),
    requestTime: wire.request_time,
    ...(duration !== undefined ? { executionDurationMs: duration } : {}),
    state: wire.state,
    metadata: wire.trace_metadata ?? {},
    tags: wire.tags ?? {},
    assessments: (wire.assessments ?? []).map((a) => toAssessment(a, url)),
  };
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

export function toWireSource(source: SourceInput | undefined, fallback: SourceInput['sourceType']) {
  return {
    source_type: source?.sourceType ?? fallback,
    source_id: source?.sourceId ?? DEFAULT_SOURCE_ID,
  };
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
      source: toWireSource(input.source, 'CODE'),
      ...common,
      feedback: toWireFeedback(input.value, input.error),
      ...(input.rationale !== undefined ? { rationale: input.rationale } : {}),
      ...(input.overrides ? { overrides: input.overrides } : {}),
    };
  }
  return {
    assessment_name: input.name,
    source: toWireSource(input.source, 'HUMAN'),
    ...common,
    expectation: toWireExpectation(input.value),
  };
}

export function assertName(name: string): void {
  if (name.trim() === '') throw new MlflowInputError('An assessment needs a name.');
  if (name.length > 250)
    throw new MlflowInputError(
      `An assessment name has at most 250 characters; this one has ${name.length}.`,
    );
}
