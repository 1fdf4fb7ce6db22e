/** From the code to its traces and back (src/code/): a lens's click, and Go to Source. */
import * as vscode from 'vscode';
import { goToSource as goToCode, sourceQuery } from '../code/go-to-source';
import { spanNameFilter } from '../code/span-stats-source';
import { MlflowInputError } from '../mlflow';
import { VIEW_ID } from '../ui/ids';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { resolveTraceTarget } from './targets';
import { applyFilter } from './view-commands';

/** The tree, filtered on the server to the traces with a span of that name. */
export async function showSpanTraces(
  ctx: CommandContext,
  arg: CommandArgs['showSpanTraces'],
): Promise<void> {
  applyFilter(ctx, { text: spanNameFilter(arg.spanName), quick: new Set() });
  await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
}

export async function goToSource(
  ctx: CommandContext,
  arg: CommandArgs['goToSource'],
): Promise<unknown> {
  const { trace, spanId } = await resolveTraceTarget(ctx, arg.target, {
    title: 'Go to Source',
    step: 1,
    totalSteps: 1,
  });
  const spans = await ctx.store.spansOf(trace);
  // A trace (not a span) means its root span.
  const span = spanId ? spans.find((s) => s.spanId === spanId) : spans.find((s) => !s.parentSpanId);
  if (!span)
    throw new MlflowInputError(`Span ${spanId ?? '(root)'} is not in trace ${trace.traceId}.`);
  return goToCode(sourceQuery(trace, span), ctx.code.parser);
}
