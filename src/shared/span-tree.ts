/** Spans arranged as a tree by parent id. Used by the tree view, the trace panel and the forms. */

interface SpanLike {
  spanId: string;
  parentSpanId: string | null;
}

/**
 * Children by parent id (null: the roots), each list in start order. A span whose parent is not
 * among the spans (a trace cut short, or a parent in another service) counts as a root.
 */
export function childrenByParent<T extends SpanLike>(
  spans: T[],
  startOf: (span: T) => number | bigint,
): Map<string | null, T[]> {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, T[]>();
  for (const span of spans) {
    const parent =
      span.parentSpanId !== null && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    const siblings = children.get(parent) ?? [];
    siblings.push(span);
    children.set(parent, siblings);
  }
  for (const siblings of children.values()) {
    siblings.sort((a, b) => {
      const x = startOf(a);
      const y = startOf(b);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  }
  return children;
}

/** Depth-first, in start order, with each span's depth. */
export function spansInTreeOrder<T extends SpanLike>(
  spans: T[],
  startOf: (span: T) => number | bigint,
): { span: T; depth: number }[] {
  const children = childrenByParent(spans, startOf);
  const out: { span: T; depth: number }[] = [];
  const walk = (parent: string | null, depth: number) => {
    for (const span of children.get(parent) ?? []) {
      out.push({ span, depth });
      walk(span.spanId, depth + 1);
    }
  };
  walk(null, 0);
  return out;
}
