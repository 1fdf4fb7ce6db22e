/**
 * "Add every trace matching the filter to a queue": the ids of the experiment's traces that pass
 * the tree's filter (the server's part in the search, the quick filters that only the extension
 * can apply on each page), then added to the queue in batches. Both steps report progress and
 * stop when cancelled. No `vscode`.
 */
import type { MlflowClient, TraceId } from '../mlflow';
import { Cancelled } from '../util/cancelled';
import { matchesLocally, serverFilter, type TraceFilter } from './trace-filters';

/** The server's largest search page. */
const SEARCH_PAGE = 500;
/** Traces added per request: small enough for the server's one `batch_get_trace_infos` check. */
export const ADD_BATCH = 100;
/**
 * At most this many traces are added at once: the Review Queues view lists a queue's first
 * 10 000 items, and a queue larger than that is no longer worked from the editor.
 */
export const MAX_MATCHING = 10_000;

export interface MatchingTraces {
  /** Newest first, at most MAX_MATCHING. */
  traceIds: TraceId[];
  /** More traces match than MAX_MATCHING: only the newest were kept. */
  truncated: boolean;
}

interface Progress {
  /** Called after each page or batch with how many so far. */
  report(done: number): void;
  readonly cancelled: () => boolean;
}

/** The ids of the experiment's traces that pass `filter`, newest first. */
export async function matchingTraceIds(
  client: Pick<MlflowClient, 'searchTraces'>,
  experimentId: string,
  filter: TraceFilter,
  progress: Progress,
  limit = MAX_MATCHING,
): Promise<MatchingTraces> {
  const server = serverFilter(filter);
  const ids: TraceId[] = [];
  const seen = new Set<string>();
  let pageToken: string | undefined;
  do {
    if (progress.cancelled()) throw new Cancelled();
    const page = await client.searchTraces({
      experimentIds: [experimentId],
      maxResults: SEARCH_PAGE,
      ...(server ? { filter: server } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    for (const trace of page.items) {
      if (seen.has(trace.traceId) || !matchesLocally(trace, filter)) continue;
      seen.add(trace.traceId);
      if (ids.length === limit) return { traceIds: ids, truncated: true };
      ids.push(trace.traceId);
    }
    progress.report(ids.length);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return { traceIds: ids, truncated: false };
}

/**
 * Adds the traces in batches of ADD_BATCH, in order. Cancelling stops before the next batch:
 * the batches sent stay added (the count says how many), and adding them again is harmless
 * (an item already in a queue keeps its status).
 */
export async function addInBatches(
  add: (traceIds: TraceId[]) => Promise<unknown>,
  traceIds: TraceId[],
  progress: Progress,
): Promise<{ added: number; cancelled: boolean }> {
  let added = 0;
  for (let i = 0; i < traceIds.length; i += ADD_BATCH) {
    if (progress.cancelled()) return { added, cancelled: true };
    const batch = traceIds.slice(i, i + ADD_BATCH);
    await add(batch);
    added += batch.length;
    progress.report(added);
  }
  return { added, cancelled: false };
}

/** "1 234": digits grouped by thin spaces, as the confirmation shows counts. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
}
