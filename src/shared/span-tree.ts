/**
 * Spans arranged as a tree by parent id. Used by the tree view, the trace panel and the forms.
 * Span ids come from the server and need not be sound: an id can repeat, parent ids can form a
 * cycle, a chain can be thousands of spans deep. Nothing here recurses, every span is placed
 * exactly once, and every walk ends.
 */

interface SpanLike {
  spanId: string;
  parentSpanId: string | null;
}

export interface SpanTree<T> {
  /** In start order. */
  roots: T[];
  /** A span's children in start order (none for a repeated id: they belong to the first). */
  childrenOf(span: T): T[];
}

/**
 * The spans as a tree. A span whose parent is not among the spans (a trace cut short, or a parent
 * in another service) is a root. A span whose id repeats an earlier one is a root without
 * children: under its parent, the same id would show twice in one branch, and the children of
 * that id already sit under the first. Spans whose parent ids form a cycle are roots too.
 */
export function spanTree<T extends SpanLike>(
  spans: readonly T[],
  startOf: (span: T) => number | bigint,
): SpanTree<T> {
  const first = new Map<string, T>();
  for (const span of spans) if (!first.has(span.spanId)) first.set(span.spanId, span);
  const parent = new Map<T, T>();
  for (const span of spans) {
    if (first.get(span.spanId) !== span || span.parentSpanId === null) continue;
    const p = first.get(span.parentSpanId);
    if (p !== undefined && p !== span) parent.set(span, p);
  }
  breakCycles(spans, parent);
  const roots: T[] = [];
  const children = new Map<T, T[]>();
  for (const span of spans) {
    const p = parent.get(span);
    if (p === undefined) roots.push(span);
    else {
      const siblings = children.get(p);
      if (siblings) siblings.push(span);
      else children.set(p, [span]);
    }
  }
  const byStart = (a: T, b: T) => {
    const x = startOf(a);
    const y = startOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  roots.sort(byStart);
  for (const siblings of children.values()) siblings.sort(byStart);
  return { roots, childrenOf: (span) => children.get(span) ?? [] };
}

/**
 * Each span has at most one parent, so following parents from any span either ends at a root or
 * runs into a cycle; the spans of each cycle lose their parent (become roots). Each span is
 * visited once: O(n).
 */
function breakCycles<T>(spans: readonly T[], parent: Map<T, T>): void {
  const state = new Map<T, 'onPath' | 'done'>();
  for (const start of spans) {
    const path: T[] = [];
    let node: T | undefined = start;
    while (node !== undefined && !state.has(node)) {
      state.set(node, 'onPath');
      path.push(node);
      node = parent.get(node);
    }
    if (node !== undefined && state.get(node) === 'onPath') {
      for (const member of path.slice(path.indexOf(node))) parent.delete(member);
    }
    for (const visited of path) state.set(visited, 'done');
  }
}

/** Depth-first, in start order, with each span's depth; each span exactly once. */
export function spansInTreeOrder<T extends SpanLike>(
  spans: readonly T[],
  startOf: (span: T) => number | bigint,
): { span: T; depth: number }[] {
  const tree = spanTree(spans, startOf);
  const out: { span: T; depth: number }[] = [];
  const stack = tree.roots.map((span) => ({ span, depth: 0 })).reverse();
  for (let next = stack.pop(); next; next = stack.pop()) {
    out.push(next);
    const children = tree.childrenOf(next.span);
    for (let i = children.length - 1; i >= 0; i--)
      stack.push({ span: children[i] as T, depth: next.depth + 1 });
  }
  return out;
}

/**
 * A key per span, unique among the trace's spans, for rows that must be told apart (tree row
 * ids, the panel's selection): the span id, and for a repeated id the id with `#2`, `#3`...
 * First occurrences keep their id, so `key === spanId` means "the first with this id"; a
 * suffixed key never takes the place of another span's own id (an id can be `a#2`).
 */
export function spanKeys<T extends SpanLike>(spans: readonly T[]): Map<T, string> {
  const keys = new Map<T, string>();
  const used = new Set<string>();
  for (const span of spans)
    if (!used.has(span.spanId)) {
      used.add(span.spanId);
      keys.set(span, span.spanId);
    }
  const counts = new Map<string, number>();
  for (const span of spans) {
    if (keys.has(span)) continue;
    let count = counts.get(span.spanId) ?? 1;
    let key: string;
    do key = `${span.spanId}#${++count}`;
    while (used.has(key));
    counts.set(span.spanId, count);
    used.add(key);
    keys.set(span, key);
  }
  return keys;
}

/**
 * The span a trace panel shows first: the first span without a parent (the root), or -1. The
 * host sends its details with the trace; the webview selects it.
 */
export function firstRootIndex(spans: readonly SpanLike[]): number {
  return spans.findIndex((s) => s.parentSpanId === null);
}
