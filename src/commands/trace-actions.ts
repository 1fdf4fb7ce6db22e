/** Small actions on a trace or an assessment: copy ids, open the MLflow web UI, reveal by id. */
import * as vscode from 'vscode';
import { asAssessmentId, type AssessmentId } from '../mlflow';
import { copyToClipboard } from '../ui/notify';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { input } from './prompts';
import { resolveAssessmentTarget, resolveTraceTarget, revealTrace } from './targets';

export async function copyTraceId(
  ctx: CommandContext,
  { target }: CommandArgs['copyTraceId'],
): Promise<string> {
  const { trace } = await resolveTraceTarget(ctx, target, { title: 'Copy Trace ID' });
  await copyToClipboard(trace.traceId);
  return trace.traceId;
}

export async function copyAssessmentId(
  ctx: CommandContext,
  { target }: CommandArgs['copyAssessmentId'],
): Promise<string> {
  const { assessment } = await resolveAssessmentTarget(ctx, target, {
    title: 'Copy Assessment ID',
  });
  await copyToClipboard(assessment.assessmentId);
  return assessment.assessmentId;
}

/** The trace in MLflow's own UI (the experiment's Traces tab with the trace open). */
export function mlflowUiUrl(
  baseUrl: string,
  experimentId: string | undefined,
  traceId: string,
): string {
  const base = baseUrl.replace(/\/+$/, '');
  return experimentId
    ? `${base}/#/experiments/${encodeURIComponent(experimentId)}/traces?selectedEvaluationId=${encodeURIComponent(traceId)}`
    : `${base}/#/experiments`;
}

export async function openInMlflowUi(
  ctx: CommandContext,
  { target }: CommandArgs['openInMlflowUi'],
): Promise<string> {
  const { trace } = await resolveTraceTarget(ctx, target, { title: 'Open in MLflow UI' });
  const url = mlflowUiUrl(
    ctx.connection.settings.trackingUri.url,
    trace.experimentId,
    trace.traceId,
  );
  await vscode.env.openExternal(vscode.Uri.parse(url, true));
  return url;
}

/** Finds an assessment among the loaded traces (or on a given trace) and selects it in the tree. */
export async function revealAssessment(
  ctx: CommandContext,
  given: CommandArgs['revealAssessment'],
): Promise<boolean> {
  const assessmentId: AssessmentId =
    given ??
    asAssessmentId(
      (
        await input(
          { title: 'Reveal Assessment' },
          {
            prompt: 'The assessment id (a-…)',
            validate: (t) =>
              /^a-[0-9a-f]+$/i.test(t.trim()) ? undefined : 'Assessment ids look like a-0123abcd…',
          },
        )
      ).trim(),
    );
  const trace = [...ctx.tree.loadedTraces()].find((t) =>
    t.assessments.some((a) => a.assessmentId === assessmentId),
  );
  if (!trace) {
    throw new Error(
      `No loaded trace has assessment ${assessmentId}. Load more traces or clear the filters, then try again.`,
    );
  }
  await revealTrace(ctx, trace, { expand: true });
  const { assessment } = await resolveAssessmentTarget(
    ctx,
    { traceId: trace.traceId, assessmentId },
    { title: 'Reveal Assessment' },
  );
  const node = ctx.tree.assessmentNode(assessment.assessmentId);
  if (node) await ctx.view.reveal(node, { select: true, focus: true });
  return true;
}
