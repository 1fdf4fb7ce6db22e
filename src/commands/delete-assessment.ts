/**
 * MLflow: Delete Assessment, after a modal confirmation that says what goes. Deleting an override
 * brings back the feedback it replaced. With `{ traceId, assessmentId, confirmed: true }` it
 * deletes without asking (for scripts and tests).
 */
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { Cancelled } from './error-handler';
import { describeAssessment, notify, resolveAssessmentTarget } from './targets';
import { assessmentSummary, sourceLabel } from '../tree/format';

export async function deleteAssessment(ctx: CommandContext, arg?: unknown): Promise<boolean> {
  const title = 'Delete Assessment';
  const { trace, assessment } = await resolveAssessmentTarget(ctx, arg, { title });
  const confirmed = (arg as { confirmed?: boolean } | undefined)?.confirmed === true;
  if (!confirmed) {
    const restores =
      assessment.kind === 'feedback' && assessment.overrides
        ? trace.assessments.find((a) => a.assessmentId === assessment.overrides)
        : undefined;
    const detail = [
      `${assessmentSummary(assessment)} · by ${sourceLabel(assessment)}`,
      restores
        ? `This is an override: deleting it restores the ${sourceLabel(restores)} feedback (${assessmentSummary(restores)}).`
        : 'This cannot be undone.',
    ].join('\n\n');
    const choice = await vscode.window.showWarningMessage(
      `Delete the ${describeAssessment(assessment)}?`,
      { modal: true, detail },
      'Delete',
    );
    if (choice !== 'Delete') throw new Cancelled();
  }
  await ctx.store.deleteAssessment(trace.traceId, assessment.assessmentId);
  notify(`$(trash) Deleted ${describeAssessment(assessment)}`);
  return true;
}
