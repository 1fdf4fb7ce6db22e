/**
 * Building DOM without markup: every string becomes a text node or a plain attribute value, so
 * content from a trace (LLM output with HTML and script in it) shows as text and never runs.
 * There is no innerHTML anywhere in the webview.
 */

import { revealBidi } from '../src/shared/format';

type Child = Node | string | number | null | undefined | false;

/** Attributes that cannot carry a URL or a script: the only ones `el` sets. */
const SAFE_ATTRIBUTE =
  /^(class|id|role|title|tabindex|type|name|value|placeholder|for|slot|open|checked|disabled|secondary|label|heading|description|size|icon|aria-[a-z-]+|data-[a-z-]+)$/;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes?: Record<string, string | boolean | undefined>,
  ...children: Child[]
): HTMLElementTagNameMap[K];
export function el(
  tag: string,
  attributes?: Record<string, string | boolean | undefined>,
  ...children: Child[]
): HTMLElement;
export function el(
  tag: string,
  attributes: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (!SAFE_ATTRIBUTE.test(name)) throw new Error(`Refusing to set attribute ${name}`);
    element.setAttribute(name, value === true ? '' : value);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    // Bidi controls in trace content could make "eslaf" read as "false": shown, not obeyed.
    parent.appendChild(
      typeof child === 'string' || typeof child === 'number'
        ? document.createTextNode(revealBidi(String(child)))
        : child,
    );
  }
}

export function clear(element: Element): void {
  element.replaceChildren();
}

export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A `vscode-button` that runs `onClick`; `testId` is for the tests' selectors. */
export function button(
  label: string,
  onClick: () => void,
  secondary = false,
  testId?: string,
): HTMLElement {
  const b = el('vscode-button', { secondary, 'data-testid': testId }, label);
  b.addEventListener('click', onClick);
  return b;
}
