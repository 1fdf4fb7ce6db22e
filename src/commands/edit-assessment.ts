/**
 * MLflow: Edit Assessment. In place: the value (and rationale, for feedback), the name, the
 * metadata (keys added or changed). With `{ traceId, assessmentId, update }` it edits without asking.
 */
import type { Assessment, AssessmentUpdate, TraceInfo } from '../mlflow';
import type { CommandContext } from './context';
import {
  enterFeedbackValue,
  enterMetadata,
  enterRationale,
  enterValue,
  pick,
  pickName,
  pickValueType,
} from './prompts';
import { resolveAssessmentTarget } from './targets';
import { describeAssessment, traceName } from '../shared/format';
import { notify } from '../ui/notify';
import { VALUE_TYPE_NAMES, valueTypeOf } from '../shared/value-input';
import type { CommandArgs } from './args';

export async function editAssessment(
  ctx: CommandContext,
  { target, update: given }: CommandArgs['editAssessment'],
): Promise<Assessment> {
  const title = 'Edit Assessment';
  const { trace, assessment } = await resolveAssessmentTarget(ctx, target, { title });
  const update = given ?? (await askForUpdate(ctx, trace, assessment, title));
  const updated = await ctx.store.updateAssessment(trace.traceId, assessment.assessmentId, update);
  notify(`$(check) Updated ${describeAssessment(updated)}`);
  return updated;
}

async function askForUpdate(
  ctx: CommandContext,
  trace: TraceInfo,
  assessment: Assessment,
  title: string,
): Promise<AssessmentUpdate> {
  const isFeedback = assessment.kind === 'feedback';
  const fields = [
    { label: 'Value', description: JSON.stringify(assessment.value), field: 'value' as const },
    ...(isFeedback
      ? [
          {
            label: 'Rationale',
            description: assessment.rationale ?? '',
            field: 'rationale' as const,
          },
        ]
      : []),
    { label: 'Name', description: assessment.name, field: 'name' as const },
    {
      label: 'Metadata',
      description: JSON.stringify(assessment.metadata),
      field: 'metadata' as const,
    },
  ];
  const subject = traceName(trace);
  const chosen = await pick({ title, step: 1, totalSteps: 2, subject }, fields, {
    placeHolder: `What to change in ${describeAssessment(assessment)}?`,
  });
  const step = { title, step: 2, totalSteps: 2, subject };
  switch (chosen.field) {
    case 'value': {
      const type = await pickValueType(step, VALUE_TYPE_NAMES, valueTypeOf(assessment.value));
      const initial = valueTypeOf(assessment.value) === type ? assessment.value : undefined;
      return isFeedback
        ? { feedback: { value: await enterFeedbackValue(step, type, initial ?? undefined) } }
        : { expectation: { value: await enterValue(step, type, initial) } };
    }
    case 'rationale': {
      const rationale = await enterRationale(
        step,
        assessment.kind === 'feedback' ? assessment.rationale : undefined,
      );
      return { rationale: rationale ?? '' };
    }
    case 'name':
      return {
        name: await pickName(
          step,
          ctx.store.recentAssessmentNames(trace.experimentId, assessment.kind),
          assessment.name,
        ),
      };
    case 'metadata':
      return { metadata: await enterMetadata(step, assessment.metadata) };
  }
}
