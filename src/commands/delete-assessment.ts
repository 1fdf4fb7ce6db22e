/**
 * MLflow: Delete Assessment, after a modal confirmation that says what goes. Deleting an override
 * brings back the feedback it replaced. With `{ traceId, assessmentId, confirmed: true }` it
 * deletes without asking (for scripts and tests).
 */
import * as vscode from 'vscode';
import type { CommandContext } from './context';
import { Cancelled } from '../util/cancelled';
import { resolveAssessmentTarget } from './targets';
import {
  assessmentSummary,
  describeAssessment,
  plain,
  sourceLabel,
  traceName,
} from '../shared/format';
import { notify } from '../ui/notify';
import type { CommandArgs } from './args';

export async function deleteAssessment(
  ctx: CommandContext,
  { target, confirmed }: CommandArgs['deleteAssessment'],
): Promise<boolean> {
  const title = 'Delete Assessment';
  const { trace, assessment } = await resolveAssessmentTarget(ctx, target, { title });
  if (!confirmed) {
    const restores =
      assessment.kind === 'feedback' && assessment.overrides
        ? trace.assessments.find((a) => a.assessmentId === assessment.overrides)
        : undefined;
    const detail = [
      plain(`${assessmentSummary(assessment)} · by ${sourceLabel(assessment)}`),
      restores
        ? `This is an override: deleting it restores the ${plain(sourceLabel(restores))} feedback (${plain(assessmentSummary(restores))}).`
        : 'This cannot be undone.',
    ].join('\n\n');
    // "Keep" comes first, so it is the default button: Enter never deletes.
    const choice = await vscode.window.showWarningMessage(
      `Delete the ${describeAssessment(assessment)} by ${plain(sourceLabel(assessment))} on trace "${plain(traceName(trace))}"?`,
      { modal: true, detail },
      'Keep',
      'Delete',
    );
    if (choice !== 'Delete') throw new Cancelled();
  }
  await ctx.store.deleteAssessment(trace.traceId, assessment.assessmentId);
  notify(`$(trash) Deleted ${describeAssessment(assessment)}`);
  return true;
}
