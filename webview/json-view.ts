/**
 * Values for reading: chat messages as a conversation, JSON as a collapsible tree (native
 * <details>, so keyboard and screen readers work), long text wrapped; everything as text.
 */
import type { JsonValue } from '../src/mlflow/types';
import { el } from './dom';

/** Objects and lists this deep or shallower start open. */
const OPEN_DEPTH = 2;
/**
 * Rendering recurses; values are cut to 64 levels before they arrive (json-depth.ts), and this
 * stops the walk anyway, with "…", for whatever reaches it deeper.
 */
export const MAX_RENDER_DEPTH = 80;

export function renderValue(value: JsonValue | undefined, raw: boolean): HTMLElement {
  if (value === undefined) return el('p', { class: 'muted' }, 'Nothing recorded');
  if (raw) return el('pre', { class: 'raw' }, JSON.stringify(value, null, 2));
  const chat = chatMessages(value);
  if (chat) return renderChat(chat);
  return renderJson(value, 0);
}

export function renderJson(value: JsonValue, depth: number, key?: string): HTMLElement {
  const label = key === undefined ? null : el('span', { class: 'json-key' }, `${key}: `);
  if (depth >= MAX_RENDER_DEPTH && value !== null && typeof value === 'object')
    return el('div', { class: 'json-leaf' }, label, el('span', { class: 'muted' }, '…'));
  if (value === null || typeof value !== 'object') {
    return el('div', { class: 'json-leaf' }, label, scalar(value));
  }
  const entries: [string, JsonValue][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  const summary = Array.isArray(value) ? `[${value.length}]` : `{${entries.length}}`;
  const details = el(
    'details',
    { class: 'json-node', open: depth < OPEN_DEPTH },
    el('summary', {}, label, el('span', { class: 'muted' }, summary)),
  );
  for (const [k, v] of entries) details.appendChild(renderJson(v, depth + 1, k));
  return details;
}

function scalar(value: JsonValue): HTMLElement {
  if (typeof value === 'string') return el('span', { class: 'json-string' }, value);
  return el(
    'span',
    { class: `json-${value === null ? 'null' : typeof value}` },
    JSON.stringify(value),
  );
}

interface ChatMessage {
  role: string;
  content?: JsonValue;
  tool_calls?: JsonValue;
  tool_call_id?: string;
  name?: string;
}

/** Chat payloads as MLflow's autologging records them: {messages: [...]}, a list, or choices. */
export function chatMessages(value: JsonValue): ChatMessage[] | undefined {
  const candidate =
    isRecord(value) && Array.isArray(value.messages)
      ? value.messages
      : isRecord(value) && Array.isArray(value.choices)
        ? value.choices.map((c) => (isRecord(c) ? c.message : null))
        : value;
  if (!Array.isArray(candidate) || candidate.length === 0) return undefined;
  const messages: ChatMessage[] = [];
  for (const item of candidate) {
    if (!isRecord(item) || typeof item.role !== 'string') return undefined;
    messages.push({
      role: item.role,
      ...(item.content !== undefined ? { content: item.content } : {}),
      ...(item.tool_calls !== undefined ? { tool_calls: item.tool_calls } : {}),
      ...(typeof item.tool_call_id === 'string' ? { tool_call_id: item.tool_call_id } : {}),
      ...(typeof item.name === 'string' ? { name: item.name } : {}),
    });
  }
  return messages;
}

function renderChat(messages: ChatMessage[]): HTMLElement {
  const list = el('ol', { class: 'chat', 'aria-label': 'Conversation' });
  for (const message of messages) {
    const item = el('li', { class: `chat-message role-${message.role.replace(/[^a-z]/gi, '')}` });
    const heading =
      message.role === 'tool'
        ? `tool result${message.tool_call_id ? ` (${message.tool_call_id})` : ''}`
        : message.role;
    item.appendChild(el('div', { class: 'chat-role' }, heading));
    if (typeof message.content === 'string')
      item.appendChild(el('div', { class: 'chat-text' }, message.content));
    else if (message.content !== undefined && message.content !== null)
      item.appendChild(renderJson(message.content, 1));
    if (Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls) {
        const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
        const name = fn && typeof fn.name === 'string' ? fn.name : 'tool call';
        const args = fn?.arguments;
        item.appendChild(
          el(
            'div',
            { class: 'tool-call' },
            el('span', { class: 'tool-name' }, `→ ${name}`),
            args === undefined ? null : renderJson(parseMaybeJson(args), 1, 'arguments'),
          ),
        );
      }
    }
    list.appendChild(item);
  }
  return list;
}

function parseMaybeJson(value: JsonValue): JsonValue {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as JsonValue;
  } catch {
    return value;
  }
}

function isRecord(value: JsonValue | undefined): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
