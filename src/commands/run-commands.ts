/** MLflow: Review Traces from the Last Run: "Submit and Next" over exactly the run's traces. */
import * as vscode from 'vscode';
import type { TraceId } from '../mlflow';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';

/**
 * Opens the first (newest) of the traces in the panel and the feedback form beside it; the form's
 * Submit and Next then goes through the others, and only them (the store's review list).
 */
export async function reviewRunTraces(
  ctx: CommandContext,
  traceIds: CommandArgs['reviewRunTraces'],
): Promise<TraceId[]> {
  const ids = traceIds ?? ctx.runs.last?.traceIds ?? [];
  const first = ids[0];
  if (first === undefined)
    throw new Error(
      'No run of your app has made traces yet: run it (debug, a task or the terminal, with MLFLOW_TRACKING_URI set to this server) and try again.',
    );
  ctx.store.setReviewList(ids);
  ctx.runs.taken();
  await ctx.traces.show(first, { column: vscode.ViewColumn.One, preserveFocus: true });
  await ctx.forms.show({ mode: 'feedback', traceId: first });
  return ids;
}
