/**
 * What MLflow records about an LLM call and a trace's use of LLMs: the model, token counts and
 * cost of a span, a trace's totals, its session and user. The keys are MLflow's own (3.x,
 * `mlflow/tracing/constant.py`: `SpanAttributeKey`, `TraceMetadataKey`, `TokenUsageKey`,
 * `CostKey`). Pure (no `vscode`, no DOM): the tree, the panel's host and its webview share it.
 * Everything here comes from a trace: a value of another shape than MLflow writes shows nothing
 * rather than something wrong.
 */
import type { JsonValue } from '../mlflow/types';
import type { TokenCounts } from './format';

/** Span attributes MLflow sets (decoded from the JSON text it stores them as). */
export const SPAN_ATTRIBUTES = {
  inputs: 'mlflow.spanInputs',
  outputs: 'mlflow.spanOutputs',
  traceRequestId: 'mlflow.traceRequestId',
  experimentId: 'mlflow.experimentId',
  spanType: 'mlflow.spanType',
  functionName: 'mlflow.spanFunctionName',
  startTimeNs: 'mlflow.spanStartTimeNs',
  /** How much the span matters (a Python logging level): for MLflow's own filtering. */
  logLevel: 'mlflow.spanLogLevel',
  /** The model's name: a string. */
  model: 'mlflow.llm.model',
  /** The model's provider ("openai"): a string. */
  provider: 'mlflow.llm.provider',
  /** `{input_tokens, output_tokens, total_tokens, cache_…_tokens?}`: integers. */
  tokenUsage: 'mlflow.chat.tokenUsage',
  /** `{input_cost, output_cost, total_cost}`: US dollars. */
  cost: 'mlflow.llm.cost',
  /** The tools offered to the model (shown in a section of their own). */
  tools: 'mlflow.chat.tools',
  /** MLflow's normalised chat messages (older SDKs; shown as the inputs and outputs are). */
  messages: 'mlflow.chat.messages',
  /** Which framework's message format the span holds: for renderers. */
  messageFormat: 'mlflow.message.format',
} as const;

/** Trace metadata MLflow sets. */
export const TRACE_METADATA = {
  /** `{input_tokens, output_tokens, total_tokens}` as JSON text: the trace's LLM spans summed. */
  tokenUsage: 'mlflow.trace.tokenUsage',
  /** `{input_cost, output_cost, total_cost}` as JSON text, US dollars. */
  cost: 'mlflow.trace.cost',
  /** The application's session (a conversation's turns share it). */
  session: 'mlflow.trace.session',
  /** The application's user (not `mlflow.user`, who ran the code). */
  user: 'mlflow.trace.user',
} as const;

/**
 * Attributes the span's details show elsewhere (inputs, outputs, its type, function, model,
 * tokens and cost, the tools offered), or that are MLflow's plumbing: left out of the
 * Attributes section unless the person asks for all.
 */
export const ATTRIBUTES_SHOWN_ELSEWHERE: ReadonlySet<string> = new Set(
  Object.values(SPAN_ATTRIBUTES),
);

/** Cost as MLflow records it, in US dollars. */
export interface CostBreakdown {
  input?: number;
  output?: number;
  total?: number;
}

/** What a span's row shows of its LLM call; each part only if recorded. */
export interface CallMetrics {
  model?: string;
  tokens?: TokenCounts;
  /** Total cost in US dollars. */
  cost?: number;
}

/** A model name as long as a row can show it (a name is untrusted: it could be a megabyte). */
const MAX_MODEL_LENGTH = 200;

export function callMetrics(attributes: Readonly<Record<string, JsonValue>>): CallMetrics {
  const model = attributes[SPAN_ATTRIBUTES.model];
  const tokens = parseTokenUsage(attributes[SPAN_ATTRIBUTES.tokenUsage]);
  const cost = parseCost(attributes[SPAN_ATTRIBUTES.cost]);
  const total = cost === undefined ? undefined : totalCost(cost);
  return {
    ...(typeof model === 'string' && model.trim() !== ''
      ? { model: model.slice(0, MAX_MODEL_LENGTH) }
      : {}),
    ...(tokens ? { tokens } : {}),
    ...(total === undefined ? {} : { cost: total }),
  };
}

/** The total, or input and output added when only those are recorded. */
export function totalCost(cost: CostBreakdown): number | undefined {
  if (cost.total !== undefined) return cost.total;
  if (cost.input === undefined && cost.output === undefined) return undefined;
  return (cost.input ?? 0) + (cost.output ?? 0);
}

/**
 * Token counts as MLflow stores them, `{"input_tokens": 1, ...}`, as an object or as its JSON
 * text (trace metadata). Whatever else it is (`null`, a list, `1e999` read as Infinity, counts
 * as strings or negative) shows no count.
 */
export function parseTokenUsage(value: JsonValue | undefined): TokenCounts | undefined {
  const fields = objectOf(value);
  if (!fields) return undefined;
  return numbers({
    input: fields.input_tokens,
    output: fields.output_tokens,
    total: fields.total_tokens,
  });
}

/** Cost as MLflow stores it, `{"input_cost": 0.1, ...}`, as an object or its JSON text. */
export function parseCost(value: JsonValue | undefined): CostBreakdown | undefined {
  const fields = objectOf(value);
  if (!fields) return undefined;
  return numbers({
    input: fields.input_cost,
    output: fields.output_cost,
    total: fields.total_cost,
  });
}

/** An object, or the object a JSON text holds; else undefined. */
function objectOf(value: JsonValue | undefined): Record<string, JsonValue> | undefined {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  return parsed as Record<string, JsonValue>;
}

/** The fields that are finite, non-negative numbers; undefined if none is. */
function numbers<K extends string>(
  fields: Record<K, JsonValue | undefined>,
): Partial<Record<K, number>> | undefined {
  const kept = (Object.entries(fields) as [K, JsonValue | undefined][]).filter(
    (entry): entry is [K, number] =>
      typeof entry[1] === 'number' && Number.isFinite(entry[1]) && entry[1] >= 0,
  );
  return kept.length > 0 ? (Object.fromEntries(kept) as Partial<Record<K, number>>) : undefined;
}
