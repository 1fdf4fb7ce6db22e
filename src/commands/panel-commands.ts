/** Opening the trace panel and the full forms. */
import type * as vscode from 'vscode';
import type { CommandContext } from './context';
import { input } from './prompts';
import { resolveAssessmentTarget, resolveTraceTarget } from './targets';

/** MLflow: Open Trace. From a tree row, a trace id (argument or typed), or the selection. */
export async function openTrace(ctx: CommandContext, arg?: unknown): Promise<vscode.WebviewPanel> {
  const typed = arg === 'prompt' ? await askTraceId() : undefined;
  const { trace } = await resolveTraceTarget(ctx, typed ?? arg, { title: 'Open Trace' });
  return ctx.traces.show(trace.traceId);
}

export async function openFeedbackForm(
  ctx: CommandContext,
  arg?: unknown,
): Promise<vscode.WebviewPanel> {
  const { trace, spanId } = await resolveTraceTarget(ctx, arg, { title: 'Feedback Form' });
  return ctx.forms.show({
    mode: 'feedback',
    traceId: trace.traceId,
    ...(spanId ? { spanId } : {}),
  });
}

export async function openExpectationForm(
  ctx: CommandContext,
  arg?: unknown,
): Promise<vscode.WebviewPanel> {
  const { trace, spanId } = await resolveTraceTarget(ctx, arg, { title: 'Expectation Form' });
  return ctx.forms.show({
    mode: 'expectation',
    traceId: trace.traceId,
    ...(spanId ? { spanId } : {}),
  });
}

/** The full form for editing or overriding an assessment. */
export async function openAssessmentForm(
  ctx: CommandContext,
  arg?: unknown,
): Promise<vscode.WebviewPanel> {
  const mode = (arg as { mode?: unknown } | undefined)?.mode === 'override' ? 'override' : 'edit';
  const { trace, assessment } = await resolveAssessmentTarget(ctx, arg, {
    title: 'Assessment Form',
  });
  return ctx.forms.show({ mode, traceId: trace.traceId, assessmentId: assessment.assessmentId });
}

async function askTraceId(): Promise<string> {
  return (
    await input(
      { title: 'Open Trace' },
      {
        prompt: 'The trace id (tr-…)',
        validate: (t) => (t.trim() ? undefined : 'Enter a trace id'),
      },
    )
  ).trim();
}
