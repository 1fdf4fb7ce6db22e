/**
 * A trace as an evaluation dataset record, built exactly as MLflow 3.18's
 * `EvaluationDataset.merge_records([trace])` builds it (`_process_trace_records`): the root
 * span's inputs and outputs, the trace's valid expectations by name (a later one of the same
 * name wins), the trace as source (with its session, when it has one), and the `mlflow.user`
 * tag MLflow adds from the context.
 */
import type { DatasetRecordInput } from './dataset-types';
import type { JsonValue, Span, TraceInfo } from './types';

/** TraceMetadataKey.TRACE_SESSION. */
const SESSION_KEY = 'mlflow.trace.session';
/** mlflow.utils.mlflow_tags.MLFLOW_USER. */
const USER_TAG = 'mlflow.user';

export type TraceRecord =
  | { ok: true; record: DatasetRecordInput; expectationCount: number }
  | { ok: false; problem: string };

export function traceToRecord(trace: TraceInfo, spans: Span[], user?: string): TraceRecord {
  const root = spans.find((s) => s.parentSpanId === null);
  const inputs: JsonValue = root?.inputs ?? {};
  // The server hashes `inputs` as an object and MLflow's SDK refuses anything else.
  if (typeof inputs !== 'object' || Array.isArray(inputs))
    return {
      ok: false,
      problem: `its root span's inputs are ${Array.isArray(inputs) ? 'a list' : typeof inputs}, not an object of named inputs`,
    };
  const expectations: Record<string, JsonValue> = {};
  for (const a of trace.assessments)
    if (a.kind === 'expectation' && a.valid) expectations[a.name] = a.value;
  const sourceData: Record<string, JsonValue> = { trace_id: trace.traceId };
  const session = trace.metadata[SESSION_KEY];
  if (session) sourceData.session_id = session;
  return {
    ok: true,
    expectationCount: Object.keys(expectations).length,
    record: {
      inputs,
      outputs: root?.outputs ?? null,
      expectations,
      ...(user ? { tags: { [USER_TAG]: user } } : {}),
      source: { sourceType: 'TRACE', sourceData },
    },
  };
}

/** The record without expectations, for a trace the reviewer adds with its inputs only. */
export function inputsOnly(record: DatasetRecordInput): DatasetRecordInput {
  return { ...record, expectations: {} };
}
