/**
 * The rules of working a review queue, as MLflow's own Review tab applies them (no `vscode`):
 * which questions a queue asks, where "next unreviewed" is, the progress, what the reviewer
 * answered before (the pre-fill), and the assessments a submit writes. The server knows none of
 * this (mlflow-review-api.md §1b): it is the UI's convention, repeated here exactly.
 */
import type {
  Assessment,
  AssessmentId,
  LabelSchema,
  ReviewQueue,
  ReviewQueueItem,
  TraceInfo,
} from '../mlflow';
import { checkLabelAnswer, type LabelAnswer } from '../shared/label-validation';
import { checkDraft, isAnswered } from '../shared/review-answers';
import type { AnswerDraft } from '../shared/protocol/review';
import { sameUser } from '../store/review-identity';

/**
 * The questions a queue asks, in the order they were made (the server lists them newest first;
 * a queue's `schemaIds` come sorted by id, an order that means nothing): a user queue all of the
 * experiment's questions, a custom queue those among its `schemaIds`. A custom queue's question
 * that no longer exists is left out and named in `missing`.
 */
export function questionsOf(
  queue: ReviewQueue,
  schemas: LabelSchema[],
): { questions: LabelSchema[]; missing: string[] } {
  const ordered = schemas
    .map((schema, index) => ({ schema, index }))
    .sort((a, b) => (a.schema.createdAt ?? 0) - (b.schema.createdAt ?? 0) || b.index - a.index)
    .map((e) => e.schema);
  if (queue.queueType === 'user') return { questions: ordered, missing: [] };
  const wanted = new Set(queue.schemaIds);
  const questions = ordered.filter((s) => wanted.has(s.schemaId));
  const found = new Set(questions.map((s) => s.schemaId));
  return { questions, missing: queue.schemaIds.filter((id) => !found.has(id)) };
}

/**
 * "Next unreviewed", as MLflow's UI: the first PENDING item after the current one, wrapping
 * around, never the current one. Undefined when no other item is pending.
 */
export function nextUnreviewed(
  items: readonly ReviewQueueItem[],
  currentTraceId: string | undefined,
): ReviewQueueItem | undefined {
  const index = items.findIndex((i) => i.traceId === currentTraceId);
  const order = index < 0 ? items : [...items.slice(index + 1), ...items.slice(0, index)];
  return order.find((i) => i.traceId !== currentTraceId && i.status === 'pending');
}

/** Previous and Next step through the list in the server's order, stopping at its ends. */
export function step(
  items: readonly ReviewQueueItem[],
  currentTraceId: string | undefined,
  by: 1 | -1,
): ReviewQueueItem | undefined {
  const index = items.findIndex((i) => i.traceId === currentTraceId);
  if (index < 0) return items[0];
  return items[index + by];
}

/** Where a review starts: the item asked for, else the first pending one (none: finished). */
export function startItem(
  items: readonly ReviewQueueItem[],
  traceId: string | undefined,
): ReviewQueueItem | undefined {
  return (
    (traceId !== undefined ? items.find((i) => i.traceId === traceId) : undefined) ??
    items.find((i) => i.status === 'pending')
  );
}

export interface Progress {
  total: number;
  /** Complete or declined: MLflow's progress bar counts both. */
  reviewed: number;
  pending: number;
}

export function progressOf(items: readonly ReviewQueueItem[]): Progress {
  const pending = items.filter((i) => i.status === 'pending').length;
  return { total: items.length, reviewed: items.length - pending, pending };
}

/** "3 of 5 reviewed". */
export function progressText(p: Progress): string {
  return `${p.reviewed} of ${p.total} reviewed`;
}

/**
 * The reviewer's own answer to a question in force: their newest valid HUMAN assessment named
 * after it (source id compared case-insensitively), as MLflow's UI pre-fills.
 */
export function ownAnswer(
  trace: TraceInfo,
  schema: LabelSchema,
  reviewer: string,
): Assessment | undefined {
  return trace.assessments
    .filter(
      (a) =>
        a.valid &&
        a.name === schema.name &&
        a.kind === schema.kind &&
        a.source.sourceType === 'HUMAN' &&
        sameUser(a.source.sourceId ?? '', reviewer),
    )
    .sort((x, y) => y.createTime.localeCompare(x.createTime))[0];
}

/**
 * The drafts a question starts with: the reviewer's own answer in force, when it still fits the
 * question (an answer that no longer fits is not shown as if it did: the question starts empty).
 */
export function prefill(
  trace: TraceInfo,
  questions: readonly LabelSchema[],
  reviewer: string,
): Record<string, AnswerDraft> {
  const drafts: Record<string, AnswerDraft> = {};
  for (const schema of questions) {
    const own = ownAnswer(trace, schema, reviewer);
    if (!own) continue;
    const checked = checkLabelAnswer(schema.input, own.value);
    if (!checked.ok) continue;
    const rationale = own.kind === 'feedback' ? own.rationale : undefined;
    drafts[schema.schemaId] = {
      ...draftOf(schema, checked.value),
      ...(rationale && schema.enableComment ? { comment: rationale } : {}),
    };
  }
  return drafts;
}

/** Typed answers (numbers, texts) are drafts as text; choices as their value. */
function draftOf(schema: LabelSchema, value: LabelAnswer): AnswerDraft {
  if (schema.input.type === 'numeric' || schema.input.type === 'text')
    return { text: String(value) };
  return typeof value === 'number' ? {} : { value };
}

export interface AnswerWrite {
  schemaId: string;
  kind: Assessment['kind'];
  name: string;
  value: LabelAnswer;
  rationale?: string;
  /** The reviewer's own earlier answer in force, which this one supersedes. */
  overrides?: AssessmentId;
}

export type SubmitPlan =
  | { ok: true; writes: AnswerWrite[] }
  | { ok: false; problems: { schemaId: string; message: string }[] };

/**
 * What a submit writes: one assessment per answered question, named after it, its kind the
 * schema's, the comment as rationale where the schema takes comments, overriding the reviewer's
 * own earlier answer in force. Checked against `questions` as the server has them now: an answer
 * that no longer fits, or to a question that is gone, is a problem and nothing is written.
 */
export function planSubmit(
  questions: readonly LabelSchema[],
  drafts: Readonly<Record<string, AnswerDraft>>,
  trace: TraceInfo,
  reviewer: string,
): SubmitPlan {
  const problems: { schemaId: string; message: string }[] = [];
  const writes: AnswerWrite[] = [];
  const byId = new Map(questions.map((q) => [q.schemaId, q]));
  for (const [schemaId, draft] of Object.entries(drafts)) {
    if (!isAnswered(draft)) continue;
    const schema = byId.get(schemaId);
    if (!schema) {
      problems.push({
        schemaId,
        message:
          'This question was deleted or taken out of the queue while you answered it: your answer cannot be saved. Copy it if you need it, then reload the item.',
      });
      continue;
    }
    const checked = checkDraft(schema.input, draft);
    if (!checked.ok) {
      problems.push({ schemaId, message: `${schema.name}: ${checked.message}` });
      continue;
    }
    const comment = draft.comment?.trim() ? draft.comment : undefined;
    const own = ownAnswer(trace, schema, reviewer);
    writes.push({
      schemaId,
      kind: schema.kind,
      name: schema.name,
      value: checked.value,
      ...(comment && schema.enableComment ? { rationale: comment } : {}),
      ...(own ? { overrides: own.assessmentId } : {}),
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (writes.length === 0)
    return {
      ok: false,
      problems: [
        {
          schemaId: questions[0]?.schemaId ?? '',
          message:
            'Nothing is answered yet: answer at least one question, or decline the item (Ctrl+D, ⌘D on a Mac).',
        },
      ],
    };
  // In the queue's order of questions, as MLflow's UI sends them.
  const order = new Map(questions.map((q, i) => [q.schemaId, i]));
  writes.sort((a, b) => (order.get(a.schemaId) ?? 0) - (order.get(b.schemaId) ?? 0));
  return { ok: true, writes };
}

/** The deep link MLflow's UI reads (its hash router's `useReviewQueueUrlState`). */
export function mlflowReviewUrl(
  baseUrl: string,
  experimentId: string,
  queueId: string,
  traceId: string | undefined,
): string {
  const base = baseUrl.replace(/\/+$/, '');
  const query = [
    `selectedQueueId=${encodeURIComponent(queueId)}`,
    ...(traceId ? [`selectedItemId=${encodeURIComponent(traceId)}`, 'startReview=true'] : []),
  ].join('&');
  return `${base}/#/experiments/${encodeURIComponent(experimentId)}/review-queue?${query}`;
}
