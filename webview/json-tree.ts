/**
 * A JSON value as a collapsible tree (native <details>, so keyboard and screen readers work):
 * long strings and long lists cut with a "Show all"; everything as text.
 */
import type { JsonValue } from '../src/mlflow/types';
import { el } from './dom';
import { longText } from './long-text';

/** A list or object with more entries shows this many and a "Show all". */
export const LONG_ENTRIES = 100;
/** Objects and lists this deep or shallower start open. */
const OPEN_DEPTH = 2;
/**
 * Rendering recurses; values are cut to 64 levels before they arrive (json-depth.ts), and this
 * stops the walk anyway, with "…", for whatever reaches it deeper.
 */
export const MAX_RENDER_DEPTH = 80;

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
  const shown = entries.length > LONG_ENTRIES ? entries.slice(0, LONG_ENTRIES) : entries;
  for (const [k, v] of shown) details.appendChild(renderJson(v, depth + 1, k));
  if (shown !== entries) {
    // A large list shows its start; the rest is drawn only when asked for.
    const more = el(
      'button',
      { class: 'show-all', type: 'button' },
      `Show all (${entries.length.toLocaleString('en-US')} ${Array.isArray(value) ? 'items' : 'fields'})`,
    );
    more.addEventListener('click', () => {
      const rest = document.createDocumentFragment();
      for (const [k, v] of entries.slice(LONG_ENTRIES))
        rest.appendChild(renderJson(v, depth + 1, k));
      more.replaceWith(rest);
    });
    details.appendChild(more);
  }
  return details;
}

function scalar(value: JsonValue): HTMLElement {
  if (typeof value === 'string') return longText(value, 'json-string', 'span');
  return el(
    'span',
    { class: `json-${value === null ? 'null' : typeof value}` },
    JSON.stringify(value),
  );
}
