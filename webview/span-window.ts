/**
 * The span list's arithmetic, without a DOM (unit-tested): which rows of a long list to draw for
 * a scroll position, where to scroll to show a row, and the timeline's extent. A trace can have
 * 32 000 spans: everything here is O(1) per call or one pass over the spans.
 */

/** Rows `start` (included) to `end` (excluded) of the list. */
export interface RowWindow {
  start: number;
  end: number;
}

/** The rows that a viewport of `height` pixels scrolled to `scrollTop` shows, in part or whole. */
export function visibleRows(
  scrollTop: number,
  height: number,
  rowHeight: number,
  count: number,
): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const start = Math.min(count - 1, Math.floor(top / rowHeight));
  const end = Math.min(
    count,
    Math.max(start + 1, Math.ceil((top + Math.max(0, height)) / rowHeight)),
  );
  return { start, end };
}

/**
 * The rows to draw: those visible and `margin` more on each side. While `drawn` (what is drawn
 * now) still covers every visible row it is kept, so that a small scroll redraws nothing.
 */
export function rowWindow(
  scrollTop: number,
  height: number,
  rowHeight: number,
  count: number,
  margin: number,
  drawn?: RowWindow,
): RowWindow {
  const visible = visibleRows(scrollTop, height, rowHeight, count);
  if (visible.end === 0) return { start: 0, end: 0 };
  if (drawn && drawn.end <= count && drawn.start <= visible.start && drawn.end >= visible.end)
    return drawn;
  return {
    start: Math.max(0, visible.start - margin),
    end: Math.min(count, visible.end + margin),
  };
}

/** The scroll position that shows row `index` whole, moving as little as possible. */
export function scrollTopToShow(
  index: number,
  scrollTop: number,
  height: number,
  rowHeight: number,
): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + height) return Math.max(0, bottom - height);
  return scrollTop;
}

/**
 * Where the timeline ends: the latest end of a span (an unfinished span ends at its start). A
 * loop, not Math.max(...spans): spreading 100 000 arguments overflows the stack.
 */
export function timelineEnd(
  spans: readonly { startOffsetMs: number; durationMs: number | null }[],
): number {
  let end = 0.001;
  for (const s of spans) {
    const spanEnd = s.startOffsetMs + (s.durationMs ?? 0);
    if (spanEnd > end) end = spanEnd;
  }
  return end;
}

/** A span's bar on the timeline, in percent of its width (an unfinished span runs to the end). */
export function barGeometry(
  span: { startOffsetMs: number; durationMs: number | null },
  end: number,
): { left: number; width: number } {
  const duration = span.durationMs ?? end - span.startOffsetMs;
  return {
    left: (span.startOffsetMs / end) * 100,
    width: Math.max(0.5, (duration / end) * 100),
  };
}

/** How many valid assessments each span id has: one pass, looked up per row. */
export function assessmentCounts(
  assessments: readonly { spanId?: string | undefined; valid: boolean }[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of assessments)
    if (a.spanId !== undefined && a.valid) counts.set(a.spanId, (counts.get(a.spanId) ?? 0) + 1);
  return counts;
}
