/**
 * Where the review panel's queue lives: on the server (MLflow 3.14+ review queues), or in the
 * workspace (a local queue, for servers without review queues). The panel works both the same
 * way; only reading the queue, its items and questions, and setting an item's status differ.
 * A local queue is the experiment's loaded traces (by the current filter) that no person has
 * given feedback when it is made, frozen then; its questions are the experiment's feedback names
 * in use (a boolean one as pass/fail, a number as a number, else text), or one pass/fail question
 * "feedback" when none is in use. Its statuses are kept in the workspace's state. No `vscode`.
 */
import {
  asExperimentId,
  asTraceId,
  DEFAULT_FEEDBACK_NAME,
  type LabelInput,
  type LabelSchema,
  type ReviewClient,
  type ReviewQueue,
  type ReviewQueueItem,
  type ReviewStatus,
  type TraceInfo,
} from '../mlflow';
import { hasHumanFeedback } from '../store/assessment-rules';

export interface QueueSource {
  /** Set for a local queue: the server has no review queues. */
  readonly local: boolean;
  queue(): Promise<ReviewQueue>;
  /** Every item, in the queue's order. */
  items(): Promise<ReviewQueueItem[]>;
  /** The questions to choose from (the panel keeps those the queue asks). */
  schemas(experimentId: string): Promise<LabelSchema[]>;
  setStatus(traceId: string, status: ReviewStatus, completedBy: string): Promise<ReviewQueueItem>;
}

/** Items listed per request (a queue's items are all loaded: navigation needs their order). */
const ITEM_PAGE = 500;

export function serverQueue(client: ReviewClient, queueId: string): QueueSource {
  return {
    local: false,
    queue: () => client.getReviewQueue(queueId),
    items: async () => {
      const items: ReviewQueueItem[] = [];
      let pageToken: string | undefined;
      do {
        const page = await client.listItems(queueId, {
          maxResults: ITEM_PAGE,
          ...(pageToken ? { pageToken } : {}),
        });
        items.push(...page.items);
        pageToken = page.nextPageToken;
      } while (pageToken);
      return items;
    },
    schemas: (experimentId) => client.listAllLabelSchemas(experimentId),
    setStatus: (traceId, status, completedBy) =>
      client.setItemStatus({
        queueId,
        traceId,
        status,
        ...(status === 'pending' ? {} : { completedBy }),
      }),
  };
}

// ---- local queues ---------------------------------------------------------------------------

/** The workspace's state (VS Code's Memento), as much of it as a local queue needs. */
export interface KeyValueStore {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

const LOCAL_PREFIX = 'local:';

export interface LocalQueueRecord {
  experimentId: string;
  server: string;
  made: number;
  traceIds: string[];
  questions: { name: string; input: LabelInput }[];
  statuses: Record<string, { status: ReviewStatus; completedBy?: string; at?: number }>;
}

export function isLocalQueueId(queueId: string): boolean {
  return queueId.startsWith(LOCAL_PREFIX);
}

export function localQueueId(experimentId: string): string {
  return `${LOCAL_PREFIX}${experimentId}`;
}

function storageKey(server: string, experimentId: string): string {
  return `mlflowTraceReview.localQueue:${server}:${experimentId}`;
}

/** Questions from the experiment's feedback names in use, each typed by its values. */
export function localQuestions(traces: readonly TraceInfo[]): LocalQueueRecord['questions'] {
  const values = new Map<string, unknown[]>();
  for (const trace of traces)
    for (const a of trace.assessments)
      if (a.kind === 'feedback' && a.valid && !a.error) {
        const list = values.get(a.name) ?? [];
        list.push(a.value);
        values.set(a.name, list);
      }
  const questions = [...values.entries()].slice(0, 10).map(([name, seen]) => ({
    name,
    input: inputFor(seen),
  }));
  return questions.length > 0
    ? questions
    : [
        {
          name: DEFAULT_FEEDBACK_NAME,
          input: { type: 'passFail', positiveLabel: 'Pass', negativeLabel: 'Fail' },
        },
      ];
}

function inputFor(seen: unknown[]): LabelInput {
  if (seen.every((v) => typeof v === 'boolean'))
    return { type: 'passFail', positiveLabel: 'Pass', negativeLabel: 'Fail' };
  if (seen.every((v) => typeof v === 'number' && Number.isFinite(v))) return { type: 'numeric' };
  return { type: 'text' };
}

/** Makes (or makes again) the experiment's local queue from the traces given. */
export async function makeLocalQueue(
  state: KeyValueStore,
  server: string,
  experimentId: string,
  traces: readonly TraceInfo[],
): Promise<LocalQueueRecord> {
  const record: LocalQueueRecord = {
    experimentId,
    server,
    made: Date.now(),
    traceIds: traces.filter((t) => !hasHumanFeedback(t)).map((t) => t.traceId),
    questions: localQuestions(traces),
    statuses: {},
  };
  await state.update(storageKey(server, experimentId), record);
  return record;
}

export function localQueue(state: KeyValueStore, server: string, queueId: string): QueueSource {
  const experimentId = queueId.slice(LOCAL_PREFIX.length);
  const key = storageKey(server, experimentId);
  const read = (): LocalQueueRecord => {
    const record = state.get(key) as LocalQueueRecord | undefined;
    if (!record)
      throw new Error(
        `This workspace has no local review queue for experiment ${experimentId}: make one with "MLflow: Work a Local Review Queue…".`,
      );
    return record;
  };
  const itemOf = (record: LocalQueueRecord, traceId: string): ReviewQueueItem => {
    const saved = record.statuses[traceId];
    return {
      queueId,
      traceId: asTraceId(traceId),
      status: saved?.status ?? 'pending',
      ...(saved?.completedBy ? { completedBy: saved.completedBy } : {}),
      ...(saved?.at ? { completedTimeMs: saved.at } : {}),
      creationTimeMs: record.made,
      lastUpdateTimeMs: saved?.at ?? record.made,
    };
  };
  return {
    local: true,
    queue: () => {
      const record = read();
      return Promise.resolve({
        queueId,
        experimentId: asExperimentId(experimentId),
        name: 'Local queue (traces without human feedback)',
        queueType: 'custom',
        creationTimeMs: record.made,
        lastUpdateTimeMs: record.made,
        users: [],
        schemaIds: record.questions.map((q) => localSchemaId(q.name)),
      });
    },
    items: () => {
      const record = read();
      return Promise.resolve(record.traceIds.map((id) => itemOf(record, id)));
    },
    schemas: () =>
      Promise.resolve(
        read().questions.map((q): LabelSchema => ({
          schemaId: localSchemaId(q.name),
          experimentId: asExperimentId(experimentId),
          name: q.name,
          kind: 'feedback',
          enableComment: true,
          input: q.input,
          isDefault: false,
        })),
      ),
    setStatus: async (traceId, status, completedBy) => {
      const record = read();
      if (!record.traceIds.includes(traceId))
        throw new Error(`The trace ${traceId} is not an item of the local queue.`);
      const statuses = Object.fromEntries(
        Object.entries(record.statuses).filter(([id]) => id !== traceId),
      );
      if (status !== 'pending') statuses[traceId] = { status, completedBy, at: Date.now() };
      const next = { ...record, statuses };
      await state.update(key, next);
      return itemOf(next, traceId);
    },
  };
}

function localSchemaId(name: string): string {
  return `local:${name}`;
}
