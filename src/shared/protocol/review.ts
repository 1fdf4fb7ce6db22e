/**
 * The review panel's messages: a queue's item (its trace, drawn by the trace view, beside the
 * queue's questions), the answers the reviewer gives, and the queue's actions. The trace view's
 * own messages (trace.ts) travel on the same channel: the review page embeds that view.
 */
import * as z from '../../mlflow/zod';
import { errorMessage, labelInputView, readyMessage, type Protocol } from './common';
import { traceFromWebview, traceToWebview } from './trace';

export const questionView = z.object({
  schemaId: z.string(),
  name: z.string(),
  kind: z.enum(['feedback', 'expectation']),
  instruction: z.optional(z.string()),
  enableComment: z.boolean(),
  input: labelInputView,
});
export type QuestionView = z.infer<typeof questionView>;

/**
 * What the reviewer gave a question so far: a choice (`value`: the pass/fail boolean, an option,
 * options), or what was typed (`text`: a number or a text answer, checked as typed), and a comment.
 */
export const answerDraft = z.object({
  value: z.optional(z.union([z.boolean(), z.string(), z.array(z.string())])),
  text: z.optional(z.string()),
  comment: z.optional(z.string()),
});
export type AnswerDraft = z.infer<typeof answerDraft>;

export const drafts = z.record(z.string(), answerDraft);

export const itemStatus = z.enum(['pending', 'complete', 'declined']);

const queueInfo = z.object({ queueId: z.string(), name: z.string(), experimentId: z.string() });

const progress = z.object({ total: z.number(), reviewed: z.number(), pending: z.number() });

/** The actions every key and command of the panel names. */
export const REVIEW_ACTIONS = [
  'submit',
  'decline',
  'reopen',
  'next',
  'previous',
  'nextUnreviewed',
  'help',
] as const;
export type ReviewAction = (typeof REVIEW_ACTIONS)[number];

// ---- host → webview -------------------------------------------------------------------------

export const reviewToWebview = z.union([
  z.discriminatedUnion('type', [
    /**
     * An item to review: its place in the queue, the questions and the reviewer's own answers in
     * force (`prefill`). The trace itself follows in the trace view's own `trace` message.
     * `generation` numbers the items shown: an answer to an older one is refused.
     */
    z.object({
      type: z.literal('item'),
      generation: z.number(),
      queue: queueInfo,
      traceId: z.string(),
      status: itemStatus,
      completedBy: z.optional(z.string()),
      position: z.number(),
      progress,
      questions: z.array(questionView),
      prefill: drafts,
      /** Set when some of the queue's questions no longer exist. */
      notice: z.optional(z.string()),
      reviewer: z.string(),
      server: z.string(),
    }),
    /** Nothing is pending: the queue is done. */
    z.object({ type: z.literal('finished'), queue: queueInfo, progress, server: z.string() }),
    /** The questions as the server has them now (changed while the item was shown). */
    z.object({
      type: z.literal('questions'),
      generation: z.number(),
      questions: z.array(questionView),
    }),
    /** The item's status changed (declined, reopened) and the queue's progress with it. */
    z.object({
      type: z.literal('status'),
      generation: z.number(),
      status: itemStatus,
      completedBy: z.optional(z.string()),
      progress,
    }),
    z.object({ type: z.literal('busy'), what: z.string() }),
    /** An action failed: the answers stay as typed; `schemaId` names the question concerned. */
    z.object({
      type: z.literal('failed'),
      message: z.string(),
      problems: z.array(z.object({ schemaId: z.string(), message: z.string() })),
    }),
    /** A key bound in VS Code (package.json) ran its command: the webview acts with its answers. */
    z.object({ type: z.literal('command'), action: z.enum(REVIEW_ACTIONS) }),
    errorMessage,
  ]),
  traceToWebview,
]);
export type ReviewToWebview = z.infer<typeof reviewToWebview>;

// ---- webview → host -------------------------------------------------------------------------

export const reviewFromWebview = z.union([
  z.discriminatedUnion('type', [
    readyMessage,
    z.object({
      type: z.literal('submit'),
      generation: z.number(),
      traceId: z.string(),
      answers: drafts,
    }),
    z.object({
      type: z.literal('act'),
      generation: z.number(),
      traceId: z.string(),
      action: z.enum(['decline', 'reopen', 'next', 'previous', 'nextUnreviewed', 'first']),
    }),
    /** "Open in MLflow Review". */
    z.object({ type: z.literal('openInMlflow') }),
    /** The item was drawn: `ms` since the action that led to it (submit, decline, a step). */
    z.object({
      type: z.literal('itemDrawn'),
      traceId: z.string(),
      ms: z.optional(z.number()),
      cause: z.string(),
    }),
  ]),
  traceFromWebview,
]);
export type ReviewFromWebview = z.infer<typeof reviewFromWebview>;

export const REVIEW_PROTOCOL: Protocol<ReviewToWebview, ReviewFromWebview> = {
  toWebview: reviewToWebview,
  fromWebview: reviewFromWebview,
};
