/**
 * Quick checks for the two records a page of traces holds by the hundred: trace infos and their
 * assessments. Each accepts a record only when schemas.ts's zod schema would accept it as it is
 * (no value caught, none cut for depth), so that the record can be read straight from the parsed
 * body, without zod's copy of every object on the way. Anything else (a null, an unknown enum
 * value, a field nested in a way these do not know) returns false and goes through zod, which
 * says what is wrong. test/unit/wire-guards.test.ts holds the two paths to the same result.
 */
import { deeperThan, MAX_JSON_DEPTH, MAX_WIRE_DEPTH } from './json-depth';
import type { WireAssessment, WireTraceInfo } from './schemas';
import { SOURCE_TYPES, TRACE_STATES } from './types';

const TRACE_STATE_SET: ReadonlySet<unknown> = new Set(TRACE_STATES);
const SOURCE_TYPE_SET: ReadonlySet<unknown> = new Set(SOURCE_TYPES);

/** A trace info that wireTraceInfo accepts unchanged (its assessments are checked one by one). */
export function isPlainWireTraceInfo(raw: unknown): raw is WireTraceInfo {
  if (!isObject(raw)) return false;
  for (const key in raw) {
    if (!Object.hasOwn(raw, key)) continue;
    const value = raw[key];
    switch (key) {
      case 'trace_id':
      case 'request_time':
      case 'client_request_id':
      case 'request_preview':
      case 'response_preview':
      case 'execution_duration':
        if (typeof value !== 'string') return false;
        break;
      case 'state':
        if (!TRACE_STATE_SET.has(value)) return false;
        break;
      case 'trace_location':
        if (!isTraceLocation(value)) return false;
        break;
      case 'trace_metadata':
      case 'tags':
        if (!isStringMap(value)) return false;
        break;
      case 'assessments':
        if (!Array.isArray(value)) return false;
        break;
      default:
        // A field this client does not read: zod drops it, after the record's depth check.
        if (deeperThan(value, MAX_WIRE_DEPTH - 1)) return false;
    }
  }
  return (
    typeof raw.trace_id === 'string' &&
    typeof raw.request_time === 'string' &&
    // A missing state is caught by zod (read as unspecified): that is its path.
    raw.state !== undefined
  );
}

/**
 * An assessment that wireAssessment accepts unchanged, with feedback and expectation values no
 * deeper than MAX_JSON_DEPTH (deeper ones are cut first, on zod's path).
 */
export function isPlainWireAssessment(raw: unknown): raw is WireAssessment {
  if (!isObject(raw)) return false;
  for (const key in raw) {
    if (!Object.hasOwn(raw, key)) continue;
    const value = raw[key];
    switch (key) {
      case 'assessment_id':
      case 'assessment_name':
      case 'trace_id':
      case 'create_time':
      case 'last_update_time':
      case 'span_id':
      case 'rationale':
      case 'overrides':
        if (typeof value !== 'string') return false;
        break;
      case 'valid':
        if (typeof value !== 'boolean') return false;
        break;
      case 'source':
        if (!isSource(value)) return false;
        break;
      case 'metadata':
        if (!isStringMap(value)) return false;
        break;
      case 'feedback':
        if (!isFeedback(value)) return false;
        break;
      case 'expectation':
        if (!isExpectation(value)) return false;
        break;
      default:
        if (deeperThan(value, MAX_WIRE_DEPTH - 1)) return false;
    }
  }
  return (
    typeof raw.assessment_id === 'string' &&
    typeof raw.assessment_name === 'string' &&
    typeof raw.trace_id === 'string' &&
    typeof raw.create_time === 'string' &&
    typeof raw.last_update_time === 'string' &&
    raw.source !== undefined
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

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
