/**
 * A trace as the trace panel shows it: the client's domain types made JSON-safe (span times as
 * millisecond offsets, not bigint nanoseconds) with the root span's full inputs and outputs, its
 * spans summarised (no payloads), and one span's details at a time. Pure: no `vscode`.
 */
import {
  MlflowReviewUnsupportedError,
  type Assessment,
  type Span,
  type TraceInfo,
} from '../mlflow';
import type { AssessmentView } from '../shared/protocol/common';
import type { SpanDetails, SpanSummary, TraceToWebview, TraceView } from '../shared/protocol/trace';
import { errorMessage } from '../util/error-message';
import type { PanelContext } from './panel-context';
import { spanDurationMs, traceName } from '../shared/format';
import {
  callMetrics,
  parseCost,
  parseTokenUsage,
  SPAN_ATTRIBUTES,
  TRACE_METADATA,
  totalCost,
} from '../shared/llm-metrics';

export function toTraceView(trace: TraceInfo, spans: Span[] | { error: string }): TraceView {
  const spanList = Array.isArray(spans) ? spans : [];
  const origin = traceOrigin(spanList);
  const root = requestSpan(spanList);
  const tokenUsage = parseTokenUsage(trace.metadata[TRACE_METADATA.tokenUsage]);
  const costs = parseCost(trace.metadata[TRACE_METADATA.cost]);
  const cost = costs && totalCost(costs);
  return {
    traceId: trace.traceId,
    ...(trace.experimentId ? { experimentId: trace.experimentId } : {}),
    name: traceName(trace),
    state: trace.state,
    requestTime: trace.requestTime,
    ...(trace.executionDurationMs !== undefined ? { durationMs: trace.executionDurationMs } : {}),
    ...(tokenUsage ? { tokenUsage } : {}),
    ...(cost === undefined ? {} : { cost }),
    tags: trace.tags,
    metadata: trace.metadata,
    ...(root?.inputs !== undefined
      ? { request: root.inputs }
      : previewField('request', trace.requestPreview)),
    ...(root?.outputs !== undefined
      ? { response: root.outputs }
      : previewField('response', trace.responsePreview)),
    assessments: trace.assessments.map(toAssessmentView),
    spans: spanList.map((s) => toSpanSummary(s, origin ?? s.startTimeUnixNano)),
    ...(Array.isArray(spans) ? {} : { spansError: spans.error }),
    ...(trace.problem ? { problem: trace.problem } : {}),
  };
}

/** The span whose inputs and outputs are the trace's request and response. */
function requestSpan(spans: readonly Span[]): Span | undefined {
  return spans.find((s) => s.parentSpanId === null) ?? spans[0];
}

/** The earliest span start: offsets count from it. One pass (no spread of 32 000 arguments). */
export function traceOrigin(spans: readonly Span[]): bigint | undefined {
  let first: bigint | undefined;
  for (const s of spans)
    if (first === undefined || s.startTimeUnixNano < first) first = s.startTimeUnixNano;
  return first;
}

/**
 * The details of `spans[index]`, as its selection sends them. In the first message (`dedupe`),
 * the root span's inputs and outputs, already sent as the request and response, are not sent
 * again.
 */
export function toSpanDetails(
  spans: readonly Span[],
  index: number,
  origin: bigint | undefined = traceOrigin(spans),
  dedupe = false,
): SpanDetails | undefined {
  const span = spans[index];
  if (!span) return undefined;
  const ms = (nanos: bigint) => Number(nanos - (origin ?? span.startTimeUnixNano)) / 1e6;
  const isRequest = dedupe && span === requestSpan(spans);
  return {
    index,
    spanId: span.spanId,
    status: span.status,
    ...(span.inputs === undefined
      ? {}
      : isRequest
        ? { inputsAreRequest: true }
        : { inputs: span.inputs }),
    ...(span.outputs === undefined
      ? {}
      : isRequest
        ? { outputsAreResponse: true }
        : { outputs: span.outputs }),
    attributes: withoutInputsAndOutputs(span.attributes),
    events: span.events.map((e) => ({
      name: e.name,
      offsetMs: ms(e.timeUnixNano),
      attributes: e.attributes,
    })),
  };
}

/**
 * A span's attributes without its inputs and outputs: they are sent once, as `inputs` and
 * `outputs` (MLflow's reader takes them from these very attributes), not twice. Spans read from
 * the server already keep them apart (spans.ts); a span built another way may not.
 */
function withoutInputsAndOutputs(attributes: Span['attributes']): Span['attributes'] {
  if (!(SPAN_ATTRIBUTES.inputs in attributes) && !(SPAN_ATTRIBUTES.outputs in attributes))
    return attributes;
  return Object.fromEntries(
    Object.entries(attributes).filter(
      ([key]) => key !== SPAN_ATTRIBUTES.inputs && key !== SPAN_ATTRIBUTES.outputs,
    ),
  );
}

/** An assessment as the webviews show it (the trace panel's cards, the form's original). */
export function toAssessmentView(a: Assessment): AssessmentView {
  return {
    assessmentId: a.assessmentId,
    kind: a.kind,
    name: a.name,
    value: a.value,
    ...(a.kind === 'feedback' && a.error ? { error: a.error } : {}),
    ...(a.kind === 'feedback' && a.rationale !== undefined ? { rationale: a.rationale } : {}),
    source: a.source,
    ...(a.spanId ? { spanId: a.spanId } : {}),
    createTime: a.createTime,
    lastUpdateTime: a.lastUpdateTime,
    metadata: a.metadata,
    valid: a.valid,
    ...(a.kind === 'feedback' && a.overrides ? { overrides: a.overrides } : {}),
    ...(a.problem ? { problem: a.problem } : {}),
  };
}

/** What the span list and the timeline need of a span: no payloads; its model, tokens and cost. */
export function toSpanSummary(span: Span, origin: bigint): SpanSummary {
  const { model, tokens, cost } = callMetrics(span.attributes);
  return {
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    name: span.name,
    ...(span.spanType ? { spanType: span.spanType } : {}),
    startOffsetMs: Number(span.startTimeUnixNano - origin) / 1e6,
    durationMs: spanDurationMs(span) ?? null,
    statusCode: span.status.code,
    ...(model === undefined ? {} : { model }),
    ...(tokens === undefined ? {} : { tokens }),
    ...(cost === undefined ? {} : { cost }),
    ...(span.problem ? { problem: span.problem } : {}),
  };
}

/** Without spans, the server's (cut) preview is what there is. */
function previewField(
  key: 'request' | 'response',
  preview: string | undefined,
): Record<string, string> {
  return preview === undefined ? {} : { [key]: preview };
}

/**
 * The review queues holding the trace, as the trace view's "queues" message; what went wrong is
 * said in their section instead (a server older than MLflow 3.14, a refusal).
 */
export async function queuesMessage(
  ctx: Pick<PanelContext, 'queuesOfTrace'>,
  trace: TraceInfo,
): Promise<Extract<TraceToWebview, { type: 'queues' }>> {
  try {
    const queues = await ctx.queuesOfTrace(trace);
    return { type: 'queues', traceId: trace.traceId, queues };
  } catch (error) {
    return {
      type: 'queues',
      traceId: trace.traceId,
      queues: [],
      message:
        error instanceof MlflowReviewUnsupportedError
          ? 'This server has no review queues (they came with MLflow 3.14).'
          : `The review queues could not be read: ${errorMessage(error)}`,
    };
  }
}
