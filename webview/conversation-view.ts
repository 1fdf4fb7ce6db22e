/**
 * A conversation read by src/shared/conversation/: the messages with their roles, each tool call
 * with its tool's name and parsed arguments, each tool result headed by its tool's name and its
 * call id exactly as recorded, a call and its result linked (click or Enter on the id moves to
 * the other and marks it); the tools offered to the model in a section of their own; the call's
 * other fields below the messages. Retrieved documents as a list. Everything as text.
 */
import type { JsonValue } from '../src/mlflow/types';
import {
  readConversation,
  readTools,
  type ChatMessage,
  type ContentPart,
  type Conversation,
  type RetrievedDocument,
  type ToolCall,
  type ToolSpec,
} from '../src/shared/conversation';
import { el } from './dom';
import { renderJson } from './json-tree';
import { longText } from './long-text';

/** Links between the calls and results of one rendered conversation, by call id. */
class Links {
  private readonly calls = new Map<string, HTMLElement>();
  private readonly results = new Map<string, HTMLElement>();
  private readonly pending: { id: string; chip: HTMLElement; side: 'call' | 'result' }[] = [];

  call(id: string, element: HTMLElement, chip: HTMLElement): void {
    if (!this.calls.has(id)) this.calls.set(id, element);
    this.pending.push({ id, chip, side: 'call' });
  }

  result(id: string, element: HTMLElement, chip: HTMLElement): void {
    if (!this.results.has(id)) this.results.set(id, element);
    this.pending.push({ id, chip, side: 'result' });
  }

  /** Once every message is drawn: each id chip whose other side is here becomes a button. */
  wire(): void {
    for (const { id, chip, side } of this.pending) {
      const other = side === 'call' ? this.results.get(id) : this.calls.get(id);
      if (!other) continue;
      chip.setAttribute('role', 'button');
      chip.setAttribute('tabindex', '0');
      chip.classList.add('linked');
      chip.setAttribute(
        'title',
        side === 'call' ? 'Show the result of this call' : 'Show the call this result answers',
      );
      const go = () => {
        for (const marked of (chip.closest('.conversation') ?? document).querySelectorAll(
          '.link-target',
        ))
          marked.classList.remove('link-target');
        other.classList.add('link-target');
        other.scrollIntoView({ block: 'nearest' });
        const otherChip = other.querySelector<HTMLElement>('.call-id.linked');
        otherChip?.focus({ preventScroll: true });
      };
      chip.addEventListener('click', go);
      chip.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          go();
        }
      });
    }
  }
}

export function renderConversation(conversation: Conversation): HTMLElement {
  const links = new Links();
  const list = el('ol', { class: 'chat', 'aria-label': 'Conversation' });
  for (const message of conversation.messages) list.appendChild(renderMessage(message, links));
  links.wire();
  return el(
    'div',
    { class: 'conversation', 'data-format': conversation.format },
    list,
    conversation.tools.length > 0 ? renderTools(conversation.tools) : null,
    conversation.rest ? renderFields(conversation.rest) : null,
  );
}

function renderMessage(message: ChatMessage, links: Links): HTMLElement {
  const role = message.role;
  const item = el('li', {
    class: `chat-message role-${role.replace(/[^a-z]/gi, '').toLowerCase()}`,
    'data-role': role,
  });
  const isResult = message.toolCallId !== undefined || message.toolName !== undefined;
  if (isResult) {
    const chip =
      message.toolCallId !== undefined
        ? el('span', { class: 'call-id', 'data-call-id': message.toolCallId }, message.toolCallId)
        : null;
    item.classList.add('tool-result');
    item.appendChild(
      el(
        'div',
        { class: 'chat-role' },
        el('span', { class: 'tool-name' }, message.toolName ?? 'tool'),
        el('span', { class: 'muted' }, ` result (${role})`),
        chip ? el('span', { class: 'muted' }, ' · call ') : null,
        chip,
      ),
    );
    if (chip && message.toolCallId !== undefined) links.result(message.toolCallId, item, chip);
  } else {
    item.appendChild(
      el(
        'div',
        { class: 'chat-role' },
        role,
        message.name !== undefined ? el('span', { class: 'muted' }, ` · ${message.name}`) : null,
      ),
    );
  }
  if (message.reasoning !== undefined)
    item.appendChild(
      el(
        'details',
        { class: 'chat-reasoning' },
        el('summary', {}, 'Reasoning'),
        longText(message.reasoning, 'chat-text'),
      ),
    );
  for (const part of message.parts) item.appendChild(renderPart(part));
  for (const call of message.toolCalls) item.appendChild(renderCall(call, links));
  if (
    message.parts.length === 0 &&
    message.toolCalls.length === 0 &&
    message.reasoning === undefined
  )
    item.appendChild(el('div', { class: 'muted' }, '(no content)'));
  if (message.extra)
    item.appendChild(
      el(
        'details',
        { class: 'chat-extra' },
        el('summary', { class: 'muted' }, `Message fields (${Object.keys(message.extra).length})`),
        ...Object.entries(message.extra).map(([k, v]) => renderJson(v, 2, k)),
      ),
    );
  return item;
}

function renderPart(part: ContentPart): HTMLElement {
  switch (part.kind) {
    case 'text':
      return longText(part.text, 'chat-text');
    case 'image':
      return el('div', { class: 'chat-image muted' }, 'image: ', el('span', {}, part.url));
    case 'json':
      return renderJson(part.value, 1, part.label);
  }
}

function renderCall(call: ToolCall, links: Links): HTMLElement {
  const chip =
    call.id !== undefined
      ? el('span', { class: 'call-id', 'data-call-id': call.id }, call.id)
      : null;
  const box = el(
    'div',
    { class: 'tool-call', 'data-tool': call.name },
    el(
      'div',
      { class: 'tool-call-head' },
      el('span', { class: 'muted' }, 'calls '),
      el('span', { class: 'tool-name' }, call.name),
      chip ? el('span', { class: 'muted' }, ' · call ') : null,
      chip,
    ),
    renderArguments(call.arguments),
  );
  if (chip && call.id !== undefined) links.call(call.id, box, chip);
  return box;
}

function renderArguments(args: JsonValue | undefined): HTMLElement | null {
  if (args === undefined) return null;
  if (typeof args === 'string') return longText(args, 'chat-text tool-arguments');
  if (args !== null && typeof args === 'object' && !Array.isArray(args)) {
    const entries = Object.entries(args);
    if (entries.length === 0) return el('div', { class: 'muted' }, 'no arguments');
    return el('div', { class: 'tool-arguments' }, ...entries.map(([k, v]) => renderJson(v, 2, k)));
  }
  return renderJson(args, 1, 'arguments');
}

/** The tools offered to the model: "Tools (3)", closed, each with name, description, parameters. */
export function renderTools(tools: readonly ToolSpec[]): HTMLElement {
  return el(
    'details',
    { class: 'chat-tools' },
    el('summary', {}, `Tools (${tools.length})`),
    el(
      'ul',
      { class: 'tool-list' },
      ...tools.map((tool) =>
        el(
          'li',
          { class: 'tool-spec', 'data-tool': tool.name },
          el('div', { class: 'tool-name' }, tool.name),
          tool.description !== undefined ? longText(tool.description, 'tool-description') : null,
          tool.parameters !== undefined ? renderJson(tool.parameters, 2, 'parameters') : null,
        ),
      ),
    ),
  );
}

/** The call's other fields (model, temperature, usage, finish reason…) as key: value rows. */
function renderFields(rest: { [key: string]: JsonValue }): HTMLElement {
  return el(
    'div',
    { class: 'chat-fields', 'aria-label': 'Other fields of the call' },
    el('div', { class: 'chat-fields-title muted' }, 'Other fields'),
    ...Object.entries(rest).map(([k, v]) => renderJson(v, 1, k)),
  );
}

/**
 * The tools offered to a span's model, from its `mlflow.chat.tools` attribute, when its inputs
 * did not show them (null otherwise): a section beside Inputs.
 */
export function offeredTools(
  inputs: JsonValue | undefined,
  attribute: JsonValue | undefined,
): HTMLElement | null {
  const tools = readTools(attribute);
  if (!tools) return null;
  const conversation = readConversation(inputs);
  if (conversation && conversation.tools.length > 0) return null;
  const section = renderTools(tools);
  section.classList.add('value-block', 'offered-tools');
  return section;
}

export function renderDocuments(documents: readonly RetrievedDocument[]): HTMLElement {
  return el(
    'ol',
    { class: 'documents', 'aria-label': 'Retrieved documents' },
    ...documents.map((doc, i) =>
      el(
        'li',
        { class: 'document' },
        el(
          'div',
          { class: 'document-head' },
          el('span', { class: 'document-title' }, `Document ${i + 1}`),
          doc.score !== undefined
            ? el('span', { class: 'document-score' }, `score ${formatScore(doc.score)}`)
            : null,
          doc.source !== undefined ? el('span', { class: 'document-source' }, doc.source) : null,
          doc.id !== undefined ? el('span', { class: 'muted' }, `id ${doc.id}`) : null,
        ),
        typeof doc.content === 'string'
          ? longText(doc.content, 'chat-text document-content')
          : doc.content !== undefined
            ? renderJson(doc.content, 1, 'content')
            : null,
        doc.metadata
          ? el(
              'details',
              { class: 'chat-extra' },
              el('summary', { class: 'muted' }, `Metadata (${Object.keys(doc.metadata).length})`),
              ...Object.entries(doc.metadata).map(([k, v]) => renderJson(v, 2, k)),
            )
          : null,
      ),
    ),
  );
}

function formatScore(score: number): string {
  return Number.isInteger(score) ? String(score) : String(Number(score.toPrecision(4)));
}
