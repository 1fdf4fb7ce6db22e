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
  const attributes: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(wire.attributes ?? {}))
    attributes[key] = decodeAttribute(value);
  const spanType = attributes['mlflow.spanType'];
  const requestId = attributes['mlflow.traceRequestId'];
  return {
    traceId: asTraceId(typeof requestId === 'string' ? requestId : spanIdToHex(wire.trace_id)),
    spanId: spanIdToHex(wire.span_id),
    parentSpanId: wire.parent_span_id ? spanIdToHex(wire.parent_span_id) : null,
    name: wire.name,
    startTimeUnixNano: BigInt(wire.start_time_unix_nano),
    endTimeUnixNano: wire.end_time_unix_nano == null ? null : BigInt(wire.end_time_unix_nano),
    status: { code: wire.status?.code ?? 'STATUS_CODE_UNSET', message: wire.status?.message ?? '' },
    ...(typeof spanType === 'string' ? { spanType } : {}),
    ...('mlflow.spanInputs' in attributes ? { inputs: attributes['mlflow.spanInputs'] } : {}),
    ...('mlflow.spanOutputs' in attributes ? { outputs: attributes['mlflow.spanOutputs'] } : {}),
    attributes,
    events: (wire.events ?? []).map((event) => ({
      name: event.name,
      timeUnixNano: BigInt(event.time_unix_nano),
      attributes: Object.fromEntries(
        Object.entries(event.attributes ?? {}).map(([k, v]) => [k, decodeAttribute(v)]),
      ),
    })),
  };
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
