/** The Review Queues view's commands: refresh, "Create My Queue", "Add to Review Queue…". */
import type { ExperimentId, ReviewQueue, ReviewQueueItem, TraceInfo } from '../mlflow';
import type { QueueRole } from '../store/review-identity';
import { plain, traceName } from '../shared/format';
import { notify } from '../ui/notify';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { pick } from './prompts';
import { resolveTraceTarget } from './targets';
import { TraceNode } from '../tree/nodes';

/**
 * MLflow: Refresh Review Queues: the identity, the queues and their items loaded again, and any
 * experiment made since the list was loaded.
 */
export async function refreshQueues(ctx: CommandContext): Promise<void> {
  try {
    await ctx.store.pollExperiments();
  } finally {
    ctx.queues.refresh();
  }
}

/**
 * MLflow: Create My Queue: the reviewer's own queue in the experiment (the server's
 * get-or-create: the queue there already, or a new one named after the reviewer).
 */
export async function createMyQueue(
  ctx: CommandContext,
  experimentId: CommandArgs['createMyQueue'],
): Promise<ReviewQueue> {
  const experiment = experimentId ?? (await pickExperiment(ctx, 'Create My Queue'));
  const queue = await ctx.queues.model.createMyQueue(experiment);
  notify(`Your review queue "${plain(queue.name)}" is ready.`);
  return queue;
}

/** The only experiment shown, else the person picks one. */
export async function pickExperiment(
  ctx: CommandContext,
  title: string,
): Promise<CommandArgs['createMyQueue'] & string> {
  const experiments = await ctx.store.experiments();
  const only = experiments.length === 1 ? experiments[0] : undefined;
  if (only) return only.experimentId;
  if (experiments.length === 0)
    throw new Error('No experiment is shown: choose one with "MLflow: Select Experiments…".');
  const chosen = await pick(
    { title },
    experiments.map((e) => ({
      label: plain(e.name),
      description: e.experimentId,
      experimentId: e.experimentId,
    })),
    { placeHolder: 'Which experiment?' },
  );
  return chosen.experimentId;
}

/**
 * MLflow: Add to Review Queue…: the traces (the selected rows, ids, or one picked) go into a
 * queue of their experiment, picked from the queues the server has now (the reviewer's own
 * first). The server adds all or none: a trace of another experiment is refused with its id.
 */
export async function addToReviewQueue(
  ctx: CommandContext,
  { traces: refs, queueId }: CommandArgs['addToReviewQueue'],
): Promise<ReviewQueueItem[]> {
  const title = 'Add to Review Queue';
  const traces = await resolveTraces(ctx, refs, title);
  const first = traces[0];
  if (!first) throw new Error('No trace to add.');
  const what = traces.length === 1 ? plain(traceName(first)) : `${traces.length} traces`;
  const queue =
    queueId ??
    (await pickQueue(ctx, await experimentOf(ctx, first), { title, subject: what })).queueId;
  const items = await ctx.queues.model.addItems(
    queue,
    traces.map((t) => t.traceId),
  );
  notify(`Added ${what} to the review queue.`);
  return items;
}

export async function resolveTraces(
  ctx: CommandContext,
  refs: CommandArgs['addToReviewQueue']['traces'],
  title: string,
): Promise<TraceInfo[]> {
  if (refs.length > 0)
    return Promise.all(
      refs.map(async (ref) =>
        'node' in ref ? ref.node.trace : await ctx.store.getTrace(ref.traceId),
      ),
    );
  // The palette: every selected trace row, else one trace (the selection's, or picked).
  const selected = ctx.view.selection.filter((node) => node instanceof TraceNode);
  if (selected.length > 0) return selected.map((node) => node.trace);
  return [(await resolveTraceTarget(ctx, undefined, { title })).trace];
}

async function experimentOf(ctx: CommandContext, trace: TraceInfo): Promise<ExperimentId> {
  return trace.experimentId ?? (await ctx.store.getTrace(trace.traceId)).experimentId ?? fail();
}

function fail(): never {
  throw new Error('The trace has no experiment: it cannot go into a review queue.');
}

const ROLE_DESCRIPTIONS: Record<QueueRole, string> = {
  own: 'your queue',
  catchAll: 'everyone’s queue',
  member: 'assigned to you',
  other: '',
};

export async function pickQueue(
  ctx: CommandContext,
  experimentId: ExperimentId,
  info: { title: string; subject: string },
): Promise<ReviewQueue> {
  const queues = await ctx.queues.model.queuesOf(experimentId);
  const hasOwn = queues.some((q) => q.role === 'own');
  const rows: { label: string; description: string; detail?: string; queue?: ReviewQueue }[] =
    queues.map(({ queue, role }) => ({
      label: plain(queue.name),
      description: ROLE_DESCRIPTIONS[role],
      detail: `Reviewers: ${queue.users.length > 0 ? plain(queue.users.join(', ')) : 'none'}`,
      queue,
    }));
  // The server's get-or-create: no queue of one's own is no reason to stop here.
  if (!hasOwn) rows.push({ label: '$(add) Create My Queue', description: 'and add to it' });
  const chosen = await pick(info, rows, { placeHolder: 'Which review queue?' });
  return chosen.queue ?? (await ctx.queues.model.createMyQueue(experimentId));
}
