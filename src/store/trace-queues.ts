/**
 * Which review queues hold a trace, and its status in each (an item's status is per queue): the
 * server's queue list filtered by the trace (`item_id`), then each queue's items read until the
 * trace's is found (the server has no route for one item). No `vscode`.
 */
import type { ReviewClient, ReviewQueue, ReviewStatus } from '../mlflow';

export interface TraceQueueEntry {
  queueId: string;
  name: string;
  queueType: ReviewQueue['queueType'];
  /** Unset if the item went between the two reads. */
  status?: ReviewStatus;
  completedBy?: string;
}

/** Items read per request while looking for the trace's, and at most this many pages per queue. */
const ITEM_PAGE = 1000;
const MAX_ITEM_PAGES = 50;

export async function queuesOfTrace(
  review: Pick<ReviewClient, 'listReviewQueues' | 'listItems'>,
  experimentId: string,
  traceId: string,
): Promise<TraceQueueEntry[]> {
  const queues: ReviewQueue[] = [];
  let pageToken: string | undefined;
  do {
    const page = await review.listReviewQueues({
      experimentId,
      traceId,
      ...(pageToken ? { pageToken } : {}),
    });
    queues.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return Promise.all(
    queues.map(async (queue): Promise<TraceQueueEntry> => {
      const entry = { queueId: queue.queueId, name: queue.name, queueType: queue.queueType };
      let token: string | undefined;
      for (let i = 0; i < MAX_ITEM_PAGES; i++) {
        const page = await review.listItems(queue.queueId, {
          maxResults: ITEM_PAGE,
          ...(token ? { pageToken: token } : {}),
        });
        const item = page.items.find((it) => it.traceId === traceId);
        if (item)
          return {
            ...entry,
            status: item.status,
            ...(item.completedBy !== undefined ? { completedBy: item.completedBy } : {}),
          };
        token = page.nextPageToken;
        if (!token) break;
      }
      return entry;
    }),
  );
}
