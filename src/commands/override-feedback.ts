/**
 * MLflow: Override Feedback. Supersedes a judge's (or code's, or another reviewer's) feedback
 * with the reviewer's own: the original stays on record, marked invalid, and the tree shows it
 * as overridden. With `{ traceId, assessmentId, value, rationale? }` it overrides without asking.
 */
import { MlflowInputError, type Feedback, type FeedbackValue } from '../mlflow';
import type { CommandContext } from './context';
import { enterFeedbackValue, enterRationale, pickValueType } from './prompts';
import { notify, resolveAssessmentTarget } from './targets';
import { valueTypeOf, type ValueType } from '../shared/value-input';
import { sourceLabel } from '../tree/format';

const FEEDBACK_TYPES: ValueType[] = ['boolean', 'number', 'string', 'labels', 'json'];

export async function overrideFeedback(ctx: CommandContext, arg?: unknown): Promise<Feedback> {
  const title = 'Override Feedback';
  const { trace, assessment } = await resolveAssessmentTarget(ctx, arg, { title });
  if (assessment.kind !== 'feedback') {
    throw new MlflowInputError(
      `Only feedback can be overridden; "${assessment.name}" is an expectation. Edit it instead.`,
    );
  }
  if (!assessment.valid) {
    throw new MlflowInputError(
      `"${assessment.name}" is already overridden. Override or edit the feedback that replaced it.`,
    );
  }
  const given = (arg ?? {}) as { value?: FeedbackValue; rationale?: string };
  let { value, rationale } = given;
  if (value === undefined) {
    const was = assessment.error
      ? `error ${assessment.error.errorCode}`
      : JSON.stringify(assessment.value);
    const stepTitle = `${title}: ${assessment.name} = ${was} by ${sourceLabel(assessment)}`;
    const type = await pickValueType(
      { title: stepTitle, step: 1, totalSteps: 3 },
      FEEDBACK_TYPES,
      assessment.value === null ? 'boolean' : valueTypeOf(assessment.value),
    );
    value = await enterFeedbackValue({ title: stepTitle, step: 2, totalSteps: 3 }, type);
    rationale = await enterRationale({ title: stepTitle, step: 3, totalSteps: 3 });
  }
  const override = await ctx.store.overrideFeedback({
    traceId: trace.traceId,
    assessmentId: assessment.assessmentId,
    value,
    ...(rationale ? { rationale } : {}),
    source: { sourceType: 'HUMAN', sourceId: ctx.connection.settings.reviewer },
  });
  notify(`$(check) Overrode "${assessment.name}"`);
  return override;
}
