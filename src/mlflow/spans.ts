/**
 * A trace's spans as the server's `get-trace-artifact` route serves them (OTel-like JSON with
 * base64 ids, nanosecond integers and JSON-encoded attribute values), made into `Span`s.
 */
import { deeperThan, limitDepth, MAX_WIRE_DEPTH } from './json-depth';
import { MlflowResponseError } from './errors';
import { asTraceId, madeUpId } from './ids';
import { parseRecord, parseWire, traceDataResponse, wireSpan, type WireSpan } from './schemas';
import type { JsonValue, Span } from './types';

/** Nanosecond fields exceed 2^53; quote their digits before JSON.parse so none are lost. */
const NANOS_FIELD = /("(?:start_time|end_time|time)_unix_nano"\s*:\s*)(\d{16,})/g;

export function parseTraceData(text: string, url: string): Span[] {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(NANOS_FIELD, '$1"$2"'));
  } catch {
    throw new MlflowResponseError(url, '', 'the trace data is not JSON');
  }
  // Only the list itself is checked here; each span on its own below, its depth included.
  const raw = parseWire(traceDataResponse, data, url).spans;
  const spans: (Span | { index: number; problem: string })[] = raw.map((item, index) => {
    if (deeperThan(item, MAX_WIRE_DEPTH))
      return { index, problem: `nested more than ${MAX_WIRE_DEPTH} levels deep` };
    const parsed = parseRecord(wireSpan, item);
    return parsed.ok ? toSpan(parsed.value) : { index, problem: parsed.problem };
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
    if (seen.has(span.spanId)) return { ...span, problem: 'span_id: the same as an earlier span' };
    seen.add(span.spanId);
    return span;
  });
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

function toSpan(wire: WireSpan): Span {
  const raw = wire.attributes ?? {};
  const attributes = decodedWhenRead(raw);
  // The two read for every span row: small, decoded now.
  const spanType = decodeAttribute(raw['mlflow.spanType'] ?? null);
  const requestId = decodeAttribute(raw['mlflow.traceRequestId'] ?? null);
  const span: Span = {
    traceId: asTraceId(typeof requestId === 'string' ? requestId : spanIdToHex(wire.trace_id)),
    spanId: spanIdToHex(wire.span_id),
    parentSpanId: wire.parent_span_id ? spanIdToHex(wire.parent_span_id) : null,
    name: wire.name,
    startTimeUnixNano: BigInt(wire.start_time_unix_nano),
    endTimeUnixNano: wire.end_time_unix_nano == null ? null : BigInt(wire.end_time_unix_nano),
    status: { code: wire.status?.code ?? 'STATUS_CODE_UNSET', message: wire.status?.message ?? '' },
    attributes,
    events: (wire.events ?? []).map((event) => ({
      name: event.name,
      timeUnixNano: BigInt(event.time_unix_nano),
      attributes: decodedWhenRead(event.attributes ?? {}),
    })),
  };
  if (typeof spanType === 'string') span.spanType = spanType;
  // The same values as the attributes (one decoding for both), read as lazily.
  if ('mlflow.spanInputs' in raw) whenRead(span, 'inputs', () => attributes['mlflow.spanInputs']);
  if ('mlflow.spanOutputs' in raw)
    whenRead(span, 'outputs', () => attributes['mlflow.spanOutputs']);
  return span;
}

/**
 * Attribute values, each decoded from its JSON text when first read. A span's inputs and outputs
 * are most of a trace's megabytes and most spans are never opened, so decoding them all up front
 * was a fifth of reading a large trace. Nothing is left unchecked: decoding cannot fail (text
 * that is not JSON stays text) and the schema has checked every value already.
 */
function decodedWhenRead(raw: Record<string, JsonValue>): Record<string, JsonValue> {
  const decoded: Record<string, JsonValue> = {};
  for (const key of Object.keys(raw)) whenRead(decoded, key, () => decodeAttribute(raw[key]));
  return decoded;
}

/** Defines `key` as an own property whose value `make` gives when first read, then kept. */
function whenRead(target: object, key: string, make: () => JsonValue | undefined) {
  const keep = (value: JsonValue | undefined) =>
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  Object.defineProperty(target, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = make();
      keep(value);
      return value;
    },
    set: keep,
  });
}

/** MLflow stores each attribute value as JSON text; a value that is not JSON stays as it is. */
function decodeAttribute(value: JsonValue | undefined): JsonValue {
  if (value === undefined) return null;
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
