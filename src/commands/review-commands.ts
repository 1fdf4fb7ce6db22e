/**
 * The review panel's commands: Start Review (a queue row, an item row, or a queue picked with the
 * reviewer's own first), the panel's actions (each bound to a key in package.json, so that it can
 * be rebound; the webview acts with the answers it holds), and Open in MLflow Review.
 */
import * as vscode from 'vscode';
import { MlflowReviewUnsupportedError, type ExperimentId } from '../mlflow';
import { localQueueId, makeLocalQueue, type LocalQueueRecord } from '../review/queue-source';
import { mlflowReviewUrl } from '../review/review-logic';
import { ErrorWithActions } from '../ui/error-reporter';
import type { ReviewAction } from '../shared/protocol/review';
import { plain } from '../shared/format';
import type { ReviewPanel } from '../panels/review-panel';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { pick } from './prompts';
import { pickExperiment } from './queue-commands';

const ROLE_DESCRIPTIONS = {
  own: 'your queue',
  catchAll: 'everyone’s queue',
  member: 'assigned to you',
  other: '',
} as const;

/** MLflow: Start Review: the queue in the review panel, at the item given or its first pending. */
export async function startReview(
  ctx: CommandContext,
  { queueId, traceId }: CommandArgs['startReview'],
): Promise<{ queueId: string; traceId: string | undefined }> {
  let queue: string;
  try {
    queue = queueId ?? (await pickQueue(ctx, await pickExperiment(ctx, 'Start Review')));
  } catch (error) {
    // A server without review queues: a local queue is worked the same way.
    if (error instanceof MlflowReviewUnsupportedError)
      throw new ErrorWithActions(
        `${error.message} Meanwhile, "Work a Local Review Queue…" works the traces without human feedback as a queue kept in this workspace.`,
        [{ title: 'Work a Local Review Queue…', command: 'startLocalReview' }],
      );
    throw error;
  }
  const panel = await ctx.review.show(queue, traceId);
  return { queueId: queue, traceId: panel.traceId };
}

/**
 * MLflow: Work a Local Review Queue…: for servers without review queues (before MLflow 3.14), the
 * experiment's loaded traces (by the current filter) that no person has given feedback, as a
 * queue kept in this workspace, worked in the review panel. The queue made before is worked on,
 * unless `fresh` (or the person asks) makes it again from the traces loaded now.
 */
export async function startLocalReview(
  ctx: CommandContext,
  { experimentId, fresh }: CommandArgs['startLocalReview'],
): Promise<{ queueId: string; items: number; traceId: string | undefined }> {
  const chosen = experimentId ?? (await pickExperiment(ctx, 'Work a Local Review Queue'));
  const server = ctx.connection.settings.trackingUri.url;
  const state = ctx.extension.workspaceState;
  const key = `mlflowTraceReview.localQueue:${server}:${chosen}`;
  let record = state.get<LocalQueueRecord>(key);
  const remake =
    fresh ??
    (record !== undefined &&
      (
        await pick(
          { title: 'Work a Local Review Queue' },
          [
            {
              label: `Go On with the Local Queue (${record.traceIds.length} traces)`,
              remake: false,
            },
            { label: 'Make It Again from the Traces Loaded Now', remake: true },
          ],
          { placeHolder: 'This workspace has a local queue for this experiment' },
        )
      ).remake);
  if (!record || remake) {
    const experiment = (await ctx.store.experiments()).find((e) => e.experimentId === chosen);
    if (!experiment)
      throw new Error(
        `Experiment ${chosen} is not shown: choose it with "MLflow: Select Experiments…".`,
      );
    const list = await ctx.store.ensureList(experiment);
    // The traces logged since the list was loaded too (and the first page's new assessments).
    await ctx.store.pollNewest(experiment.experimentId);
    record = await makeLocalQueue(state, server, chosen, list.traces);
  }
  const queueId = localQueueId(chosen);
  const panel = await ctx.review.show(queueId);
  return { queueId, items: record.traceIds.length, traceId: panel.traceId };
}

async function pickQueue(ctx: CommandContext, experimentId: ExperimentId): Promise<string> {
  const queues = await ctx.queues.model.queuesOf(experimentId);
  if (queues.length === 0)
    throw new Error(
      'This experiment has no review queues yet: run "MLflow: Create My Queue" and add traces to it with "Add to Review Queue…".',
    );
  const chosen = await pick(
    { title: 'Start Review', subject: 'a review queue' },
    queues.map(({ queue, role }) => ({
      label: plain(queue.name),
      description: ROLE_DESCRIPTIONS[role],
      detail: `Reviewers: ${queue.users.length > 0 ? plain(queue.users.join(', ')) : 'none'}`,
      queueId: queue.queueId,
    })),
    { placeHolder: 'Which review queue?' },
  );
  return chosen.queueId;
}

function activePanel(ctx: CommandContext): ReviewPanel {
  const panel = ctx.review.active;
  if (!panel) throw new Error('No review panel is open: start one with "MLflow: Start Review…".');
  return panel;
}

/** The panel's actions: the webview acts with the answers it holds. */
export function reviewAction(action: ReviewAction) {
  return (ctx: CommandContext): Promise<void> => {
    activePanel(ctx).command(action);
    return Promise.resolve();
  };
}

/**
 * MLflow: Open in MLflow Review: the queue (and item) in MLflow's Review tab, on the server in
 * use; with nothing given, the review panel's queue and item.
 */
export async function openInMlflowReview(
  ctx: CommandContext,
  { queueId, traceId }: CommandArgs['openInMlflowReview'],
): Promise<string> {
  let url: string;
  if (queueId) {
    const queue = await ctx.connection.client.review.getReviewQueue(queueId);
    url = mlflowReviewUrl(
      ctx.connection.settings.trackingUri.url,
      queue.experimentId,
      queue.queueId,
      traceId,
    );
  } else url = activePanel(ctx).mlflowUrl();
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
  return url;
}
