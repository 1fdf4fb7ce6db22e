/** Refresh, paging and filters of the trace tree. */
import * as vscode from 'vscode';
import { MlflowApiError } from '../mlflow';
import { plain } from '../shared/format';
import {
  isFiltered,
  NO_FILTER,
  QUICK_FILTERS,
  type QuickFilter,
  type TraceFilter,
} from '../store/trace-filters';
import { CONTEXT_KEYS } from '../ui/ids';
import { setContext } from '../ui/vscode-commands';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { inputChecked, runQuickPick } from './prompts';

/**
 * MLflow: Refresh loads everything again. A Retry row (`failed`) asks the server again and
 * reloads only what failed, keeping every page that loaded.
 */
export async function refresh(ctx: CommandContext, scope: CommandArgs['refresh']): Promise<void> {
  if (scope !== 'failed') ctx.store.reset();
  const state = await ctx.connection.check();
  if (scope === 'failed' && state.kind === 'connected') {
    ctx.store.dropFailed();
    ctx.tree.refreshAll();
  }
}

export async function loadMore(
  ctx: CommandContext,
  experimentId: CommandArgs['loadMore'],
): Promise<number> {
  if (experimentId === undefined) return 0;
  await ctx.store.loadMore(experimentId);
  return ctx.store.list(experimentId)?.traces.length ?? 0;
}

/**
 * MLflow: Filter Traces. The filter string is tried on the server before it is applied, so a
 * mistake shows the server's own message next to what was typed, and the tree keeps working.
 */
export async function setFilter(
  ctx: CommandContext,
  given: CommandArgs['setFilter'],
): Promise<string | undefined> {
  const experimentIds = (await ctx.store.experiments()).map((e) => e.experimentId);
  const check = (text: string) => checkFilter(ctx, experimentIds, text.trim());
  let text: string;
  if (given !== undefined) {
    text = given;
    const problem = await check(text);
    if (problem) throw new Error(problem);
  } else {
    text = await inputChecked(
      { title: 'Filter Traces' },
      {
        prompt:
          "An MLflow filter string, e.g. trace.status = 'OK' AND feedback.correctness = 'false' (empty: no filter)",
        value: ctx.store.filter.text ?? '',
        placeHolder: "tag.environment = 'dev' AND trace.execution_time_ms > 1000",
      },
      check,
    );
  }
  applyFilter(ctx, { ...ctx.store.filter, text: text.trim() || undefined });
  return text.trim() || undefined;
}

export function clearFilter(ctx: CommandContext): Promise<void> {
  applyFilter(ctx, NO_FILTER);
  return Promise.resolve();
}

/** Toggles the quick filters; with a list of names as argument, sets exactly those. */
export async function quickFilter(
  ctx: CommandContext,
  given: CommandArgs['quickFilter'],
): Promise<QuickFilter[]> {
  let chosen: QuickFilter[];
  if (given) chosen = given;
  else {
    const picker = vscode.window.createQuickPick<vscode.QuickPickItem & { filter: QuickFilter }>();
    picker.canSelectMany = true;
    // The quick filters narrow the person's own filter string: say so, or it looks ignored.
    const text = ctx.store.filter.text;
    picker.title = text ? `Quick Filters, combined with your filter: ${text}` : 'Quick Filters';
    picker.placeholder = 'Show only traces with… (Space to toggle, Enter to apply)';
    picker.items = (Object.keys(QUICK_FILTERS) as QuickFilter[]).map((filter) => ({
      label: QUICK_FILTERS[filter].label,
      detail: QUICK_FILTERS[filter].description,
      filter,
    }));
    picker.selectedItems = picker.items.filter((i) => ctx.store.filter.quick.has(i.filter));
    chosen = await runQuickPick(picker, () => picker.selectedItems.map((i) => i.filter));
  }
  applyFilter(ctx, { ...ctx.store.filter, quick: new Set(chosen) });
  return chosen;
}

export function applyFilter(ctx: CommandContext, filter: TraceFilter): void {
  ctx.store.setFilter(filter);
  setContext(CONTEXT_KEYS.filtered, isFiltered(filter));
}

/** The server's verdict on a filter string: undefined if it accepts it. */
async function checkFilter(
  ctx: CommandContext,
  experimentIds: string[],
  filter: string,
): Promise<string | undefined> {
  if (!filter || experimentIds.length === 0) return undefined;
  try {
    await ctx.connection.client.searchTraces({ experimentIds, filter, maxResults: 1 });
    return undefined;
  } catch (error) {
    if (error instanceof MlflowApiError && error.status === 400) {
      return `The server rejected the filter: ${plain(error.serverMessage)}`;
    }
    throw error;
  }
}
