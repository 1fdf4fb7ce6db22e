/** Opening the trace panel and the full forms. */
import * as vscode from 'vscode';
import type { TreeNode } from '../tree/nodes';
import type { CommandContext } from './context';
import { input } from './prompts';
import { resolveAssessmentTarget, resolveTraceTarget } from './targets';
import { traceRef, type CommandArgs } from './args';

/** MLflow: Open Trace. From a tree row, a trace id (argument or typed), or the selection. */
export async function openTrace(
  ctx: CommandContext,
  { target, ask, preview }: CommandArgs['openTrace'],
): Promise<vscode.WebviewPanel> {
  const typed = ask ? traceRef(await askTraceId()) : target;
  const { trace } = await resolveTraceTarget(ctx, typed, { title: 'Open Trace' });
  return ctx.traces.show(trace.traceId, { preview });
}

export async function openFeedbackForm(
  ctx: CommandContext,
  { target }: CommandArgs['openFeedbackForm'],
): Promise<vscode.WebviewPanel> {
  const returnFocus = focusReturn(ctx, target);
  const { trace, spanId } = await resolveTraceTarget(ctx, target, { title: 'Feedback Form' });
  return ctx.forms.show({
    mode: 'feedback',
    traceId: trace.traceId,
    ...(spanId ? { spanId } : {}),
    returnFocus,
  });
}

export async function openExpectationForm(
  ctx: CommandContext,
  { target }: CommandArgs['openExpectationForm'],
): Promise<vscode.WebviewPanel> {
  const returnFocus = focusReturn(ctx, target);
  const { trace, spanId } = await resolveTraceTarget(ctx, target, { title: 'Expectation Form' });
  return ctx.forms.show({
    mode: 'expectation',
    traceId: trace.traceId,
    ...(spanId ? { spanId } : {}),
    returnFocus,
  });
}

/** The full form for editing or overriding an assessment. */
export async function openAssessmentForm(
  ctx: CommandContext,
  { target, mode }: CommandArgs['openAssessmentForm'],
): Promise<vscode.WebviewPanel> {
  const returnFocus = focusReturn(ctx, target);
  const { trace, assessment } = await resolveAssessmentTarget(ctx, target, {
    title: 'Assessment Form',
  });
  return ctx.forms.show({
    mode,
    traceId: trace.traceId,
    assessmentId: assessment.assessmentId,
    returnFocus,
  });
}

/**
 * Where the focus goes back when a form closes: the tree row it was opened on (a row's menu, or
 * the selection when no target was named), else the text editor that was active.
 */
function focusReturn(
  ctx: CommandContext,
  target: { node?: TreeNode } | object | undefined,
): (() => Thenable<unknown>) | undefined {
  const node =
    target && 'node' in target ? target.node : target ? undefined : ctx.view.selection[0];
  if (node) return () => ctx.view.reveal(node, { select: true, focus: true });
  const editor = vscode.window.activeTextEditor;
  if (editor)
    return () => vscode.window.showTextDocument(editor.document, { viewColumn: editor.viewColumn });
  return undefined;
}

async function askTraceId(): Promise<string> {
  return (
    await input(
      { title: 'Open Trace' },
      {
        prompt: 'The trace id (tr-…)',
        validate: (t) =>
          /^tr-[0-9a-f]{32}$/i.test(t.trim())
            ? undefined
            : 'Trace ids look like tr-0123abcd… (32 hex digits)',
      },
    )
  ).trim();
}
