/**
 * Quick checks for the records the server sends by the hundred: trace infos and their
 * assessments on a page of traces, and the spans of a trace. Each accepts a record only when
 * schemas.ts's zod schema would accept it as it is (no value caught, none cut for depth), so
 * that the record can be read straight from the parsed body, without zod's copy of every object
 * on the way. Anything else (a null, an unknown enum value, a field nested in a way these do not
 * know) returns false and goes through zod, which says what is wrong.
 * test/unit/wire-guards.test.ts holds the two paths to the same result.
 */
import { deeperThan, MAX_JSON_DEPTH, MAX_WIRE_DEPTH } from './json-depth';
import { isObject } from './records';
import type { WireAssessment, WireSpan, WireTraceInfo } from './schemas';
import { SOURCE_TYPES, SPAN_STATUS_CODES, TRACE_STATES } from './types';

const TRACE_STATE_SET: ReadonlySet<unknown> = new Set(TRACE_STATES);
const SOURCE_TYPE_SET: ReadonlySet<unknown> = new Set(SOURCE_TYPES);
const SPAN_STATUS_CODE_SET: ReadonlySet<unknown> = new Set(SPAN_STATUS_CODES);

/** A trace info that wireTraceInfo accepts unchanged (its assessments are checked one by one). */
export function isPlainWireTraceInfo(raw: unknown): raw is WireTraceInfo {
  return (
    everyField(raw, traceInfoFieldFits) &&
    typeof raw.trace_id === 'string' &&
    typeof raw.request_time === 'string' &&
    // A missing state is caught by zod (read as unspecified): that is its path.
    raw.state !== undefined
  );
}

function traceInfoFieldFits(key: string, value: unknown): boolean {
  switch (key) {
    case 'trace_id':
    case 'request_time':
    case 'client_request_id':
    case 'request_preview':
    case 'response_preview':
    case 'execution_duration':
      return typeof value === 'string';
    case 'state':
      return TRACE_STATE_SET.has(value);
    case 'trace_location':
      return isTraceLocation(value);
    case 'trace_metadata':
    case 'tags':
      return isStringMap(value);
    case 'assessments':
      return Array.isArray(value);
    default:
      return isDroppedField(value);
  }
}

/**
 * An assessment that wireAssessment accepts unchanged, with feedback and expectation values no
 * deeper than MAX_JSON_DEPTH (deeper ones are cut first, on zod's path).
 */
export function isPlainWireAssessment(raw: unknown): raw is WireAssessment {
  return (
    everyField(raw, assessmentFieldFits) &&
    typeof raw.assessment_id === 'string' &&
    typeof raw.assessment_name === 'string' &&
    typeof raw.trace_id === 'string' &&
    typeof raw.create_time === 'string' &&
    typeof raw.last_update_time === 'string' &&
    raw.source !== undefined
  );
}

function assessmentFieldFits(key: string, value: unknown): boolean {
  switch (key) {
    case 'assessment_id':
    case 'assessment_name':
    case 'trace_id':
    case 'create_time':
    case 'last_update_time':
    case 'span_id':
    case 'rationale':
    case 'overrides':
      return typeof value === 'string';
    case 'valid':
      return typeof value === 'boolean';
    case 'source':
      return isSource(value);
    case 'metadata':
      return isStringMap(value);
    case 'feedback':
      return isFeedback(value);
    case 'expectation':
      return isExpectation(value);
    default:
      return isDroppedField(value);
  }
}

/**
 * A span that wireSpan accepts with the values spans.ts reads unchanged: its status code already
 * in OTel's full form, its times digits or safe whole numbers. Fields spans.ts does not read (kind, links, a nested
 * object's extra keys) are let through as zod drops them; the span's depth is measured before.
 */
export function isPlainWireSpan(raw: unknown): raw is WireSpan {
  return (
    everyField(raw, spanFieldFits) &&
    typeof raw.trace_id === 'string' &&
    typeof raw.span_id === 'string' &&
    typeof raw.name === 'string' &&
    raw.start_time_unix_nano !== undefined
  );
}

function spanFieldFits(key: string, value: unknown): boolean {
  switch (key) {
    case 'trace_id':
    case 'span_id':
    case 'name':
      return typeof value === 'string';
    case 'parent_span_id':
      return value === null || typeof value === 'string';
    case 'start_time_unix_nano':
      return isNanos(value);
    case 'end_time_unix_nano':
      return value === null || isNanos(value);
    case 'status':
      return isSpanStatus(value);
    case 'attributes':
      return isObject(value);
    case 'events':
      return Array.isArray(value) && value.every(isSpanEvent);
    default:
      return true;
  }
}

/** Whether `raw` is an object and `fits` each of its own fields (a record's own fields only). */
function everyField(
  raw: unknown,
  fits: (key: string, value: unknown) => boolean,
): raw is Record<string, unknown> {
  if (!isObject(raw)) return false;
  for (const key in raw) if (Object.hasOwn(raw, key) && !fits(key, raw[key])) return false;
  return true;
}

/** A field this client does not read: zod drops it, after the record's depth check. */
function isDroppedField(value: unknown): boolean {
  return !deeperThan(value, MAX_WIRE_DEPTH - 1);
}

/** A nanosecond time as schemas.ts's wireNanos takes it: digits, or a safe whole number. */
function isNanos(value: unknown): boolean {
  return typeof value === 'string'
    ? DIGITS.test(value)
    : Number.isSafeInteger(value) && (value as number) >= 0;
}

const DIGITS = /^\d+$/;

function isSpanStatus(value: unknown): boolean {
  return isObject(value) && SPAN_STATUS_CODE_SET.has(value.code) && optionalString(value.message);
}

function isSpanEvent(value: unknown): boolean {
  return (
    isObject(value) &&
    typeof value.name === 'string' &&
    isNanos(value.time_unix_nano) &&
    (value.attributes === undefined || isObject(value.attributes))
  );
}

function isTraceLocation(value: unknown): boolean {
  if (!isObject(value) || !hasOnlyKeys(value, 'type', 'mlflow_experiment')) return false;
  if (typeof value.type !== 'string') return false;
  const experiment = value.mlflow_experiment;
  if (experiment === undefined) return true;
  return (
    isObject(experiment) &&
    hasOnlyKeys(experiment, 'experiment_id') &&
    typeof experiment.experiment_id === 'string'
  );
}

function isSource(value: unknown): boolean {
  return (
    isObject(value) &&
    hasOnlyKeys(value, 'source_type', 'source_id') &&
    SOURCE_TYPE_SET.has(value.source_type) &&
    optionalString(value.source_id)
  );
}

function isFeedback(value: unknown): boolean {
  if (!isObject(value) || !hasOnlyKeys(value, 'value', 'error')) return false;
  if (!isShallowValue(value.value)) return false;
  const error = value.error;
  return (
    error === undefined ||
    (isObject(error) &&
      hasOnlyKeys(error, 'error_code', 'error_message', 'stack_trace') &&
      optionalString(error.error_code) &&
      optionalString(error.error_message) &&
      optionalString(error.stack_trace))
  );
}

function isExpectation(value: unknown): boolean {
  if (!isObject(value) || !hasOnlyKeys(value, 'value', 'serialized_value')) return false;
  if (!isShallowValue(value.value)) return false;
  const serialized = value.serialized_value;
  return (
    serialized === undefined ||
    (isObject(serialized) &&
      hasOnlyKeys(serialized, 'serialization_format', 'value') &&
      typeof serialized.serialization_format === 'string' &&
      typeof serialized.value === 'string')
  );
}

/** A feedback or expectation value that needs no cut (json-depth.ts's limitDepth). */
function isShallowValue(value: unknown): boolean {
  return !deeperThan(value, MAX_JSON_DEPTH);
}

/** A map of text (metadata, tags): an object whose every value is a string. */
function isStringMap(value: unknown): boolean {
  if (!isObject(value)) return false;
  for (const key in value)
    if (Object.hasOwn(value, key) && typeof value[key] !== 'string') return false;
  return true;
}

/**
 * Whether `value` has no field but `known`. A nested object with a field zod would drop goes
 * through zod: only the top level's unknown fields are measured here.
 */
function hasOnlyKeys(value: Record<string, unknown>, ...known: string[]): boolean {
  for (const key in value) if (Object.hasOwn(value, key) && !known.includes(key)) return false;
  return true;
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}
