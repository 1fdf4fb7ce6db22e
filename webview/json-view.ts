/**
 * Values for reading: chat in any format MLflow autologs as a conversation and retrieved
 * documents as documents (conversation-view.ts, from src/shared/conversation/), anything else as
 * a JSON tree (json-tree.ts).
 */
import type { JsonValue } from '../src/mlflow/types';
import { readConversation, readDocuments } from '../src/shared/conversation';
import { renderConversation, renderDocuments } from './conversation-view';
import { el } from './dom';
import { renderJson } from './json-tree';

export function renderValue(value: JsonValue | undefined, raw: boolean): HTMLElement {
  if (value === undefined) return el('p', { class: 'muted' }, 'Nothing recorded');
  if (raw) return el('pre', { class: 'raw' }, JSON.stringify(value, null, 2));
  const conversation = readConversation(value);
  if (conversation) return renderConversation(conversation);
  const documents = readDocuments(value);
  if (documents) return renderDocuments(documents);
  return renderJson(value, 0);
}
