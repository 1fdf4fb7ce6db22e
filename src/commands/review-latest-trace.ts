/**
 * MLflow: Review Latest Trace. For the debugging loop: run the app, then this. Fetches the newest
 * trace of the shown experiments, reveals and selects it, opens its panel beside, and starts
 * the feedback flow on it.
 */
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { Cancelled } from '../util/cancelled';
import { logFeedback } from './log-feedback';
import { revealTrace } from './targets';

export async function reviewLatestTrace(ctx: CommandContext): Promise<string | undefined> {
  const experiments = await ctx.store.experiments();
  await Promise.all(experiments.map((e) => ctx.store.ensureList(e)));
  await Promise.all(experiments.map((e) => ctx.store.pollNewest(e.experimentId)));
  const [latest] = await ctx.store.loadedTraces();
  if (!latest)
    throw new Error(
      `No traces yet: run your app with MLFLOW_TRACKING_URI=${ctx.connection.settings.trackingUri.url} (new terminals have it), then try again.`,
    );
  await revealTrace(ctx, latest, { expand: true });
  // The reviewer reads what the app did before rating it: its panel, beside, keeping the focus.
  await ctx.traces.show(latest.traceId, { column: vscode.ViewColumn.Beside, preserveFocus: true });
  try {
    await logFeedback(ctx, { target: { traceId: latest.traceId } });
  } catch (error) {
    // Escape leaves the trace revealed and selected: reviewing can go on from the tree.
    if (!(error instanceof Cancelled)) throw error;
  }
  return latest.traceId;
}
