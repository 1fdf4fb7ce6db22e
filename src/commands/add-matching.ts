/**
 * MLflow: Add Matching Traces to Review Queue…: every trace of an experiment that passes the
 * tree's current filter goes into a queue, after a confirmation that says how many. Counting
 * and adding show their progress and can be cancelled; at most MAX_MATCHING traces at once.
 */
import * as vscode from 'vscode';
import type { ExperimentId } from '../mlflow';
import { plain } from '../shared/format';
import {
  addInBatches,
  formatCount,
  matchingTraceIds,
  MAX_MATCHING,
  type MatchingTraces,
} from '../store/matching-traces';
import { describeFilter, isFiltered } from '../store/trace-filters';
import { Cancelled } from '../util/cancelled';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { pick } from './prompts';
import { pickExperiment, pickQueue } from './queue-commands';

export interface AddedMatching {
  queueId: string;
  /** Traces that matched (at most MAX_MATCHING). */
  matched: number;
  /** Traces sent to the queue: fewer than matched when cancelled. */
  added: number;
  truncated: boolean;
  cancelled: boolean;
}

export async function addMatchingToQueue(
  ctx: CommandContext,
  given: CommandArgs['addMatchingToQueue'],
): Promise<AddedMatching | undefined> {
  const title = 'Add Matching Traces to Review Queue';
  const experimentId: ExperimentId = given.experimentId ?? (await pickExperiment(ctx, title));
  const filter = ctx.store.filter;
  const what = isFiltered(filter)
    ? `matching '${describeFilter(filter)?.replace(/^Filtered: /, '') ?? ''}'`
    : 'of the experiment (no filter)';
  const matching = await withProgress(`Counting the traces ${plain(what)}…`, (report, cancelled) =>
    matchingTraceIds(ctx.connection.client, experimentId, filter, {
      report: (n) => {
        report(`${formatCount(n)} so far`);
      },
      cancelled,
    }),
  );
  const count = matching.traceIds.length;
  if (count === 0) {
    void vscode.window.showInformationMessage(`No trace ${plain(what)}: nothing to add.`);
    return undefined;
  }
  const queue = given.queueId
    ? await ctx.connection.client.review.getReviewQueue(given.queueId)
    : await pickQueue(ctx, experimentId, {
        title,
        subject: `${formatCount(count)} trace${count === 1 ? '' : 's'}`,
      });
  if (!given.confirmed && !(await confirm(matching, what, queue.name))) throw new Cancelled();
  const result = await withProgress(
    `Adding ${formatCount(count)} traces to "${plain(queue.name)}"…`,
    (report, cancelled) =>
      addInBatches(
        (ids) => ctx.connection.client.review.addItems(queue.queueId, ids),
        matching.traceIds,
        {
          report: (n) => {
            report(`${formatCount(n)} of ${formatCount(count)}`, 100 / Math.ceil(count / 100));
          },
          cancelled,
        },
      ),
  );
  ctx.queues.refresh();
  const message = result.cancelled
    ? `Cancelled: ${formatCount(result.added)} of ${formatCount(count)} traces were added to "${plain(queue.name)}" before you stopped (those stay in the queue).`
    : `Added ${formatCount(result.added)} trace${result.added === 1 ? '' : 's'} to "${plain(queue.name)}"${matching.truncated ? ` (the newest ${formatCount(MAX_MATCHING)}; more match: narrow the filter and add the rest)` : ''}. Traces already in the queue keep their status.`;
  void vscode.window.showInformationMessage(message);
  return {
    queueId: queue.queueId,
    matched: count,
    added: result.added,
    truncated: matching.truncated,
    cancelled: result.cancelled,
  };
}

/**
 * A yes-or-no quick pick rather than a modal dialog: it says the count in its title and is
 * answered with the keyboard like every other step.
 */
async function confirm(
  matching: MatchingTraces,
  what: string,
  queueName: string,
): Promise<boolean> {
  const count = matching.traceIds.length;
  const more = matching.truncated
    ? `More than ${formatCount(MAX_MATCHING)} traces match: only the newest ${formatCount(MAX_MATCHING)} are added (a queue is worked here up to ${formatCount(MAX_MATCHING)} items); narrow the filter to add the rest. `
    : '';
  const rows = [
    {
      label: `$(check) Add ${formatCount(count)} trace${count === 1 ? '' : 's'}`,
      detail: `${more}Traces already in the queue keep their status.`,
      add: true,
    },
    { label: 'Cancel', add: false },
  ];
  const chosen = await pick(
    {
      title: `Add ${formatCount(count)} trace${count === 1 ? '' : 's'} ${plain(what)} to queue "${plain(queueName)}"?`,
    },
    rows,
    { placeHolder: 'Add them?' },
  );
  return chosen.add;
}

/** A cancellable progress notification around `work`. */
function withProgress<T>(
  title: string,
  work: (
    report: (message: string, increment?: number) => void,
    cancelled: () => boolean,
  ) => Promise<T>,
): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) =>
        work(
          (message, increment) => {
            progress.report({ message, ...(increment !== undefined ? { increment } : {}) });
          },
          () => token.isCancellationRequested,
        ),
    ),
  );
}
