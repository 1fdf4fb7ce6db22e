/**
 * Long strings shown short: over LONG_CHARS characters or LONG_LINES lines, the start is shown
 * with a "Show all" button that puts the whole text in place. As text, never as markup.
 */
import { el } from './dom';

export const LONG_CHARS = 2000;
export const LONG_LINES = 30;

/** Where a long text is cut (undefined when it is not long): lines counted without splitting. */
export function cutAt(text: string): number | undefined {
  let at = -1;
  for (let line = 0; line < LONG_LINES; line++) {
    at = text.indexOf('\n', at + 1);
    if (at === -1 || at >= LONG_CHARS) break;
  }
  if (at !== -1 && at < LONG_CHARS) return at;
  return text.length > LONG_CHARS ? LONG_CHARS : undefined;
}

/** The text in a `tag` with `className`; when long, its start and a "Show all" button. */
export function longText(
  text: string,
  className: string,
  tag: 'div' | 'span' = 'div',
): HTMLElement {
  const cut = cutAt(text);
  if (cut === undefined) return el(tag, { class: className }, text);
  const shown = el(
    tag,
    { class: className },
    text.slice(0, cut),
    el('span', { class: 'muted' }, ' …'),
  );
  const lines = countLines(text);
  const more = el(
    'button',
    { class: 'show-all', type: 'button' },
    `Show all (${text.length.toLocaleString('en-US')} characters${lines > 1 ? `, ${lines.toLocaleString('en-US')} lines` : ''})`,
  );
  const box = el(tag, { class: 'long-text' }, shown, ' ', more);
  more.addEventListener('click', () => {
    box.replaceWith(el(tag, { class: className }, text));
  });
  return box;
}

function countLines(text: string): number {
  let lines = 1;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
}
