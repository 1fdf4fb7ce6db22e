/**
 * One message, in any format's shape, read into the common model: OpenAI chat messages,
 * Responses API items (function_call, function_call_output, reasoning), LangChain's serialized
 * messages (`type: human/ai/system/tool`, or the `lc` constructor form), LangGraph's
 * `["user", "text"]` tuples, Anthropic and Bedrock messages (tool calls and results inside the
 * content), Gemini contents (`parts`) and LlamaIndex messages (`blocks`).
 */
import type { JsonValue } from '../../mlflow/types';
import {
  isRecord,
  parseArguments,
  str,
  without,
  type ChatMessage,
  type JsonRecord,
  type ToolCall,
} from './model';
import { readContent, readParts } from './parts';

/** LangChain's message types (and class names) → roles. */
const LANGCHAIN_ROLES: Record<string, string> = {
  human: 'user',
  user: 'user',
  ai: 'assistant',
  assistant: 'assistant',
  system: 'system',
  developer: 'developer',
  tool: 'tool',
  function: 'function',
  HumanMessage: 'user',
  AIMessage: 'assistant',
  SystemMessage: 'system',
  ToolMessage: 'tool',
  FunctionMessage: 'function',
};

/** Where a message was read from: tells the conversation's format. */
export interface Reading {
  format?: string;
}

function note(reading: Reading, format: string | undefined): void {
  if (format !== undefined) reading.format ??= format;
}

/**
 * A message as one or more messages (tool results inside a user message become messages of
 * their own), or undefined when `value` is not a message of any known shape.
 */
export function readMessage(
  value: JsonValue,
  reading: Reading = {},
  defaultRole?: string,
): ChatMessage[] | undefined {
  // LangGraph accepts ("user", "text") tuples; they are recorded as two-item lists.
  if (Array.isArray(value)) {
    const [role, content] = value;
    if (value.length === 2 && typeof role === 'string' && typeof content === 'string') {
      const mapped = LANGCHAIN_ROLES[role];
      if (!mapped) return undefined;
      note(reading, 'langchain');
      return [{ role: mapped, parts: [{ kind: 'text', text: content }], toolCalls: [] }];
    }
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  // LangChain's dumpd form: {lc: 1, type: "constructor", id: [..., "AIMessage"], kwargs: {...}}.
  if (value.lc !== undefined && value.type === 'constructor' && isRecord(value.kwargs)) {
    const cls = Array.isArray(value.id) ? str(value.id[value.id.length - 1]) : undefined;
    const role =
      (cls && LANGCHAIN_ROLES[cls.replace(/Chunk$/, '')]) ?? str(value.kwargs.role) ?? undefined;
    if (!role) return undefined;
    note(reading, 'langchain');
    return fromFields(value.kwargs, role, reading, ['type', 'role']);
  }
  const type = str(value.type);
  switch (type) {
    case 'function_call':
      return responsesCall(value, reading);
    case 'function_call_output':
      return responsesOutput(value, reading);
    case 'reasoning':
      return responsesReasoning(value, reading);
  }
  const role = str(value.role);
  if (role !== undefined) {
    if (type === 'message') note(reading, 'openai-responses');
    if (value.blocks !== undefined) note(reading, 'llamaindex');
    if (Array.isArray(value.parts) && value.content === undefined) note(reading, 'gemini');
    return fromFields(value, role === 'model' ? 'assistant' : role, reading, ['role', 'type']);
  }
  if (type !== undefined) {
    const mapped = type === 'chat' ? str(value.role) : LANGCHAIN_ROLES[type];
    if (mapped && (value.content !== undefined || Array.isArray(value.tool_calls))) {
      note(reading, 'langchain');
      return fromFields(value, mapped, reading, ['type']);
    }
    // Other Responses API output items (web_search_call, …): kept whole, in the conversation.
    if (value.id !== undefined || value.status !== undefined) {
      note(reading, 'openai-responses');
      return [{ role: 'assistant', parts: [{ kind: 'json', label: type, value }], toolCalls: [] }];
    }
    return undefined;
  }
  if (defaultRole !== undefined && Array.isArray(value.parts))
    return fromFields(value, defaultRole, reading, []);
  return undefined;
}

/** A message's own fields: content (or parts or blocks), tool calls, tool result fields. */
function fromFields(
  m: JsonRecord,
  role: string,
  reading: Reading,
  alsoUsed: readonly string[],
): ChatMessage[] {
  const contentKey =
    m.content !== undefined ? 'content' : m.parts !== undefined ? 'parts' : 'blocks';
  const read = readContent(m[contentKey]);
  note(reading, read.format);
  const used = [...alsoUsed, 'content', 'parts', 'blocks', 'tool_calls', 'function_call'];

  const calls: ToolCall[] = [];
  const own = Array.isArray(m.tool_calls) ? m.tool_calls : undefined;
  const kwargs = isRecord(m.additional_kwargs) ? m.additional_kwargs : undefined;
  const fromKwargs = !own?.length && Array.isArray(kwargs?.tool_calls) ? kwargs.tool_calls : [];
  for (const call of [...(own ?? []), ...fromKwargs]) {
    const parsed = readToolCall(call);
    if (parsed) calls.push(parsed);
  }
  if (isRecord(m.function_call)) {
    const parsed = readToolCall(m.function_call);
    if (parsed) calls.push(parsed);
  }
  // A call made twice (LangChain's tool_calls beside Anthropic's tool_use blocks) shows once.
  for (const call of read.toolCalls)
    if (call.id === undefined || !calls.some((c) => c.id === call.id)) calls.push(call);

  const message: ChatMessage = { role, parts: read.parts, toolCalls: calls };
  if (read.reasoning.length > 0) message.reasoning = read.reasoning.join('\n\n');
  const reasoning = str(m.reasoning_content) ?? str(m.reasoning);
  if (reasoning) {
    message.reasoning = message.reasoning ? `${message.reasoning}\n\n${reasoning}` : reasoning;
    used.push('reasoning_content', 'reasoning');
  }
  const name = str(m.name);
  const toolCallId = str(m.tool_call_id);
  if (role === 'tool' || role === 'function' || toolCallId !== undefined) {
    if (toolCallId !== undefined) message.toolCallId = toolCallId;
    if (name !== undefined) message.toolName = name;
  } else if (name !== undefined) message.name = name;
  used.push('name', 'tool_call_id');

  // additional_kwargs: what is left of it once its tool calls are read.
  const extra = without(m, used);
  if (extra && kwargs && fromKwargs.length > 0) {
    const rest = without(kwargs, ['tool_calls']);
    if (rest) extra.additional_kwargs = rest;
    else delete extra.additional_kwargs;
  }
  if (extra) message.extra = extra;

  // Tool results carried in the content (Anthropic, Bedrock, Gemini) become messages of their own.
  const out: ChatMessage[] = read.results.map((result) => ({
    role: 'tool',
    parts: result.parts,
    toolCalls: [],
    ...(result.id !== undefined ? { toolCallId: result.id } : {}),
    ...(result.name !== undefined ? { toolName: result.name } : {}),
    ...(result.extra ? { extra: result.extra } : {}),
  }));
  const hasBody =
    message.parts.length > 0 ||
    message.toolCalls.length > 0 ||
    message.reasoning !== undefined ||
    out.length === 0;
  if (hasBody) {
    // Its other fields stay with the results when nothing else of the message is left.
    out.push(message);
  } else if (message.extra && out[0]) out[0].extra = { ...message.extra, ...out[0].extra };
  return out;
}

/** OpenAI ({id, function: {name, arguments}}), LangChain ({name, args, id}) or legacy calls. */
export function readToolCall(call: JsonValue): ToolCall | undefined {
  if (!isRecord(call)) return undefined;
  const fn = isRecord(call.function) ? call.function : call;
  const name = str(fn.name);
  if (name === undefined) return undefined;
  const id = str(call.id) ?? str(call.call_id);
  const args = fn.arguments ?? fn.args ?? fn.input;
  return {
    ...(id !== undefined ? { id } : {}),
    name,
    ...(args !== undefined ? { arguments: parseArguments(args) } : {}),
  };
}

function responsesCall(item: JsonRecord, reading: Reading): ChatMessage[] | undefined {
  const call = readToolCall({ ...item, id: item.call_id ?? item.id ?? null });
  if (!call) return undefined;
  note(reading, 'openai-responses');
  const extra = without(item, ['type', 'call_id', 'name', 'arguments']);
  return [{ role: 'assistant', parts: [], toolCalls: [call], ...(extra ? { extra } : {}) }];
}

function responsesOutput(item: JsonRecord, reading: Reading): ChatMessage[] {
  note(reading, 'openai-responses');
  const id = str(item.call_id);
  const extra = without(item, ['type', 'call_id', 'output']);
  return [
    {
      role: 'tool',
      parts: readParts(item.output),
      toolCalls: [],
      ...(id !== undefined ? { toolCallId: id } : {}),
      ...(extra ? { extra } : {}),
    },
  ];
}

function responsesReasoning(item: JsonRecord, reading: Reading): ChatMessage[] {
  note(reading, 'openai-responses');
  const texts: string[] = [];
  for (const list of [item.summary, item.content])
    if (Array.isArray(list))
      for (const part of list)
        if (isRecord(part) && typeof part.text === 'string') texts.push(part.text);
  const extra = without(item, ['type', 'summary', 'content']);
  return [
    {
      role: 'assistant',
      parts: [],
      toolCalls: [],
      reasoning: texts.join('\n\n') || '(no summary recorded)',
      ...(extra ? { extra } : {}),
    },
  ];
}

/** Every item a message, or undefined. */
export function readMessageList(
  items: readonly JsonValue[],
  reading: Reading,
  defaultRole?: string,
): ChatMessage[] | undefined {
  if (items.length === 0) return undefined;
  const out: ChatMessage[] = [];
  for (const item of items) {
    const messages = readMessage(item, reading, defaultRole);
    if (!messages) return undefined;
    out.push(...messages);
  }
  return out;
}
