/**
 * A message's content, in any format's shape: a string, a list of blocks (OpenAI and the
 * Responses API, Anthropic, Bedrock, LlamaIndex `blocks`, Gemini `parts`), or one block. Tool
 * calls and tool results that formats carry inside content (Anthropic tool_use/tool_result,
 * Bedrock toolUse/toolResult, Gemini function_call/function_response) come out separately.
 */
import type { JsonValue } from '../../mlflow/types';
import {
  isRecord,
  parseArguments,
  str,
  without,
  type ContentPart,
  type JsonRecord,
  type ToolCall,
} from './model';

export interface ToolResult {
  id?: string;
  name?: string;
  parts: ContentPart[];
  extra?: JsonRecord;
}

export interface ReadContent {
  parts: ContentPart[];
  toolCalls: ToolCall[];
  results: ToolResult[];
  reasoning: string[];
  /** The format the blocks showed themselves to be, when one did. */
  format?: string;
}

export function emptyContent(): ReadContent {
  return { parts: [], toolCalls: [], results: [], reasoning: [] };
}

export function readContent(content: JsonValue | undefined): ReadContent {
  const out = emptyContent();
  if (content === undefined || content === null) return out;
  if (Array.isArray(content)) for (const block of content) readBlock(block, out);
  else readBlock(content, out);
  return out;
}

/** Only the parts (a tool result's content): calls and results inside are kept as JSON. */
export function readParts(content: JsonValue | undefined): ContentPart[] {
  const read = readContent(content);
  const parts = [...read.parts];
  for (const call of read.toolCalls)
    parts.push({ kind: 'json', label: call.name, value: call.arguments ?? null });
  for (const result of read.results) parts.push(...result.parts);
  return parts;
}

function text(out: ReadContent, value: string): void {
  out.parts.push({ kind: 'text', text: value });
}

function readBlock(block: JsonValue, out: ReadContent): void {
  if (typeof block === 'string') {
    text(out, block);
    return;
  }
  if (!isRecord(block)) {
    out.parts.push({ kind: 'json', label: 'value', value: block });
    return;
  }
  const type = str(block.type);
  // Gemini parts name every field and leave the unused ones null: look for what is set.
  const geminiCall = block.function_call ?? block.functionCall;
  const geminiResult = block.function_response ?? block.functionResponse;
  if (isRecord(geminiCall) && typeof geminiCall.name === 'string') {
    out.format ??= 'gemini';
    const id = str(geminiCall.id);
    out.toolCalls.push({
      ...(id !== undefined ? { id } : {}),
      name: geminiCall.name,
      arguments: parseArguments(geminiCall.args ?? undefined),
    });
    return;
  }
  if (isRecord(geminiResult) && typeof geminiResult.name === 'string') {
    out.format ??= 'gemini';
    const id = str(geminiResult.id);
    const response = geminiResult.response;
    out.results.push({
      ...(id !== undefined ? { id } : {}),
      name: geminiResult.name,
      parts:
        typeof response === 'string'
          ? [{ kind: 'text', text: response }]
          : [{ kind: 'json', label: 'response', value: response ?? null }],
    });
    return;
  }
  if (isRecord(block.toolUse)) {
    out.format ??= 'bedrock';
    const use = block.toolUse;
    const id = str(use.toolUseId);
    out.toolCalls.push({
      ...(id !== undefined ? { id } : {}),
      name: str(use.name) ?? 'tool',
      arguments: parseArguments(use.input),
    });
    return;
  }
  if (isRecord(block.toolResult)) {
    out.format ??= 'bedrock';
    const result = block.toolResult;
    const id = str(result.toolUseId);
    const extra = without(result, ['toolUseId', 'content']);
    out.results.push({
      ...(id !== undefined ? { id } : {}),
      parts: readParts(result.content),
      ...(extra ? { extra } : {}),
    });
    return;
  }
  if (isRecord(block.reasoningContent)) {
    out.format ??= 'bedrock';
    const reasoning = block.reasoningContent.reasoningText;
    const value =
      typeof reasoning === 'string' ? reasoning : isRecord(reasoning) ? reasoning.text : undefined;
    if (typeof value === 'string') out.reasoning.push(value);
    return;
  }
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      if (typeof block.text === 'string') {
        text(out, block.text);
        return;
      }
      break;
    case 'refusal':
      if (typeof block.refusal === 'string') {
        text(out, block.refusal);
        return;
      }
      break;
    case 'image_url': {
      const url = isRecord(block.image_url) ? str(block.image_url.url) : str(block.image_url);
      if (url !== undefined) {
        out.parts.push(imagePart(url));
        return;
      }
      break;
    }
    case 'input_image': {
      const url = str(block.image_url);
      if (url !== undefined) {
        out.parts.push(imagePart(url));
        return;
      }
      break;
    }
    case 'tool_use':
    case 'server_tool_use':
      if (typeof block.name === 'string') {
        out.format ??= 'anthropic';
        const id = str(block.id);
        out.toolCalls.push({
          ...(id !== undefined ? { id } : {}),
          name: block.name,
          arguments: parseArguments(block.input),
        });
        return;
      }
      break;
    case 'tool_result': {
      out.format ??= 'anthropic';
      const id = str(block.tool_use_id);
      const extra = without(block, ['type', 'tool_use_id', 'content', 'cache_control']);
      out.results.push({
        ...(id !== undefined ? { id } : {}),
        parts: readParts(block.content),
        ...(extra ? { extra } : {}),
      });
      return;
    }
    case 'thinking':
      if (typeof block.thinking === 'string') {
        out.format ??= 'anthropic';
        out.reasoning.push(block.thinking);
        return;
      }
      break;
    case 'redacted_thinking':
      out.reasoning.push('(redacted)');
      return;
    case undefined:
      // Gemini and Bedrock text parts, LlamaIndex blocks.
      if (block.block_type === 'text' && typeof block.text === 'string') {
        out.format ??= 'llamaindex';
        {
          text(out, block.text);
          return;
        }
      }
      if (block.json !== undefined && Object.keys(block).length === 1) {
        out.parts.push({ kind: 'json', label: 'json', value: block.json });
        return;
      }
      if (typeof block.text === 'string') {
        if (block.thought === true) out.reasoning.push(block.text);
        else text(out, block.text);
        return;
      }
      break;
  }
  out.parts.push({ kind: 'json', label: type ?? str(block.block_type) ?? 'content', value: block });
}

function imagePart(url: string): ContentPart {
  // A data: URL is megabytes of base64: named, not shown.
  if (url.startsWith('data:'))
    return {
      kind: 'json',
      label: 'image',
      value: `${url.slice(0, url.indexOf(',') + 1)}… (${url.length} characters)`,
    };
  return { kind: 'image', url };
}
