/**
 * The client's domain types: what callers get back and pass in. camelCase, times as ISO strings,
 * expectation values already deserialized. The wire (snake_case) shapes live in schemas.ts.
 * Ids in what comes back are branded (ids.ts); inputs take plain strings.
 */
import type { AssessmentId, ExperimentId, TraceId } from './ids';

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What a feedback can hold: a scalar, a list (labels) or an object (as in Python's FeedbackValueType). */
export type FeedbackValue = boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const SOURCE_TYPES = ['HUMAN', 'LLM_JUDGE', 'CODE', 'SOURCE_TYPE_UNSPECIFIED'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

export interface AssessmentSource {
  sourceType: SourceType;
  /** Who or what assessed: an email, a judge's model, a script. Python's default is "default";
   *  absent only when the assessment was stored without one (the server applies no default). */
  sourceId?: string;
}

/** Why a judge or scorer could not produce a value. */
export interface AssessmentError {
  errorCode: string;
  errorMessage?: string;
  stackTrace?: string;
}

interface AssessmentCommon {
  assessmentId: AssessmentId;
  traceId: TraceId;
  name: string;
  source: AssessmentSource;
  /** Set when the assessment is about one span; 16 lowercase hex characters. */
  spanId?: string;
  createTime: string;
  lastUpdateTime: string;
  /** Always a map of strings on the server; Python stringifies other values. */
  metadata: Record<string, string>;
  /** False once another feedback overrides this one. */
  valid: boolean;
  /** Set when the server's record did not fit (field and reason): shown flagged, not dropped. */
  problem?: string;
}

export interface Feedback extends AssessmentCommon {
  kind: 'feedback';
  /** Null when the feedback records an error instead of a value. */
  value: JsonValue;
  error?: AssessmentError;
  rationale?: string;
  /** The id of the feedback this one supersedes. */
  overrides?: AssessmentId;
}

export interface Expectation extends AssessmentCommon {
  kind: 'expectation';
  value: JsonValue;
}

export type Assessment = Feedback | Expectation;

export const TRACE_STATES = ['OK', 'ERROR', 'IN_PROGRESS', 'STATE_UNSPECIFIED'] as const;
export type TraceState = (typeof TRACE_STATES)[number];

export interface TraceInfo {
  traceId: TraceId;
  clientRequestId?: string;
  /** The experiment the trace belongs to, when it lives in one. */
  experimentId?: ExperimentId;
  /** JSON text of the root span's inputs / outputs, cut at about 1000 characters by the server. */
  requestPreview?: string;
  responsePreview?: string;
  requestTime: string;
  /** Undefined while the trace is still in progress. */
  executionDurationMs?: number;
  state: TraceState;
  metadata: Record<string, string>;
  tags: Record<string, string>;
  /** Every assessment, the overridden (invalid) ones included. */
  assessments: Assessment[];
  /** Set when the server's record did not fit (field and reason): the row shows it, flagged. */
  problem?: string;
}

export interface SpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Record<string, JsonValue>;
}

export interface Span {
  traceId: TraceId;
  /** 16 lowercase hex characters: the form assessments use in `span_id`. */
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** Nanosecond timestamps exceed 2^53, so they are kept exact as bigint. */
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint | null;
  status: { code: SpanStatusCode; message: string };
  /** `mlflow.spanType`, decoded (LLM, CHAT_MODEL, TOOL, RETRIEVER, ...). */
  spanType?: string;
  inputs?: JsonValue;
  outputs?: JsonValue;
  /**
   * The other attributes, each decoded from the JSON text MLflow stores (raw text if it is not
   * JSON). A span read from the server has its inputs and outputs only as `inputs`, `outputs`.
   */
  attributes: Record<string, JsonValue>;
  events: SpanEvent[];
  /** Set when the server's span did not fit or repeats an id: shown flagged, not dropped. */
  problem?: string;
}

export const SPAN_STATUS_CODES = [
  'STATUS_CODE_UNSET',
  'STATUS_CODE_OK',
  'STATUS_CODE_ERROR',
] as const;
export type SpanStatusCode = (typeof SPAN_STATUS_CODES)[number];

export interface Experiment {
  experimentId: ExperimentId;
  name: string;
  artifactLocation?: string;
  lifecycleStage: string;
  creationTime?: number;
  lastUpdateTime?: number;
  tags: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  /** Present when another page may follow (the last page can be empty). */
  nextPageToken?: string;
}

// ---- inputs --------------------------------------------------------------------------------

/** Metadata as callers give it: non-string values are stringified as Python's str() does. */
export type MetadataInput = Record<string, JsonValue>;

export interface SourceInput {
  sourceType: SourceType;
  sourceId?: string;
}

export interface LogFeedbackInput {
  traceId: string;
  /** Defaults to "feedback", as in Python. */
  name?: string;
  value?: FeedbackValue;
  error?: AssessmentError;
  rationale?: string;
  /** Defaults to CODE with id "default", as in Python. */
  source?: SourceInput;
  metadata?: MetadataInput;
  spanId?: string;
}

export interface LogExpectationInput {
  traceId: string;
  name: string;
  value: JsonValue;
  /** Defaults to HUMAN with id "default", as in Python. */
  source?: SourceInput;
  metadata?: MetadataInput;
  spanId?: string;
}

/** For the generic `logAssessment`, like Python's `Feedback(...)` / `Expectation(...)` objects. */
export type AssessmentInput =
  | ({ kind: 'feedback'; overrides?: string } & Omit<LogFeedbackInput, 'traceId'>)
  | ({
      kind: 'expectation';
      /** The reviewer's earlier answer it supersedes (MLflow's Review tab sets it on expectations
       *  too); the server marks that one `valid: false`. */
      overrides?: string;
    } & Omit<LogExpectationInput, 'traceId'>);

/** The fields an update may change; anything left out stays as it is. */
export interface AssessmentUpdate {
  name?: string;
  /** Feedback only. */
  feedback?: { value?: FeedbackValue; error?: AssessmentError };
  /** Expectation only. */
  expectation?: { value: JsonValue };
  /** Feedback only (the server drops rationale on expectations). */
  rationale?: string;
  /** Merged into the existing map: keys can be added or changed, not removed. */
  metadata?: MetadataInput;
}

export interface OverrideFeedbackInput {
  traceId: string;
  /** The feedback to supersede; it stays on record with `valid: false`. */
  assessmentId: string;
  value: FeedbackValue;
  rationale?: string;
  source?: SourceInput;
  metadata?: MetadataInput;
}

export interface SearchTracesInput {
  experimentIds: string[];
  /** An MLflow filter string; see filters.ts for safe quoting. */
  filter?: string;
  /** Default: newest first. */
  orderBy?: string[];
  /** 1 to 500; default 100. */
  maxResults?: number;
  pageToken?: string;
}

export interface SearchExperimentsInput {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
}
