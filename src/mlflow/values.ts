/**
 * Feedback and expectation values on the wire, encoded exactly as MLflow's Python SDK encodes
 * them, so that an assessment logged here reads back the same as one logged from Python:
 * - feedback values travel as a protobuf `Value` (plain JSON);
 * - expectation scalars travel as `value`, lists and objects as `serialized_value` holding
 *   the text of Python's `json.dumps`;
 * - metadata values are stringified with Python's `str()`.
 */
import { MlflowInputError } from './errors';
import { limitDepth } from './json-depth';
import type { FeedbackValue, JsonValue, MetadataInput } from './types';

export const JSON_FORMAT = 'JSON_FORMAT';

export type WireExpectationValue =
  | { value: string | number | boolean }
  | { serialized_value: { serialization_format: typeof JSON_FORMAT; value: string } };

/** Throws unless `value` is plain JSON: finite numbers, no undefined, functions or class instances. */
export function assertJsonValue(
  value: unknown,
  what: string,
  path = '',
): asserts value is JsonValue {
  const where = path ? `${what} at ${path}` : what;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new MlflowInputError(`${where} is ${value}: use a finite number.`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      assertJsonValue(item, what, `${path}[${i}]`);
    });
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value))
      assertJsonValue(item, what, path ? `${path}.${key}` : key);
    return;
  }
  throw new MlflowInputError(`${where} is a ${typeof value}, which JSON cannot hold.`);
}

export function assertFeedbackValue(value: unknown): asserts value is FeedbackValue {
  if (value === null || value === undefined) {
    throw new MlflowInputError('A feedback needs a value or an error.');
  }
  assertJsonValue(value, 'The feedback value');
}

export function encodeExpectationValue(value: unknown): WireExpectationValue {
  if (value === null || value === undefined) {
    throw new MlflowInputError('An expectation needs a value (any JSON value but null).');
  }
  assertJsonValue(value, 'The expectation value');
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return { value };
  return { serialized_value: { serialization_format: JSON_FORMAT, value: pythonJsonDumps(value) } };
}

/**
 * An expectation's value as the server sends it. Serialized text that is not JSON (or in a format
 * other than JSON) is kept as its raw text, with the reason to flag the assessment with.
 */
export function decodeExpectationValue(wire: {
  value?: JsonValue;
  serialized_value?: { serialization_format: string; value: string };
}): { value: JsonValue; problem?: string } {
  if (wire.serialized_value) {
    const { serialization_format: format, value } = wire.serialized_value;
    if (format !== JSON_FORMAT) {
      return {
        value,
        problem: `expectation.serialized_value: format ${format}, not ${JSON_FORMAT}; shown as text`,
      };
    }
    try {
      return { value: limitDepth(JSON.parse(value) as JsonValue) };
    } catch {
      return { value, problem: 'expectation.serialized_value: not valid JSON; shown as text' };
    }
  }
  return { value: wire.value ?? null };
}

export function stringifyMetadata(
  metadata: MetadataInput | undefined,
): Record<string, string> | undefined {
  if (metadata === undefined) return undefined;
  assertJsonValue(metadata, 'The metadata');
  // fromEntries, not out[key] = …: a `__proto__` key is metadata like any other.
  return Object.fromEntries(
    Object.entries(metadata).map(([key, value]) => [key, pythonStr(value)]),
  );
}

/** Python's `str(value)` for the values JSON can hold (what MLflow does to metadata values). */
export function pythonStr(value: JsonValue): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

function pythonRepr(value: JsonValue): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pythonNumber(value, 'repr');
  if (typeof value === 'string') return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  const entries = Object.entries(value);
  return `{${entries.map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
}

/** Python's repr of a str: single quotes unless the text has ' and no ". */
function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/**
 * Python's `json.dumps(value)` with its defaults: `", "` and `": "` separators and non-ASCII
 * characters escaped as \uXXXX. MLflow stores expectation lists and objects in this form.
 */
export function pythonJsonDumps(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pythonNumber(value, 'json');
  if (typeof value === 'string') return asciiJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${asciiJsonString(k)}: ${pythonJsonDumps(v)}`)
    .join(', ')}}`;
}

function asciiJsonString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * A number as Python prints it. JavaScript has one number type, so an integral value is taken
 * to be a Python int (`4`, not `4.0`); other values follow float.__repr__, which switches to
 * exponent form below 1e-4 and from 1e16 (JavaScript switches at 1e-6 and 1e21).
 */
function pythonNumber(n: number, mode: 'repr' | 'json'): string {
  if (Number.isNaN(n)) return mode === 'json' ? 'NaN' : 'nan';
  if (!Number.isFinite(n)) return (n < 0 ? '-' : '') + (mode === 'json' ? 'Infinity' : 'inf');
  if (Number.isInteger(n)) return BigInt(n).toString();
  const [mantissa = '', exponentText = '0'] = n.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) {
    const negative = mantissa.startsWith('-');
    const digits = mantissa.replace('-', '').replace('.', '');
    const point = exponent + 1;
    const body =
      point <= 0
        ? `0.${'0'.repeat(-point)}${digits}`
        : point >= digits.length
          ? `${digits}${'0'.repeat(point - digits.length)}.0`
          : `${digits.slice(0, point)}.${digits.slice(point)}`;
    return (negative ? '-' : '') + body;
  }
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
