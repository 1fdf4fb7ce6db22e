/**
 * The Review Queues view's rows, as data (no `vscode`): each experiment shown, its review queues
 * (the reviewer's own first) with their progress, and a queue's items with their traces. What is
 * loaded: the reviewer's identity, every queue and the statuses of all its items (for the
 * progress) when the view is drawn; a queue's traces when it is expanded, one
 * `traces/batchGetInfos` per page of items. A failure is a row that says what happened; a server
 * older than MLflow 3.14 is one row that says so.
 */
import {
  MlflowReviewUnsupportedError,
  type CreateReviewQueueInput,
  type Experiment,
  type ExperimentId,
  type MlflowClient,
  type ReviewQueue,
  type ReviewQueueItem,
  type TraceInfo,
} from '../mlflow';
import {
  describeIdentity,
  orderQueues,
  queueRole,
  resolveReviewer,
  type QueueRole,
  type ReviewerIdentity,
} from '../store/review-identity';
import { errorMessage } from '../util/error-message';
import { Emitter, type Disposable } from '../util/events';

/** Items listed per request, and traces asked for per batchGetTraceInfos. */
export const ITEM_PAGE = 100;
/** Pages of items followed per queue: 10 000 items. */
const MAX_ITEM_PAGES = 100;

export interface QueueConnection {
  readonly state: { readonly kind: string; readonly message?: string };
  readonly client: Pick<MlflowClient, 'getCurrentUser' | 'review'>;
  readonly settings: { readonly reviewer: string };
  noteFailure(error: unknown): void;
}

export interface QueueExperiments {
  experiments(): Promise<Experiment[]>;
}

export interface QueueProgress {
  total: number;
  complete: number;
  declined: number;
  pending: number;
}

export class QueueExperimentNode {
  readonly kind = 'queueExperiment';
  constructor(
    readonly experiment: Experiment,
    readonly queueCount: number | undefined,
  ) {}
}

export class QueueNode {
  readonly kind = 'queue';
  constructor(
    readonly queue: ReviewQueue,
    readonly role: QueueRole,
    /** Unset when its items could not be listed (its child row says why). */
    readonly progress: QueueProgress | undefined,
  ) {}
}

export class QueueItemNode {
  readonly kind = 'queueItem';
  constructor(
    readonly queue: ReviewQueue,
    readonly item: ReviewQueueItem,
    /** Unset when the trace is gone (deleted since it was added). */
    readonly trace: TraceInfo | undefined,
  ) {}
}

export class QueueMessageNode {
  readonly kind = 'queueMessage';
  constructor(
    readonly id: string,
    readonly text: string,
    readonly icon: string,
    readonly tooltip?: string,
  ) {}
}

export type QueueTreeNode = QueueExperimentNode | QueueNode | QueueItemNode | QueueMessageNode;

interface LoadedQueue {
  queue: ReviewQueue;
  role: QueueRole;
  /** The items in the server's order (newest added first), in pages of ITEM_PAGE. */
  pages?: ReviewQueueItem[][];
  itemsError?: unknown;
  /** The traces of the items, by trace id, once the queue was expanded. */
  traces?: Map<string, TraceInfo>;
}

interface LoadedExperiment {
  experiment: Experiment;
  queues?: LoadedQueue[];
  error?: unknown;
}

type Root =
  | { kind: 'loaded'; identity: ReviewerIdentity; experiments: LoadedExperiment[] }
  | { kind: 'message'; node: QueueMessageNode; identity?: ReviewerIdentity };

/** The connection states in which nothing can be asked: the view says the state's message. */
const DOWN_STATES = new Set(['unreachable', 'unauthorized', 'misconfigured', 'notConfigured']);

export class QueueTreeModel implements Disposable {
  private root: Promise<Root> | undefined;
  private readonly changed = new Emitter<QueueTreeNode | undefined>();
  /** A row, or everything (undefined), to draw again. */
  readonly onDidChange = this.changed.event;
  private readonly identityChanged = new Emitter<ReviewerIdentity | undefined>();
  /** Fires with the identity in use each time the queues are loaded. */
  readonly onDidChangeIdentity = this.identityChanged.event;
  private currentIdentity: ReviewerIdentity | undefined;

  constructor(
    private readonly connection: QueueConnection,
    private readonly store: QueueExperiments,
  ) {}

  /** Who works the queues, once loaded. */
  get identity(): ReviewerIdentity | undefined {
    return this.currentIdentity;
  }

  identityLine(): string | undefined {
    return this.currentIdentity && describeIdentity(this.currentIdentity);
  }

  /** Forgets everything loaded and draws the view again. */
  refresh(): void {
    this.root = undefined;
    this.changed.fire(undefined);
  }

  async getChildren(node?: QueueTreeNode): Promise<QueueTreeNode[]> {
    if (!node) return this.rootRows();
    if (node.kind === 'queueExperiment') return this.queueRows(node.experiment.experimentId);
    if (node.kind === 'queue') return this.itemRows(node.queue.queueId);
    return [];
  }

  /** The reviewer (loading it if needed). */
  async reviewer(): Promise<ReviewerIdentity> {
    const root = await this.load();
    if (root.identity) return root.identity;
    // The view could not load (its row says why): ask again, so the error is the real one.
    return resolveReviewer(this.connection.client, this.connection.settings.reviewer);
  }

  /** The experiment's queues as the server has them now, the reviewer's own first. */
  async queuesOf(experimentId: ExperimentId): Promise<{ queue: ReviewQueue; role: QueueRole }[]> {
    const identity = await this.reviewer();
    const queues = await this.listQueues(experimentId);
    return orderQueues(queues, identity).map((queue) => ({
      queue,
      role: queueRole(queue, identity),
    }));
  }

  /** The reviewer's own queue in the experiment, made the first time (the server's get-or-create). */
  async createMyQueue(experimentId: ExperimentId): Promise<ReviewQueue> {
    const identity = await this.reviewer();
    const queue = await this.connection.client.review.getOrCreateUserQueue(
      experimentId,
      identity.user,
    );
    this.refresh();
    return queue;
  }

  /** A custom queue, then the view drawn again with it. */
  async createQueue(input: CreateReviewQueueInput): Promise<ReviewQueue> {
    const queue = await this.connection.client.review.createReviewQueue(input);
    this.refresh();
    return queue;
  }

  /** Adds traces to a queue (all or none, as the server does), then shows the new counts. */
  async addItems(queueId: string, traceIds: string[]): Promise<ReviewQueueItem[]> {
    const items = await this.connection.client.review.addItems(queueId, traceIds);
    this.refresh();
    return items;
  }

  // ---- rows --------------------------------------------------------------------------------

  private async rootRows(): Promise<QueueTreeNode[]> {
    const state = this.connection.state;
    if (state.kind === 'connecting') return [];
    if (DOWN_STATES.has(state.kind))
      return [new QueueMessageNode('state', state.message ?? state.kind, 'warning')];
    const root = await this.load();
    if (root.kind === 'message') return [root.node];
    if (root.experiments.length === 0)
      return [
        new QueueMessageNode(
          'no-experiments',
          'No experiment to show: choose experiments with "MLflow: Select Experiments…".',
          'info',
        ),
      ];
    return root.experiments.map(
      (e) => new QueueExperimentNode(e.experiment, e.queues ? e.queues.length : undefined),
    );
  }

  private async queueRows(experimentId: ExperimentId): Promise<QueueTreeNode[]> {
    const root = await this.load();
    if (root.kind === 'message') return [];
    const loaded = root.experiments.find((e) => e.experiment.experimentId === experimentId);
    if (!loaded) return [];
    if (!loaded.queues) return [errorRow(`queues:${experimentId}`, loaded.error)];
    if (loaded.queues.length === 0)
      return [
        new QueueMessageNode(
          `no-queues:${experimentId}`,
          'No review queues in this experiment yet: "Create My Queue" makes yours.',
          'info',
        ),
      ];
    return loaded.queues.map((q) => new QueueNode(q.queue, q.role, q.pages && progress(q.pages)));
  }

  private async itemRows(queueId: string): Promise<QueueTreeNode[]> {
    const root = await this.load();
    if (root.kind === 'message') return [];
    const loaded = root.experiments
      .flatMap((e) => e.queues ?? [])
      .find((q) => q.queue.queueId === queueId);
    if (!loaded) return [];
    if (!loaded.pages) return [errorRow(`items:${queueId}`, loaded.itemsError)];
    if (loaded.pages.length === 0)
      return [
        new QueueMessageNode(
          `no-items:${queueId}`,
          'No items yet: select traces in MLflow Traces and run "Add to Review Queue…".',
          'info',
        ),
      ];
    if (!loaded.traces) {
      try {
        loaded.traces = await this.loadTraces(loaded.pages, loaded.queue.experimentId);
      } catch (error) {
        this.noteFailure(error);
        return [errorRow(`traces:${queueId}`, error)];
      }
    }
    const traces = loaded.traces;
    return loaded.pages
      .flat()
      .map((item) => new QueueItemNode(loaded.queue, item, traces.get(item.traceId)));
  }

  // ---- loading -----------------------------------------------------------------------------

  private load(): Promise<Root> {
    this.root ??= this.loadRoot().then((root) => {
      this.currentIdentity = root.identity;
      this.identityChanged.fire(root.identity);
      return root;
    });
    return this.root;
  }

  private async loadRoot(): Promise<Root> {
    let identity: ReviewerIdentity;
    let experiments: Experiment[];
    try {
      identity = await resolveReviewer(this.connection.client, this.connection.settings.reviewer);
      experiments = await this.store.experiments();
    } catch (error) {
      this.noteFailure(error);
      return { kind: 'message', node: errorRow('root', error) };
    }
    const loaded = await Promise.all(
      experiments.map(async (experiment): Promise<LoadedExperiment> => {
        try {
          const queues = orderQueues(await this.listQueues(experiment.experimentId), identity);
          return {
            experiment,
            queues: await Promise.all(
              queues.map((queue) => this.loadQueue(queue, queueRole(queue, identity))),
            ),
          };
        } catch (error) {
          return { experiment, error };
        }
      }),
    );
    // A server without review queues says so once, not under every experiment.
    const unsupported = loaded.find((e) => e.error instanceof MlflowReviewUnsupportedError);
    if (unsupported)
      return {
        kind: 'message',
        identity,
        node: new QueueMessageNode(
          'unsupported',
          `This server is too old for review queues: ${errorMessage(unsupported.error)}`,
          'info',
          errorMessage(unsupported.error),
        ),
      };
    const failed = loaded.find((e) => e.error !== undefined);
    if (failed) this.noteFailure(failed.error);
    return { kind: 'loaded', identity, experiments: loaded };
  }

  private async listQueues(experimentId: ExperimentId): Promise<ReviewQueue[]> {
    const queues: ReviewQueue[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.connection.client.review.listReviewQueues({
        experimentId,
        ...(pageToken ? { pageToken } : {}),
      });
      queues.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return queues;
  }

  private async loadQueue(queue: ReviewQueue, role: QueueRole): Promise<LoadedQueue> {
    try {
      const pages: ReviewQueueItem[][] = [];
      let pageToken: string | undefined;
      do {
        const page = await this.connection.client.review.listItems(queue.queueId, {
          maxResults: ITEM_PAGE,
          ...(pageToken ? { pageToken } : {}),
        });
        if (page.items.length > 0) pages.push(page.items);
        pageToken = page.nextPageToken;
      } while (pageToken && pages.length < MAX_ITEM_PAGES);
      return { queue, role, pages };
    } catch (error) {
      if (error instanceof MlflowReviewUnsupportedError) throw error;
      return { queue, role, itemsError: error };
    }
  }

  /** One batchGetTraceInfos per page of items. */
  private async loadTraces(
    pages: ReviewQueueItem[][],
    experimentId: ExperimentId,
  ): Promise<Map<string, TraceInfo>> {
    const batches = await Promise.all(
      pages.map((page) =>
        this.connection.client.review.batchGetTraceInfos(
          page.map((item) => item.traceId),
          { experimentIds: [experimentId] },
        ),
      ),
    );
    return new Map(batches.flatMap((b) => b.traces).map((t) => [t.traceId, t]));
  }

  private noteFailure(error: unknown): void {
    if (!(error instanceof MlflowReviewUnsupportedError)) this.connection.noteFailure(error);
  }

  dispose(): void {
    this.changed.dispose();
    this.identityChanged.dispose();
  }
}

export function progress(pages: ReviewQueueItem[][]): QueueProgress {
  const counts: QueueProgress = { total: 0, complete: 0, declined: 0, pending: 0 };
  for (const item of pages.flat()) {
    counts.total++;
    counts[item.status]++;
  }
  return counts;
}

/** "3/5 done · 1 declined · 2 pending": done is complete or declined, as MLflow's progress bar. */
export function progressLabel(p: QueueProgress): string {
  if (p.total === 0) return 'no items';
  return [
    `${p.complete + p.declined}/${p.total} done`,
    ...(p.declined > 0 ? [`${p.declined} declined`] : []),
    `${p.pending} pending`,
  ].join(' · ');
}

function errorRow(id: string, error: unknown): QueueMessageNode {
  const message = errorMessage(error);
  return new QueueMessageNode(`error:${id}`, message, 'error', message);
}
