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
import { describeAssessment, plain, traceName } from '../shared/format';
import { notify } from '../ui/notify';
import { VALUE_TYPE_NAMES, valueTypeOf } from '../shared/value-input';
import type { CommandArgs } from './args';

export async function editAssessment(
  ctx: CommandContext,
  { target, update: given }: CommandArgs['editAssessment'],
): Promise<Assessment> {
  const title = 'Edit Assessment';
  const { trace, assessment } = await resolveAssessmentTarget(ctx, target, { title });
  // What was typed for a send that failed comes back as the defaults ("Try Again").
  const draftKey = `edit:${assessment.assessmentId}`;
  let update = given;
  if (!update) {
    const asked = await askForUpdate(ctx, trace, assessment, title, ctx.drafts.get(draftKey));
    ctx.drafts.set(draftKey, asked);
    update = asked.update;
  }
  const updated = await ctx.store.updateAssessment(trace.traceId, assessment.assessmentId, update);
  ctx.drafts.delete(draftKey);
  notify(`$(check) Updated ${describeAssessment(updated)}`);
  return updated;
}

type Field = 'value' | 'rationale' | 'name' | 'metadata';

/** The field chosen and the change typed, kept until it is sent. */
interface EditDraft {
  field: Field;
  update: AssessmentUpdate;
}

function isEditDraft(value: unknown): value is EditDraft {
  return typeof value === 'object' && value !== null && 'field' in value && 'update' in value;
}

async function askForUpdate(
  ctx: CommandContext,
  trace: TraceInfo,
  assessment: Assessment,
  title: string,
  saved: unknown,
): Promise<EditDraft> {
  const draft = isEditDraft(saved) ? saved : undefined;
  const isFeedback = assessment.kind === 'feedback';
  const fields = [
    {
      label: 'Value',
      description: plain(JSON.stringify(assessment.value)),
      field: 'value' as const,
    },
    ...(isFeedback
      ? [
          {
            label: 'Rationale',
            description: plain(assessment.rationale ?? ''),
            field: 'rationale' as const,
          },
        ]
      : []),
    { label: 'Name', description: plain(assessment.name), field: 'name' as const },
    {
      label: 'Metadata',
      description: plain(JSON.stringify(assessment.metadata)),
      field: 'metadata' as const,
    },
  ];
  const subject = traceName(trace);
  const chosen = await pick({ title, step: 1, totalSteps: 2, subject }, fields, {
    placeHolder: `What to change in ${describeAssessment(assessment)}?`,
    activeIndex: Math.max(
      0,
      fields.findIndex((f) => f.field === draft?.field),
    ),
  });
  const field = chosen.field;
  const step = { title, step: 2, totalSteps: 2, subject };
  // The draft's value for this field, else the assessment's own.
  const typed = draft?.field === field ? draft.update : undefined;
  switch (field) {
    case 'value': {
      const current = typed?.feedback?.value ?? typed?.expectation?.value ?? assessment.value;
      const type = await pickValueType(step, VALUE_TYPE_NAMES, valueTypeOf(current));
      const initial = valueTypeOf(current) === type ? current : undefined;
      return {
        field,
        update: isFeedback
          ? { feedback: { value: await enterFeedbackValue(step, type, initial ?? undefined) } }
          : { expectation: { value: await enterValue(step, type, initial) } },
      };
    }
    case 'rationale': {
      const rationale = await enterRationale(
        step,
        typed?.rationale ?? (assessment.kind === 'feedback' ? assessment.rationale : undefined),
      );
      return { field, update: { rationale: rationale ?? '' } };
    }
    case 'name':
      return {
        field,
        update: {
          name: await pickName(
            step,
            ctx.store.recentAssessmentNames(trace.experimentId, assessment.kind),
            typed?.name ?? assessment.name,
          ),
        },
      };
    case 'metadata':
      return {
        field,
        update: { metadata: await enterMetadata(step, typed?.metadata ?? assessment.metadata) },
      };
  }
}
