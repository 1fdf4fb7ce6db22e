/**
 * A trace's spans as the server's `get-trace-artifact` route serves them (OTel-like JSON with
 * base64 ids, nanosecond integers and JSON-encoded attribute values), made into `Span`s.
 */
import { deeperThan, limitDepth, MAX_WIRE_DEPTH } from './json-depth';
import { MlflowResponseError } from './errors';
import { asTraceId, madeUpId, type TraceId } from './ids';
import { defineOwn, isObject } from './records';
import { parseRecord, parseWire, traceDataResponse, wireSpan, type WireSpan } from './schemas';
import { isPlainWireSpan } from './wire-guards';
import type { JsonValue, Span, SpanEvent } from './types';

export function parseTraceData(text: string, url: string): Span[] {
  // Only the list itself is checked here; each span on its own below, its depth included.
  let raw = parseWire(traceDataResponse, parseJsonText(text, url), url).spans;
  if (!putBackExactNanos(raw, text))
    raw = parseWire(traceDataResponse, parseJsonText(quoteNanos(text), url), url).spans;
  const spans = raw.map((item, index) => {
    const span = readWireSpan(item);
    return typeof span === 'string' ? { index, problem: span } : span;
  });
  const good = spans.filter((s): s is Span => 'spanId' in s);
  const start = good.reduce<bigint | undefined>(
    (min, s) => (min === undefined || s.startTimeUnixNano < min ? s.startTimeUnixNano : min),
    undefined,
  );
  const traceId = good[0]?.traceId ?? asTraceId('');
  const seen = new Set<string>();
  return spans.map((span) => {
    if (!('spanId' in span)) return flaggedSpan(raw[span.index], span, traceId, start ?? 0n);
    // A repeated id is kept (shown as a root, flagged): dropping it would hide a record.
    if (seen.has(span.spanId)) span.problem = 'span_id: the same as an earlier span';
    else seen.add(span.spanId);
    return span;
  });
}

/**
 * One span of the list, or what is wrong with it. A span that fits is read as JSON.parse made it
 * (wire-guards.ts); any other goes through zod, which names what is wrong.
 */
export function readWireSpan(item: unknown): Span | string {
  if (deeperThan(item, MAX_WIRE_DEPTH)) return `nested more than ${MAX_WIRE_DEPTH} levels deep`;
  return isPlainWireSpan(item) ? toSpan(item) : checkWireSpan(item);
}

/** The same through zod alone: test/unit/wire-guards.test.ts holds both paths to one result. */
export function checkWireSpan(item: unknown): Span | string {
  const parsed = parseRecord(wireSpan, item);
  return parsed.ok ? toSpan(parsed.value) : parsed.problem;
}

/** A span that does not fit: what can be read of it, placed at the trace's start. */
function flaggedSpan(
  raw: unknown,
  { index, problem }: { index: number; problem: string },
  traceId: Span['traceId'],
  start: bigint,
): Span {
  const r: Record<string, unknown> =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw)
      ? (raw as Record<string, unknown>)
      : {};
  const id = typeof r.span_id === 'string' && r.span_id ? spanIdToHex(r.span_id) : '';
  return {
    traceId,
    spanId: id || madeUpId(`span ${index + 1}`),
    parentSpanId:
      typeof r.parent_span_id === 'string' && r.parent_span_id
        ? spanIdToHex(r.parent_span_id)
        : null,
    name: typeof r.name === 'string' ? r.name : '(unreadable span)',
    startTimeUnixNano: start,
    endTimeUnixNano: null,
    status: { code: 'STATUS_CODE_UNSET', message: '' },
    attributes: {},
    events: [],
    problem,
  };
}

function toSpan(wire: WireSpan): ParsedSpan {
  const attributes: Record<string, JsonValue> = {};
  const wireAttributes = wire.attributes ?? {};
  for (const key of Object.keys(wireAttributes))
    if (key !== INPUTS && key !== OUTPUTS)
      defineOwn(attributes, key, decodeAttribute(wireAttributes[key] as JsonValue));
  const spanType = attributes['mlflow.spanType'];
  const requestId = attributes['mlflow.traceRequestId'];
  const span = new ParsedSpan(
    asTraceId(typeof requestId === 'string' ? requestId : spanIdToHex(wire.trace_id)),
    spanIdToHex(wire.span_id),
    wire.parent_span_id ? spanIdToHex(wire.parent_span_id) : null,
    wire.name,
    BigInt(wire.start_time_unix_nano),
    wire.end_time_unix_nano == null ? null : BigInt(wire.end_time_unix_nano),
    { code: wire.status?.code ?? 'STATUS_CODE_UNSET', message: wire.status?.message ?? '' },
    attributes,
    (wire.events ?? []).map((event) => ({
      name: event.name,
      timeUnixNano: BigInt(event.time_unix_nano),
      attributes: Object.fromEntries(
        Object.entries(event.attributes ?? {}).map(([k, v]) => [k, decodeAttribute(v)]),
      ),
    })),
    undecoded(wireAttributes[INPUTS]),
    undecoded(wireAttributes[OUTPUTS]),
  );
  if (typeof spanType === 'string') span.spanType = spanType;
  return span;
}

/** JSON text is kept to decode when read; anything else (a newer exporter's object) now. */
function undecoded(value: JsonValue | undefined): Undecoded | JsonValue | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? new Undecoded(value) : decodeAttribute(value);
}

const INPUTS = 'mlflow.spanInputs';
const OUTPUTS = 'mlflow.spanOutputs';

/**
 * A span read from the server. Its inputs and outputs, most of a trace's bytes, stay the JSON
 * text MLflow stores until first read: a panel shows one span's at a time, and decoding all of
 * a 4 MB trace's was a sixth of reading it. The text is then dropped for what it decodes to.
 * The getters are the class's, so a span holds no function of its own (a 32 000-span trace).
 */
class ParsedSpan implements Span {
  spanType?: string;
  problem?: string;
  #inputs: Undecoded | JsonValue | undefined;
  #outputs: Undecoded | JsonValue | undefined;

  constructor(
    public traceId: TraceId,
    public spanId: string,
    public parentSpanId: string | null,
    public name: string,
    public startTimeUnixNano: bigint,
    public endTimeUnixNano: bigint | null,
    public status: Span['status'],
    public attributes: Record<string, JsonValue>,
    public events: SpanEvent[],
    inputs: Undecoded | JsonValue | undefined,
    outputs: Undecoded | JsonValue | undefined,
  ) {
    this.#inputs = inputs;
    this.#outputs = outputs;
  }

  get inputs(): JsonValue | undefined {
    if (this.#inputs instanceof Undecoded) this.#inputs = decodeAttribute(this.#inputs.text);
    return this.#inputs;
  }

  get outputs(): JsonValue | undefined {
    if (this.#outputs instanceof Undecoded) this.#outputs = decodeAttribute(this.#outputs.text);
    return this.#outputs;
  }
}

/** JSON text not decoded yet (a decoded value may itself be a string). */
class Undecoded {
  constructor(readonly text: string) {}
}

/** MLflow stores each attribute value as JSON text; a value that is not JSON stays as it is. */
function decodeAttribute(value: JsonValue): JsonValue {
  if (typeof value !== 'string') return limitDepth(value);
  let decoded: JsonValue;
  try {
    decoded = JSON.parse(value) as JsonValue;
  } catch {
    return value;
  }
  return limitDepth(decoded);
}

/** Span ids arrive base64-encoded; assessments name spans by 16 lowercase hex characters. */
export function spanIdToHex(id: string): string {
  if (/^[0-9a-f]{16}$|^[0-9a-f]{32}$/.test(id)) return id;
  return Buffer.from(id, 'base64').toString('hex');
}

function parseJsonText(text: string, url: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MlflowResponseError(url, '', 'the trace data is not JSON');
  }
}

/**
 * Nanosecond times exceed 2^53, past what a JSON number keeps exactly. The text is parsed as it
 * is, then each span's and event's time gets its exact digits back from where the text has them
 * (found without copying 4 MB of text, as quoting them first would). False, with some times
 * maybe replaced, when the times the text holds and the spans' times do not pair up one to one
 * (a time nested elsewhere, a repeated key, a number written otherwise): the caller then parses
 * the text again with every time quoted. A text made to pair up wrongly can move a time by no
 * more than a double's rounding, as each pair must be the same number.
 */
function putBackExactNanos(spans: unknown[], text: string): boolean {
  const runs = nanosRuns(text);
  let next = 0;
  const putBack = (holder: Record<string, unknown>, key: string): boolean => {
    const value = holder[key];
    // Digits are found only in runs of 16 or more: smaller times are exact as numbers.
    if (typeof value !== 'number' || value < 1e15) return true;
    const run = runs[next++];
    const digits = run && text.slice(run.start, run.end);
    if (!digits || Number(digits) !== value) return false;
    holder[key] = digits;
    return true;
  };
  for (const span of spans) {
    if (!isObject(span)) continue;
    // In the text's order: a parsed object keeps its keys' order (none of these is an index).
    for (const key in span) {
      if (key === 'start_time_unix_nano' || key === 'end_time_unix_nano') {
        if (!putBack(span, key)) return false;
      } else if (key === 'events' && Array.isArray(span.events)) {
        for (const event of span.events as unknown[])
          if (isObject(event) && !putBack(event, 'time_unix_nano')) return false;
      }
    }
  }
  return next === runs.length;
}

/** The text with every nanosecond time of 16 digits or more quoted, so that none is rounded. */
export function quoteNanos(text: string): string {
  const runs = nanosRuns(text);
  if (runs.length === 0) return text;
  const parts: string[] = [];
  let copied = 0;
  for (const { start, end } of runs) {
    parts.push(text.slice(copied, start), '"', text.slice(start, end), '"');
    copied = end;
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

/**
 * Where the digits of each `"start_time_unix_nano"` (or end_time, time) of 16 or more digits are,
 * in the text's order. Found by `indexOf` rather than a regular expression: under 1 ms on the
 * bench's 4 MB trace, whose payload has no such key.
 */
function nanosRuns(text: string): { start: number; end: number }[] {
  const runs: { start: number; end: number }[] = [];
  let at = text.indexOf(NANOS_KEY_END);
  while (at !== -1) {
    const next = at + NANOS_KEY_END.length;
    const digits = nanosDigitsAt(text, at, next);
    if (digits) runs.push(digits);
    at = text.indexOf(NANOS_KEY_END, next);
  }
  return runs;
}

const NANOS_KEY_END = '_unix_nano"';
const NANOS_KEYS = ['"start_time', '"end_time', '"time'];

/** Where the number after `"start_time_unix_nano"` (or end_time, time) is, when it has 16+ digits. */
function nanosDigitsAt(
  text: string,
  keyEnd: number,
  afterKey: number,
): { start: number; end: number } | undefined {
  if (!NANOS_KEYS.some((key) => text.startsWith(key, keyEnd - key.length))) return undefined;
  let i = skipSpaces(text, afterKey);
  if (text[i] !== ':') return undefined;
  const start = skipSpaces(text, i + 1);
  i = start;
  while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) i += 1;
  return i - start >= 16 ? { start, end: i } : undefined;
}

/** Past JSON's whitespace (space, tab, line feed, carriage return). */
function skipSpaces(text: string, from: number): number {
  let i = from;
  for (let c = text.charCodeAt(i); c === 32 || c === 9 || c === 10 || c === 13;)
    c = text.charCodeAt(++i);
  return i;
}
