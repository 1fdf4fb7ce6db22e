/**
 * MLflow: Create Question… (a label schema) and MLflow: Create Queue… (a custom review queue),
 * step by step in quick inputs, each step checked as typed against the server's own rules
 * (question-rules.ts). What was typed survives a failure: "Try Again" offers it again. With a
 * complete argument (other code, tests) they create without asking.
 */
import type {
  ExperimentId,
  LabelInputSpec,
  LabelSchema,
  LabelSchemaKind,
  ReviewQueue,
} from '../mlflow';
import { plain } from '../shared/format';
import {
  boundsProblem,
  describeQuestion,
  instructionProblem,
  labelProblem,
  parseBound,
  parseMaxLength,
  parseOptions,
  parseQueueUsers,
  questionNameProblem,
  queueNameProblem,
} from '../shared/question-rules';
import { notify } from '../ui/notify';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { input, pick, pickMany, type StepInfo } from './prompts';
import { pickExperiment } from './queue-commands';

export interface QuestionDraft {
  name?: string;
  kind?: LabelSchemaKind;
  input?: LabelInputSpec;
  instruction?: string;
  enableComment?: boolean;
}

const INPUT_KINDS: { type: LabelInputSpec['type']; label: string; detail: string }[] = [
  {
    type: 'passFail',
    label: 'Pass/fail',
    detail: 'Two choices with your labels, e.g. Correct and Incorrect',
  },
  { type: 'categorical', label: 'Categorical', detail: 'One (or several) of up to 10 options' },
  {
    type: 'numeric',
    label: 'Numeric',
    detail: 'A number, optionally between a minimum and a maximum',
  },
  { type: 'text', label: 'Text', detail: 'Free text, optionally with a maximum length' },
];

/** MLflow: Create Question…: a label schema in the experiment (needs MANAGE on it). */
export async function createQuestion(
  ctx: CommandContext,
  given: CommandArgs['createQuestion'],
): Promise<LabelSchema> {
  const experimentId = given.experimentId ?? (await pickExperiment(ctx, 'Create Question'));
  const draftKey = `question:${experimentId}`;
  const spec =
    given.name !== undefined && given.kind && given.input
      ? given
      : await askQuestion(
          ctx,
          (ctx.drafts.get(draftKey) as QuestionDraft | undefined) ?? {},
          draftKey,
        );
  // Given by other code: checked as typed names are.
  const problem = questionNameProblem(spec.name ?? '');
  if (problem) throw new Error(problem);
  const schema = await ctx.connection.client.review.createLabelSchema({
    experimentId,
    name: spec.name?.trim() ?? '',
    kind: spec.kind ?? 'feedback',
    input: spec.input ?? { type: 'text' },
    ...(spec.instruction ? { instruction: spec.instruction } : {}),
    ...(spec.enableComment !== undefined ? { enableComment: spec.enableComment } : {}),
  });
  ctx.drafts.delete(draftKey);
  notify(`$(check) Question "${plain(schema.name)}" created: ${describeQuestion(schema)}`);
  return schema;
}

async function askQuestion(
  ctx: CommandContext,
  draft: QuestionDraft,
  draftKey: string,
): Promise<QuestionDraft> {
  const step: StepInfo = { title: 'Create Question', totalSteps: 6 };
  const name = (
    await input(
      { ...step, step: 1 },
      {
        prompt: "The question's name: also the name of the assessments that answer it",
        placeHolder: 'e.g. Correctness',
        ...(draft.name ? { value: draft.name } : {}),
        validate: questionNameProblem,
      },
    )
  ).trim();
  const answer: QuestionDraft = { ...draft, name };
  ctx.drafts.set(draftKey, answer);
  const kinds = [
    {
      label: 'Feedback',
      detail: 'A judgement of the trace (logged as feedback)',
      schemaKind: 'feedback' as const,
    },
    {
      label: 'Expectation',
      detail: 'The ground truth for the trace (logged as an expectation)',
      schemaKind: 'expectation' as const,
    },
  ];
  answer.kind = (
    await pick({ ...step, step: 2 }, kinds, {
      placeHolder: 'What do answers record?',
      activeIndex: draft.kind === 'expectation' ? 1 : 0,
    })
  ).schemaKind;
  const type = (
    await pick({ ...step, step: 3 }, INPUT_KINDS, {
      placeHolder: 'How is it answered?',
      activeIndex: Math.max(
        0,
        INPUT_KINDS.findIndex((k) => k.type === draft.input?.type),
      ),
    })
  ).type;
  answer.input = await askInput({ ...step, step: 4 }, type, draft.input);
  ctx.drafts.set(draftKey, answer);
  answer.instruction = (
    await input(
      { ...step, step: 5 },
      {
        prompt: 'An instruction for reviewers (optional: press Enter to skip)',
        placeHolder: 'e.g. Is every fact in the answer supported by the documents?',
        ...(draft.instruction ? { value: draft.instruction } : {}),
        validate: instructionProblem,
      },
    )
  ).trim();
  const comments = [
    { label: 'No comment', detail: 'Reviewers give the answer only', on: false },
    {
      label: 'Allow a comment',
      detail: 'Reviewers may add a comment (logged as the rationale)',
      on: true,
    },
  ];
  answer.enableComment = (
    await pick({ ...step, step: 6 }, comments, {
      placeHolder: 'May reviewers add a comment?',
      activeIndex: draft.enableComment ? 1 : 0,
    })
  ).on;
  ctx.drafts.set(draftKey, answer);
  return answer;
}

async function askInput(
  info: StepInfo,
  type: LabelInputSpec['type'],
  draft: LabelInputSpec | undefined,
): Promise<LabelInputSpec> {
  const same = draft?.type === type ? draft : undefined;
  switch (type) {
    case 'passFail': {
      const positiveLabel = (
        await input(info, {
          prompt: 'The positive label (true)',
          value: same?.type === 'passFail' ? same.positiveLabel : 'Pass',
          validate: (t) => labelProblem(t),
        })
      ).trim();
      const negativeLabel = (
        await input(info, {
          prompt: 'The negative label (false)',
          value: same?.type === 'passFail' ? same.negativeLabel : 'Fail',
          validate: (t) => labelProblem(t, positiveLabel),
        })
      ).trim();
      return { type, positiveLabel, negativeLabel };
    }
    case 'categorical': {
      const text = await input(info, {
        prompt: 'The options, separated by commas (1 to 10)',
        placeHolder: 'e.g. helpful, neutral, harmful',
        ...(same?.type === 'categorical' ? { value: same.options.join(', ') } : {}),
        validate: (t) => {
          const parsed = parseOptions(t);
          return parsed.ok ? undefined : parsed.message;
        },
      });
      const parsed = parseOptions(text);
      if (!parsed.ok) throw new Error(parsed.message);
      const modes = [
        { label: 'One option', detail: 'Reviewers pick exactly one', multiSelect: false },
        { label: 'Several options', detail: 'Reviewers pick one or more', multiSelect: true },
      ];
      const mode = await pick(info, modes, {
        placeHolder: 'One option or several? (cannot change later)',
        activeIndex: same?.type === 'categorical' && same.multiSelect ? 1 : 0,
      });
      return { type, options: parsed.options, multiSelect: mode.multiSelect };
    }
    case 'numeric': {
      const bound = (t: string) => {
        const parsed = parseBound(t);
        return parsed.ok ? undefined : parsed.message;
      };
      const minText = await input(info, {
        prompt: 'The minimum (optional: press Enter for none)',
        ...(same?.type === 'numeric' && same.minValue !== undefined
          ? { value: String(same.minValue) }
          : {}),
        validate: bound,
      });
      const minValue = valueOf(parseBound(minText));
      const maxText = await input(info, {
        prompt: 'The maximum (optional: press Enter for none)',
        ...(same?.type === 'numeric' && same.maxValue !== undefined
          ? { value: String(same.maxValue) }
          : {}),
        validate: (t) => bound(t) ?? boundsProblem(minValue, valueOf(parseBound(t))),
      });
      const maxValue = valueOf(parseBound(maxText));
      return {
        type,
        ...(minValue !== undefined ? { minValue } : {}),
        ...(maxValue !== undefined ? { maxValue } : {}),
      };
    }
    case 'text': {
      const text = await input(info, {
        prompt: 'The maximum length in characters (optional: press Enter for none)',
        ...(same?.type === 'text' && same.maxLength !== undefined
          ? { value: String(same.maxLength) }
          : {}),
        validate: (t) => {
          const parsed = parseMaxLength(t);
          return parsed.ok ? undefined : parsed.message;
        },
      });
      const maxLength = valueOf(parseMaxLength(text));
      return { type, ...(maxLength !== undefined ? { maxLength } : {}) };
    }
  }
}

function valueOf<T>(parsed: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

export interface QueueDraft {
  name?: string;
  schemaIds?: string[];
  users?: string;
}

/**
 * MLflow: Create Queue…: a custom queue with a name, the experiment's questions chosen (at least
 * one, as MLflow's UI asks) and its reviewers; the reviewer creating it is always one of them,
 * as MLflow's UI makes it.
 */
export async function createQueue(
  ctx: CommandContext,
  given: CommandArgs['createQueue'],
): Promise<ReviewQueue> {
  const experimentId: ExperimentId =
    given.experimentId ?? (await pickExperiment(ctx, 'Create Queue'));
  const me = (await ctx.queues.model.reviewer()).user;
  const draftKey = `queue:${experimentId}`;
  const draft = (ctx.drafts.get(draftKey) as QueueDraft | undefined) ?? {};
  const step: StepInfo = { title: 'Create Queue', totalSteps: 3, author: me };
  const name =
    given.name ??
    (
      await input(
        { ...step, step: 1 },
        {
          prompt: "The queue's name",
          placeHolder: 'e.g. Release 2.3 triage',
          ...(draft.name ? { value: draft.name } : {}),
          validate: queueNameProblem,
        },
      )
    ).trim();
  const nameProblem = queueNameProblem(name);
  if (nameProblem) throw new Error(nameProblem);
  ctx.drafts.set(draftKey, { ...draft, name });
  const schemaIds =
    given.schemaIds ??
    (await pickQuestions(ctx, experimentId, { ...step, step: 2 }, draft.schemaIds));
  ctx.drafts.set(draftKey, { ...draft, name, schemaIds });
  // Given a name and questions (other code, tests), no reviewers given means only its creator.
  const complete = given.name !== undefined && given.schemaIds !== undefined;
  const typed =
    given.users?.join(', ') ??
    (complete
      ? ''
      : await input(
          { ...step, step: 3 },
          {
            prompt: `Other reviewers, separated by commas (you, ${me}, are one already; at most 10 in all)`,
            placeHolder: 'e.g. alice@example.com, bob',
            ...(draft.users ? { value: draft.users } : {}),
            validate: (t) => {
              const parsed = parseQueueUsers(t, me);
              return parsed.ok ? undefined : parsed.message;
            },
          },
        ));
  ctx.drafts.set(draftKey, { name, schemaIds, users: typed });
  const users = parseQueueUsers(typed, me);
  if (!users.ok) throw new Error(users.message);
  const queue = await ctx.queues.model.createQueue({
    experimentId,
    name,
    users: users.users,
    schemaIds,
  });
  ctx.drafts.delete(draftKey);
  notify(`$(check) Review queue "${plain(queue.name)}" created.`);
  return queue;
}

async function pickQuestions(
  ctx: CommandContext,
  experimentId: ExperimentId,
  info: StepInfo,
  before: string[] | undefined,
): Promise<string[]> {
  const schemas = await ctx.connection.client.review.listAllLabelSchemas(experimentId);
  const rows = schemas.map((s) => ({
    label: plain(s.name),
    description: describeQuestion(s),
    ...(s.instruction ? { detail: plain(s.instruction) } : {}),
    schemaId: s.schemaId,
  }));
  const onlyDefault = schemas.every((s) => s.isDefault);
  const chosen = await pickMany(info, rows, {
    placeHolder: onlyDefault
      ? 'The questions reviewers answer (this experiment has only the default one: "MLflow: Create Question…" adds more)'
      : 'The questions reviewers answer: Space ticks, Enter accepts',
    picked: rows.filter((r) => before?.includes(r.schemaId)),
    atLeastOne: 'Tick at least one question (Space), then press Enter: a queue needs questions.',
  });
  return chosen.map((r) => r.schemaId);
}
