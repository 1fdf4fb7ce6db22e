/**
 * MLflow: Override Feedback. Supersedes a judge's (or code's, or another reviewer's) feedback
 * with the reviewer's own: the original stays on record, marked invalid, and the tree shows it
 * as overridden. With `{ traceId, assessmentId, value, rationale? }` it overrides without asking.
 */
import type { Feedback } from '../mlflow';
import { checkOverridable, isOverridableBy } from '../store/assessment-rules';
import type { CommandContext } from './context';
import { enterFeedbackValue, enterRationale, pickValueType } from './prompts';
import { resolveAssessmentTarget } from './targets';
import { notify } from '../ui/notify';
import { FEEDBACK_VALUE_TYPES, valueTypeOf } from '../shared/value-input';
import { plain, sourceLabel, traceName } from '../shared/format';
import type { CommandArgs } from './args';
import type { FeedbackDraft } from './log-feedback';

export async function overrideFeedback(
  ctx: CommandContext,
  { target, value: givenValue, rationale: givenRationale }: CommandArgs['overrideFeedback'],
): Promise<Feedback> {
  const title = 'Override Feedback';
  const reviewer = ctx.connection.settings.reviewer;
  // The pickers offer only what can be overridden: a judge's, code's or another person's.
  const { trace, assessment: chosen } = await resolveAssessmentTarget(
    ctx,
    target,
    { title },
    {
      accepts: (a) => isOverridableBy(a, reviewer),
      what: 'feedback from a judge, code or another reviewer to override',
    },
  );
  // Checked before asking anything; the store checks again before it writes.
  const assessment = checkOverridable(trace, chosen);
  // What was typed for a send that failed comes back as the defaults ("Try Again").
  const draftKey = `override:${assessment.assessmentId}`;
  const draft = (ctx.drafts.get(draftKey) as FeedbackDraft | undefined) ?? {};
  let value = givenValue;
  let rationale = givenRationale;
  if (value === undefined) {
    const was = assessment.error
      ? `error ${assessment.error.errorCode}`
      : JSON.stringify(assessment.value);
    const stepTitle = `${title}: ${plain(`${assessment.name} = ${was} by ${sourceLabel(assessment)}`)}`;
    const subject = traceName(trace);
    const author = reviewer;
    const type = await pickValueType(
      { title: stepTitle, step: 1, totalSteps: 3, subject, author },
      FEEDBACK_VALUE_TYPES,
      draft.type ?? (assessment.value === null ? 'boolean' : valueTypeOf(assessment.value)),
    );
    value = await enterFeedbackValue(
      { title: stepTitle, step: 2, totalSteps: 3, subject, author },
      type,
      draft.type === type ? draft.value : undefined,
    );
    rationale = await enterRationale(
      { title: stepTitle, step: 3, totalSteps: 3, subject, author },
      draft.rationale,
    );
    ctx.drafts.set(draftKey, { type, value, rationale } satisfies FeedbackDraft);
  }
  const override = await ctx.store.overrideFeedback(trace, {
    assessmentId: assessment.assessmentId,
    value,
    ...(rationale ? { rationale } : {}),
    source: { sourceType: 'HUMAN', sourceId: ctx.connection.settings.reviewer },
  });
  ctx.drafts.delete(draftKey);
  notify(`$(check) Overrode "${plain(assessment.name)}"`);
  return override;
}
