/**
 * Any value MLflow's autologging records as a span's inputs or outputs (or a trace's request
 * and response), read as a conversation: messages with their roles, content, tool calls and
 * tool results (each result with its call id exactly as recorded and its tool's name), the
 * tools offered to the model, and every other field of the call. Unknown or partial shapes give
 * undefined (the caller shows JSON); nothing here throws. Pure: no DOM, no `vscode`.
 *
 * The roots read, in order: a list of messages (any format, and LangChain's list of lists);
 * `{messages}` (OpenAI, Anthropic with `system`, Bedrock, LlamaIndex, DSPy, LangGraph state);
 * `{choices}` (OpenAI chat completions); `{input}` / `{output}` (OpenAI Responses);
 * `{output: {message}}` (Bedrock converse); `{contents}` / `{candidates}` (Gemini);
 * `{generations}` (LangChain's LLMResult); `{message}` (LlamaIndex's ChatResponse); a single
 * message (Anthropic's response, LangChain's AIMessage as an output parser's input); and a DSPy
 * LM's list of completions.
 */
import type { JsonValue } from '../../mlflow/types';
import { readMessage, readMessageList, type Reading } from './messages';
import {
  isRecord,
  mergeRest,
  str,
  without,
  type ChatMessage,
  type Conversation,
  type JsonRecord,
  type ToolSpec,
} from './model';
import { readContent } from './parts';
import { readTools } from './tools';

export type {
  ChatMessage,
  ContentPart,
  Conversation,
  RetrievedDocument,
  ToolCall,
  ToolSpec,
} from './model';
export { readDocuments } from './documents';
export { readTools } from './tools';

export function readConversation(value: JsonValue | undefined): Conversation | undefined {
  if (value === undefined || value === null || typeof value !== 'object') return undefined;
  try {
    const conversation = readRoot(value);
    if (!conversation || conversation.messages.length === 0) return undefined;
    nameToolResults(conversation.messages);
    return conversation;
  } catch {
    return undefined;
  }
}

function readRoot(value: JsonValue[] | JsonRecord): Conversation | undefined {
  const reading: Reading = {};
  const done = (
    messages: ChatMessage[] | undefined,
    fallback: string,
    tools: ToolSpec[] = [],
    rest?: JsonRecord,
  ): Conversation | undefined =>
    messages && {
      format: reading.format ?? fallback,
      messages,
      tools,
      ...(rest ? { rest } : {}),
    };

  if (Array.isArray(value)) return done(readList(value, reading), 'openai-chat');

  // {messages: [...]}: a chat request, LangGraph's state, a prompt template's output.
  if (Array.isArray(value.messages)) {
    const list = value.messages;
    const nested = list.length === 1 && Array.isArray(list[0]) && !isTuple(list[0]);
    const messages = readMessageList(nested ? (list[0] as JsonValue[]) : list, reading);
    if (!messages) return undefined;
    const system = systemMessage(value.system, reading);
    const tools =
      readTools(value.tools) ?? readTools(value.functions) ?? readTools(value.toolConfig);
    const used = ['messages', 'system', tools ? 'tools' : '', tools ? 'functions' : ''];
    if (tools && isRecord(value.toolConfig)) used.push('toolConfig');
    return done(
      system ? [system, ...messages] : messages,
      'openai-chat',
      tools ?? [],
      without(value, used),
    );
  }

  // OpenAI chat completions: {choices: [{message, finish_reason, index}], usage, model}.
  if (Array.isArray(value.choices) && value.choices.length > 0) {
    const messages: ChatMessage[] = [];
    const choices: JsonValue[] = [];
    for (const choice of value.choices) {
      if (!isRecord(choice)) return undefined;
      const message = choice.message ?? choice.delta;
      const read =
        message !== undefined
          ? readMessage(message, reading)
          : typeof choice.text === 'string'
            ? [
                {
                  role: 'assistant',
                  parts: [{ kind: 'text' as const, text: choice.text }],
                  toolCalls: [],
                },
              ]
            : undefined;
      if (!read) return undefined;
      messages.push(...read);
      const other = without(choice, ['message', 'delta', 'text']);
      if (other) choices.push(other);
    }
    const rest = without(value, ['choices']);
    return done(
      messages,
      'openai-chat',
      [],
      choices.length > 0 ? mergeRest(rest, { choices }) : rest,
    );
  }

  // OpenAI Responses: a request {input, instructions, tools}, a response {output: [items]}.
  if (Array.isArray(value.output) && value.output.length > 0) {
    reading.format = 'openai-responses';
    const messages = readMessageList(value.output, reading);
    const tools = readTools(value.tools);
    return done(
      messages,
      'openai-responses',
      tools ?? [],
      without(value, ['output', tools ? 'tools' : '']),
    );
  }
  if (value.input !== undefined && (Array.isArray(value.input) || value.model !== undefined)) {
    const input = value.input;
    const messages =
      typeof input === 'string'
        ? [{ role: 'user', parts: [{ kind: 'text' as const, text: input }], toolCalls: [] }]
        : Array.isArray(input)
          ? readMessageList(input, reading)
          : undefined;
    if (!messages) return undefined;
    reading.format ??= 'openai-responses';
    const system = systemMessage(value.instructions, reading);
    const tools = readTools(value.tools);
    return done(
      system ? [system, ...messages] : messages,
      'openai-responses',
      tools ?? [],
      without(value, ['input', 'instructions', tools ? 'tools' : '']),
    );
  }

  // Bedrock converse: {output: {message}, usage, stopReason, metrics}.
  if (isRecord(value.output) && isRecord(value.output.message)) {
    reading.format = 'bedrock';
    const messages = readMessage(value.output.message, reading);
    const rest = mergeRest(without(value, ['output']), without(value.output, ['message']));
    return done(messages, 'bedrock', [], rest);
  }

  // Gemini: a request {model, contents, config} or a response {candidates, usage_metadata}.
  if (value.contents !== undefined) return gemini(value, reading, done);
  if (Array.isArray(value.candidates) && value.candidates.length > 0) {
    reading.format = 'gemini';
    const messages: ChatMessage[] = [];
    const candidates: JsonValue[] = [];
    for (const candidate of value.candidates) {
      if (!isRecord(candidate)) return undefined;
      const read = readMessage(candidate.content ?? null, reading, 'assistant');
      if (!read) return undefined;
      messages.push(...read);
      const other = without(candidate, ['content']);
      if (other) candidates.push(other);
    }
    const rest = without(value, ['candidates']);
    return done(
      messages,
      'gemini',
      [],
      candidates.length > 0 ? mergeRest(rest, { candidates }) : rest,
    );
  }

  // LangChain's LLMResult: {generations: [[{text, message, generation_info}]], llm_output}.
  if (Array.isArray(value.generations))
    return done(
      readGenerations(value.generations, reading),
      'langchain',
      [],
      without(value, ['generations']),
    );

  // LlamaIndex's ChatResponse {message, raw, …} (and ADK's {content: {role, parts}}).
  if (isRecord(value.message) && !str(value.role)) {
    const messages = readMessage(value.message, reading);
    return done(messages, 'llamaindex', [], without(value, ['message']));
  }
  if (isRecord(value.content) && Array.isArray(value.content.parts)) {
    reading.format = 'gemini';
    const messages = readMessage(value.content, reading, 'assistant');
    return done(messages, 'gemini', [], without(value, ['content']));
  }

  // One message: Anthropic's response, an AIMessage, a tool's ToolMessage. Its other fields
  // (model, stop_reason, usage, ids) are the call's.
  const single = readMessage(value, reading);
  if (single && single.length > 0) {
    const rest = single.length === 1 ? single[0]?.extra : undefined;
    if (rest && single[0]) delete single[0].extra;
    if (value.type === 'message' && Array.isArray(value.content) && rest) delete rest.type;
    return done(single, value.type === 'message' ? 'anthropic' : 'openai-chat', [], rest);
  }
  return undefined;
}

/** A list: messages, LangChain's [[messages]] or [[generations]], or a DSPy LM's completions. */
function readList(value: JsonValue[], reading: Reading): ChatMessage[] | undefined {
  const [first] = value;
  if (value.length === 1 && Array.isArray(first) && !isTuple(first)) {
    note(reading, 'langchain');
    return readMessageList(first, reading) ?? readGenerations(value, reading);
  }
  if (value.length > 0 && value.every((v) => typeof v === 'string')) {
    // DSPy's LM spans record their completions as a list of strings with [[ ## field ## ]] marks.
    if (!value.some((v) => typeof v === 'string' && v.includes('[[ ## '))) return undefined;
    note(reading, 'dspy');
    return value.map((text) => ({
      role: 'assistant',
      parts: [{ kind: 'text', text }],
      toolCalls: [],
    }));
  }
  return readMessageList(value, reading);
}

function note(reading: Reading, format: string): void {
  reading.format ??= format;
}

function isTuple(value: JsonValue): boolean {
  return Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string');
}

function readGenerations(generations: JsonValue[], reading: Reading): ChatMessage[] | undefined {
  const [batch] = generations;
  if (!Array.isArray(batch) || batch.length === 0) return undefined;
  reading.format ??= 'langchain';
  const out: ChatMessage[] = [];
  for (const generation of batch) {
    if (!isRecord(generation)) return undefined;
    const read =
      generation.message !== undefined
        ? readMessage(generation.message, reading)
        : typeof generation.text === 'string'
          ? [
              {
                role: 'assistant',
                parts: [{ kind: 'text' as const, text: generation.text }],
                toolCalls: [],
              },
            ]
          : undefined;
    if (!read) return undefined;
    const other = without(generation, ['message', 'text']);
    const last = read[read.length - 1];
    if (other && last) last.extra = { ...last.extra, ...other };
    out.push(...read);
  }
  return out;
}

/** Anthropic's `system` (text or blocks), Bedrock's ([{text}]), Responses' `instructions`. */
function systemMessage(value: JsonValue | undefined, reading: Reading): ChatMessage | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (isRecord(value) && Array.isArray(value.parts)) {
    const [message] = readMessage(value, reading, 'system') ?? [];
    return message && { ...message, role: 'system' };
  }
  const read = readContent(value);
  return read.parts.length > 0 ? { role: 'system', parts: read.parts, toolCalls: [] } : undefined;
}

function gemini(
  value: JsonRecord,
  reading: Reading,
  done: (
    messages: ChatMessage[] | undefined,
    fallback: string,
    tools?: ToolSpec[],
    rest?: JsonRecord,
  ) => Conversation | undefined,
): Conversation | undefined {
  reading.format = 'gemini';
  const contents = value.contents;
  let messages: ChatMessage[] | undefined;
  if (typeof contents === 'string')
    messages = [{ role: 'user', parts: [{ kind: 'text', text: contents }], toolCalls: [] }];
  else if (Array.isArray(contents)) {
    const allContents = contents.every((c) => isRecord(c) && Array.isArray(c.parts));
    messages = allContents
      ? readMessageList(contents, reading, 'user')
      : // A flat list of parts and strings: one user message.
        readMessage({ role: 'user', parts: contents }, reading);
  } else if (isRecord(contents))
    messages = Array.isArray(contents.parts)
      ? readMessage(contents, reading, 'user')
      : readMessage({ role: 'user', parts: [contents] }, reading);
  if (!messages) return undefined;
  const config = isRecord(value.config) ? value.config : undefined;
  const system = systemMessage(config?.system_instruction ?? value.system_instruction, reading);
  const tools = readTools(config?.tools) ?? readTools(value.tools) ?? [];
  let rest = without(value, ['contents', 'system_instruction', 'tools', 'config']);
  const otherConfig = config && without(config, ['system_instruction', 'tools']);
  if (otherConfig) rest = mergeRest(rest, { config: otherConfig });
  return done(system ? [system, ...messages] : messages, 'gemini', tools, rest);
}

/** Tool results without a name take the name of the call they answer, earlier in the list. */
function nameToolResults(messages: ChatMessage[]): void {
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const call of message.toolCalls) if (call.id !== undefined) names.set(call.id, call.name);
    if (message.toolCallId !== undefined && message.toolName === undefined) {
      const name = names.get(message.toolCallId);
      if (name !== undefined) message.toolName = name;
    }
  }
}
