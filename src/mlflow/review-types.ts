/**
 * Domain types of MLflow's human review (3.14 and later): label schemas (the questions reviewers
 * answer) and review queues (sets of traces assigned to reviewers). camelCase, like types.ts; the
 * wire shapes are in review-schemas.ts.
 */
import type { ExperimentId, TraceId } from './ids';

/** What a label schema's answers are logged as: a feedback or an expectation. */
export type LabelSchemaKind = 'feedback' | 'expectation';

/**
 * How a question is answered, and so what value its assessment holds:
 * - passFail: a boolean, `true` meaning the positive label;
 * - categorical: one of the options (a string), or a list of them when `multiSelect`;
 * - numeric: a number within the bounds that are set (inclusive);
 * - text: a string of at most `maxLength` characters when that is set.
 * `unsupported` is an input a newer server knows and this client does not: the question shows,
 * but cannot be answered here.
 */
export type LabelInput =
  | { type: 'passFail'; positiveLabel: string; negativeLabel: string }
  | { type: 'categorical'; options: string[]; multiSelect: boolean }
  | { type: 'numeric'; minValue?: number; maxValue?: number }
  | { type: 'text'; maxLength?: number }
  | { type: 'unsupported'; variant: string };

/** An input as callers give it to create or update a schema. */
export type LabelInputSpec = Exclude<LabelInput, { type: 'unsupported' }>;

export interface LabelSchema {
  /** `ls-…`. */
  schemaId: string;
  experimentId: ExperimentId;
  /** Also the name of the assessments that answer it. Unique in the experiment. */
  name: string;
  kind: LabelSchemaKind;
  instruction?: string;
  /** Whether reviewers may add a comment (logged as the assessment's rationale). */
  enableComment: boolean;
  input: LabelInput;
  /** Never set by the 3.18 server (its store does not record who created a schema). */
  createdBy?: string;
  /** Milliseconds since the epoch. */
  createdAt?: number;
  lastUpdatedAt?: number;
  /** The experiment's protected "Feedback" question: cannot be edited or deleted. */
  isDefault: boolean;
}

/** USER: one reviewer's personal queue, answering all of the experiment's questions.
 *  CUSTOM: a named queue with 0–10 reviewers and a chosen set of questions. */
export type ReviewQueueType = 'user' | 'custom';

export interface ReviewQueue {
  /** `rq-…`. */
  queueId: string;
  experimentId: ExperimentId;
  /** For a user queue, the user (lowercased by the server). */
  name: string;
  queueType: ReviewQueueType;
  /** The owner: the signed-in user who created it; unset on a server without authentication
   *  (except for user queues, owned by their user). */
  createdBy?: string;
  creationTimeMs: number;
  lastUpdateTimeMs: number;
  /** Assigned reviewers, lowercased by the server; membership is matched case-insensitively. */
  users: string[];
  /** The questions of a custom queue; empty for a user queue (it answers all of them). */
  schemaIds: string[];
}

export type ReviewStatus = 'pending' | 'complete' | 'declined';

export interface ReviewQueueItem {
  queueId: string;
  /** The trace this item is. (Traces are the only items in 3.18.) */
  traceId: TraceId;
  status: ReviewStatus;
  /** Who completed or declined it (lowercased); unset while pending. */
  completedBy?: string;
  completedTimeMs?: number;
  creationTimeMs: number;
  lastUpdateTimeMs: number;
}

// ---- inputs --------------------------------------------------------------------------------

export interface CreateLabelSchemaInput {
  experimentId: string;
  name: string;
  kind: LabelSchemaKind;
  input: LabelInputSpec;
  instruction?: string;
  enableComment?: boolean;
}

/** The fields to change; the kind cannot change, nor the input's variant or multi-select. */
export interface UpdateLabelSchemaInput {
  name?: string;
  instruction?: string;
  enableComment?: boolean;
  input?: LabelInputSpec;
}

export interface ListReviewQueuesInput {
  experimentId: string;
  /** Only the queues this user is assigned to. */
  user?: string;
  /** Only the queues that hold this trace. */
  traceId?: string;
  /** 1 to 50 000; the server's default is 1000. */
  maxResults?: number;
  pageToken?: string;
}

export interface CreateReviewQueueInput {
  experimentId: string;
  name: string;
  /** At most 10. */
  users?: string[];
  schemaIds?: string[];
}

/** The fields to change. `users` or `schemaIds` replace the whole set (an empty list clears it). */
export interface UpdateReviewQueueInput {
  name?: string;
  /** Needs MANAGE on the experiment. */
  newOwner?: string;
  users?: string[];
  /** Refused once the queue has items ("questions are locked"). */
  schemaIds?: string[];
}

export interface ListQueueItemsInput {
  status?: ReviewStatus;
  maxResults?: number;
  pageToken?: string;
}

export interface SetItemStatusInput {
  queueId: string;
  traceId: string;
  status: ReviewStatus;
  /**
   * Who completed or declined the item: required for complete and declined, and not sent for
   * pending (the server refuses it there). A server with authentication records the signed-in
   * user instead of this value.
   */
  completedBy?: string;
}
