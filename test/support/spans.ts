/** Spans with nothing but what the span-tree tests need: ids, parents, start times. */
import { asTraceId, type TraceId } from '../../src/mlflow/ids';
import type { Span } from '../../src/mlflow/types';

/** A span of `traceId` with no payload, an OK status and no end. */
export function bareSpan(
  spanId: string,
  parentSpanId: string | null,
  start: number,
  traceId: TraceId = asTraceId('tr-1'),
): Span {
  return {
    traceId,
    spanId,
    parentSpanId,
    name: spanId,
    startTimeUnixNano: BigInt(start),
    endTimeUnixNano: null,
    status: { code: 'STATUS_CODE_OK', message: '' },
    attributes: {},
    events: [],
  };
}
