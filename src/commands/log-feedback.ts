/**
 * MLflow: Log Feedback. On a trace or a span: name (recent names first), value type, value,
 * optional rationale; source HUMAN with the reviewer's identity. With `{ traceId, name, value }`
 * as its argument it logs without asking.
 */
import type { Feedback, FeedbackValue, TraceId } from '../mlflow';
import { sessionAssessmentMetadata, sessionLabel } from '../shared/sessions';
import type { CommandContext } from './context';
import { enterFeedbackValue, enterRationale, pickName, pickValueType } from './prompts';
import { resolveTraceTarget } from './targets';
import { enterAnswer } from './answer-prompts';
import { checkAgainstQuestion } from './questions';
import { plain, traceName } from '../shared/format';
import { notify } from '../ui/notify';
import { FEEDBACK_VALUE_TYPES, valueTypeOf, type ValueType } from '../shared/value-input';
import type { CommandArgs } from './args';

export interface FeedbackDraft {
  name?: string;
  type?: ValueType;
  value?: FeedbackValue;
  rationale?: string;
}

/**
 * A session-level rating (Rate Session): logged on the session's first turn, with the session
 * in the assessment's metadata, as MLflow's session scorers log theirs.
 */
export interface SessionRating {
  sessionId: string;
  /** The session's first turn. */
  firstTurn: TraceId;
}

export async function logFeedback(
  ctx: CommandContext,
  given: CommandArgs['logFeedback'],
  session?: SessionRating,
): Promise<Feedback> {
  const title = session ? 'Rate Session' : 'Log Feedback';
  const { trace, spanId } = session
    ? { trace: await ctx.store.getTrace(session.firstTurn), spanId: undefined }
    : await resolveTraceTarget(ctx, given.target, { title });
  const step = {
    title,
    totalSteps: 4,
    subject: session ? `session ${sessionLabel(session.sessionId)}` : traceName(trace),
    author: ctx.connection.settings.reviewer,
  };
  const draftKey = session
    ? `session-feedback:${JSON.stringify(session.sessionId)}`
    : `feedback:${trace.traceId}:${spanId ?? ''}`;
  const draft = (ctx.drafts.get(draftKey) as FeedbackDraft | undefined) ?? {};

  let name = given.name;
  let value = given.value;
  let rationale = given.rationale;
  // The experiment's questions come first; none on a server older than MLflow 3.14.
  const questions = await ctx.questions.of(ctx.connection.client, trace.experimentId, 'feedback');
  if (name === undefined || value === undefined) {
    const onTrace = trace.assessments.filter((a) => a.kind === 'feedback').map((a) => a.name);
    const recent = ctx.store.recentAssessmentNames(trace.experimentId, 'feedback');
    name = await pickName({ ...step, step: 1 }, [...recent, ...onTrace], draft.name, questions);
    const chosen = name;
    const previous = trace.assessments.find(
      (a) => a.kind === 'feedback' && a.name === chosen && a.value !== null,
    );
    const schema = questions.find((q) => q.name === chosen);
    if (schema) {
      // Asked as the question says: its value step, and a comment only where it allows one.
      const steps = { ...step, totalSteps: schema.enableComment ? 3 : 2 };
      value = await enterAnswer(
        { ...steps, step: 2 },
        schema,
        draft.name === name ? draft.value : (previous?.value ?? undefined),
      );
      rationale = schema.enableComment
        ? await enterRationale({ ...steps, step: 3 }, draft.rationale)
        : undefined;
      ctx.drafts.set(draftKey, { name, value, rationale });
    } else {
      const type = await pickValueType(
        { ...step, step: 2 },
        FEEDBACK_VALUE_TYPES,
        draft.type ?? (previous ? valueTypeOf(previous.value) : 'boolean'),
      );
      value = await enterFeedbackValue(
        { ...step, step: 3 },
        type,
        draft.type === type ? draft.value : undefined,
      );
      rationale = await enterRationale({ ...step, step: 4 }, draft.rationale);
      ctx.drafts.set(draftKey, { name, type, value, rationale });
    }
  } else {
    // Given by other code: checked against the question of that name, as if typed.
    checkAgainstQuestion(questions, name, value);
  }

  const feedback = await ctx.store.logFeedback({
    traceId: trace.traceId,
    name,
    value,
    ...(rationale ? { rationale } : {}),
    ...(spanId ? { spanId } : {}),
    ...(session ? { metadata: sessionAssessmentMetadata(session.sessionId) } : {}),
    source: { sourceType: 'HUMAN', sourceId: ctx.connection.settings.reviewer },
  });
  ctx.drafts.delete(draftKey);
  notify(`$(check) Logged ${session ? 'session ' : ''}feedback "${plain(name)}"`);
  return feedback;
}
