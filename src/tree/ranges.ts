/**
 * Bounds on how many rows one node of the tree lists. VS Code lists again every child of a row
 * it is told has changed, and does the same for every expanded row below it (treeView.ts
 * `doRefresh` → asyncDataTree.ts `updateChildren(element, recursive = true)`), through the
 * extension host, which asks for each child's TreeItem again (extHostTreeViews.ts `_refreshNode`,
 * `_fetchChildrenNodes`). So the cost of a change is the size of what is listed under the row
 * named, and a row with tens of thousands of children is slow to open and to keep current.
 * Long lists are split: the first RANGE_SIZE items are listed directly, the rest in ranges of
 * RANGE_SIZE ("Traces 501–1,000", "Spans 501–1,000").
 */

/** The most items a row lists directly; also the size of a range (TraceTreeModel's default). */
export const RANGE_SIZE = 500;

/**
 * The same for an experiment's loaded traces, which grow a page at a time: each page of "Load
 * more" makes VS Code list again the range it lands in, half full on average, so smaller ranges
 * make every page cheaper (50 rows listed again on average rather than 250), at the cost of one
 * range row per 100 traces under the experiment.
 */
export const TRACE_RANGE_SIZE = 100;

/**
 * How many of those ranges an experiment lists directly, and how many a block of older ranges
 * holds. A new range is named to VS Code through the row that lists it, every other page of
 * 100: through a block of at most this many rows, rather than through the experiment with a row
 * per range (199 rows after 10 000 traces), so later pages cost what the first ones did.
 */
export const TRACE_RANGES_PER_BLOCK = 10;

/**
 * The rows of a list of items: all of them when there are at most `limit`; else the first `limit`
 * and then ranges of the rest. A range lists its items when it has at most `limit`, else ranges
 * of them, so that no row lists more than `limit` items and `limit` ranges, however long the list.
 * `makeRange` makes a range's node from its bounds (0-based, end excluded) and the rows it lists.
 */
export function rowsInRanges<T, R>(
  items: readonly T[],
  limit: number,
  makeRange: (start: number, end: number, rows: (T | R)[]) => R,
): (T | R)[] {
  if (items.length <= limit) return [...items];
  let size = limit;
  while (Math.ceil((items.length - limit) / size) > limit) size *= limit;
  const range = (start: number, end: number, size: number): R => {
    if (end - start <= limit) return makeRange(start, end, items.slice(start, end));
    const inner = size / limit;
    const rows: R[] = [];
    for (let s = start; s < end; s += inner) rows.push(range(s, Math.min(s + inner, end), inner));
    return makeRange(start, end, rows);
  };
  const rows: (T | R)[] = items.slice(0, limit);
  for (let start = limit; start < items.length; start += size)
    rows.push(range(start, Math.min(start + size, items.length), size));
  return rows;
}

/** "501–1,000": positions start+1 to end (0-based start, end excluded). */
export function rangeLabel(start: number, end: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return end - start === 1 ? n(end) : `${n(start + 1)}–${n(end)}`;
}
