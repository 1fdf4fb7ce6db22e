/**
 * The common model every chat format is read into (index.ts), and the small helpers the
 * format readers share. Pure: no DOM, no `vscode`. Readers never copy big values: they take
 * references to the recorded JSON and make shallow objects around them.
 */
import type { JsonValue } from '../../mlflow/types';

export type JsonRecord = { [key: string]: JsonValue };

/** A piece of a message's content. */
export type ContentPart =
  | { kind: 'text'; text: string }
  | { kind: 'image'; url: string }
  /** Anything else (audio, files, unknown blocks), kept as recorded. */
  | { kind: 'json'; label: string; value: JsonValue };

export interface ToolCall {
  /** Exactly as recorded; absent when the format has none (Gemini names the function only). */
  id?: string;
  name: string;
  /** Parsed from a JSON string when it parses; otherwise as recorded. */
  arguments?: JsonValue;
}

export interface ChatMessage {
  /** user, assistant, system, tool, developer, function, … as the format names it. */
  role: string;
  /** The speaker's name when the format records one (not a tool result's). */
  name?: string;
  parts: ContentPart[];
  toolCalls: ToolCall[];
  /** A tool result's call id, exactly as recorded. */
  toolCallId?: string;
  /** A tool result's tool: its own `name`, or the name of the call it answers. */
  toolName?: string;
  /** Reasoning ("thinking") text the model recorded beside its answer. */
  reasoning?: string;
  /** The message's other fields (ids, metadata, usage) that are not shown above. */
  extra?: JsonRecord;
}

export interface ToolSpec {
  name: string;
  description?: string;
  parameters?: JsonValue;
}

export interface Conversation {
  /** Which reader recognised it: openai-chat, openai-responses, langchain, anthropic, … */
  format: string;
  messages: ChatMessage[];
  /** The tools offered to the model in this value. */
  tools: ToolSpec[];
  /** Every other field of the call (model, temperature, usage, finish reason…), as recorded. */
  rest?: JsonRecord;
}

export interface RetrievedDocument {
  content?: JsonValue;
  source?: string;
  score?: number;
  id?: string;
  /** The document's other metadata. */
  metadata?: JsonRecord;
}

export function isRecord(value: JsonValue | undefined): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Arguments of a tool call: JSON text parsed when it parses (and is not huge). */
export function parseArguments(value: JsonValue | undefined): JsonValue | undefined {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.length > 1_000_000 || !(text.startsWith('{') || text.startsWith('['))) return value;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return value;
  }
}

/** A shallow copy of `record` without `keys` and without empty values; undefined if empty. */
export function without(record: JsonRecord, keys: readonly string[]): JsonRecord | undefined {
  let out: JsonRecord | undefined;
  for (const key of Object.keys(record)) {
    if (keys.includes(key)) continue;
    const value = record[key];
    if (value === undefined || isEmpty(value)) continue;
    (out ??= {})[key] = value;
  }
  return out;
}

/** null, "", [] and {}: nothing to show. */
export function isEmpty(value: JsonValue): boolean {
  if (value === null || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    for (const key in value) if (Object.hasOwn(value, key)) return false;
    return true;
  }
  return false;
}

/** Merges `more` into `rest` (either may be undefined). */
export function mergeRest(
  rest: JsonRecord | undefined,
  more: JsonRecord | undefined,
): JsonRecord | undefined {
  if (!more) return rest;
  return rest ? { ...rest, ...more } : more;
}
