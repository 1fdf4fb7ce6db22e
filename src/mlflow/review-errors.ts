/**
 * The failures of the review routes (label schemas, review queues, their items), each a typed
 * error with a message that says what happened and what to do. The server's own answers are
 * recognised in review.ts (`toReviewError`); every class but the first is an MlflowApiError, so
 * code that handles those (status, errorCode, a 401's sign-in) keeps working.
 */
import { MlflowApiError, MlflowError } from './errors';

/**
 * The server has no route for label schemas and review queues: MLflow before 3.14 (the routes
 * answer 404 there). Not the same as a queue that does not exist (ReviewQueueNotFoundError).
 */
export class MlflowReviewUnsupportedError extends MlflowError {
  constructor(
    readonly url: string,
    /** As /version gives it, e.g. "3.10.1" or "2.22.4". */
    readonly serverVersion: string,
  ) {
    const origin = new URL(url).origin;
    const old = isBefore314(serverVersion);
    super(
      `The MLflow server at ${origin} (version ${serverVersion}) has no review queues or label ` +
        `schemas (no route for ${new URL(url).pathname})` +
        (old
          ? ': they came with MLflow 3.14. Upgrade the server to MLflow 3.14 or later to work review queues.'
          : '. Check that nothing between you and the server blocks these routes.'),
    );
  }
}

/** Whether a version string is older than 3.14 (unreadable versions count as not older). */
export function isBefore314(version: string): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major < 3 || (major === 3 && minor < 14);
}

/** An error the server sent, given a clearer message; the fields stay the server's. */
abstract class ReviewApiError extends MlflowApiError {
  constructor(original: MlflowApiError, message: string) {
    super(
      original.status,
      original.errorCode,
      original.serverMessage,
      original.method,
      original.url,
    );
    this.message = message;
  }
}

/** The review queue does not exist (deleted meanwhile, or a wrong id or name). */
export class ReviewQueueNotFoundError extends ReviewApiError {
  constructor(original: MlflowApiError) {
    super(
      original,
      `The review queue was not found (404): it may have been deleted. Refresh the queues. The server said: ${original.serverMessage}`,
    );
  }
}

/** The label schema (question) does not exist. */
export class LabelSchemaNotFoundError extends ReviewApiError {
  constructor(original: MlflowApiError) {
    super(
      original,
      `The question (label schema) was not found (404): it may have been deleted. Refresh the questions. The server said: ${original.serverMessage}`,
    );
  }
}

/** The trace is not (or no longer) an item of the queue. */
export class QueueItemNotFoundError extends ReviewApiError {
  constructor(
    original: MlflowApiError,
    readonly queueId: string,
    readonly traceId: string,
  ) {
    super(
      original,
      `The trace ${traceId} is not an item of the review queue ${queueId} (404): it may have been removed from the queue. Refresh the queue.`,
    );
  }
}

/**
 * Traces that cannot be added to the queue: they do not exist, or belong to another experiment
 * than the queue's (the server checks every trace before adding any).
 */
export class TraceNotInQueueExperimentError extends ReviewApiError {
  constructor(
    original: MlflowApiError,
    readonly queueId: string,
    /** The traces the server named, as far as its message could be read. */
    readonly traceIds: string[],
    readonly experimentId: string | undefined,
  ) {
    const which = traceIds.length > 0 ? traceIds.join(', ') : 'Some traces';
    const where = experimentId ? `experiment ${experimentId}` : "the queue's experiment";
    super(
      original,
      `${which} cannot be added to the review queue: ${traceIds.length === 1 ? 'it is' : 'they are'} not in ${where}, the queue's experiment (or no longer exist). Nothing was added. Add traces of the queue's own experiment.`,
    );
  }
}

/** A custom queue's questions cannot change once it has items. */
export class QuestionsLockedError extends ReviewApiError {
  constructor(original: MlflowApiError) {
    super(
      original,
      "The queue's questions are locked once items are assigned to it. Remove its items first, or create a new queue with the questions you want.",
    );
  }
}

/** A label schema or review queue with that name already exists in the experiment. */
export class ReviewNameTakenError extends ReviewApiError {
  constructor(original: MlflowApiError) {
    super(
      original,
      `That name is already taken in this experiment (queue names are compared case-insensitively): choose another. The server said: ${original.serverMessage}`,
    );
  }
}

export type ReviewAction =
  | 'read'
  | 'review'
  | 'add items'
  | 'remove items'
  | 'create queue'
  | 'edit queue'
  | 'delete queue'
  | 'manage questions';

/** The server refused the action (403): which permission it takes depends on the action. */
export class ReviewPermissionError extends ReviewApiError {
  constructor(
    original: MlflowApiError,
    readonly action: ReviewAction,
  ) {
    super(original, permissionMessage(action));
  }
}

/**
 * Setting an item's status was refused (403): only the queue's assigned reviewers who have EDIT
 * on the experiment may, managers included ("a manager must assign themselves first").
 */
export class ReviewNotAMemberError extends ReviewPermissionError {
  constructor(original: MlflowApiError) {
    super(original, 'review');
  }
}

function permissionMessage(action: ReviewAction): string {
  const why: Record<ReviewAction, string> = {
    review:
      "only the queue's assigned reviewers who have EDIT permission on the experiment can complete, decline or reopen its items (managers too must first add themselves). Ask the queue's owner to add you to its reviewers",
    read: "viewing a queue takes READ permission on the experiment and being one of the queue's reviewers, its owner, or a manager of the experiment",
    'add items': 'adding traces to a queue takes EDIT permission on the experiment',
    'remove items':
      'removing items takes MANAGE permission on the experiment, or EDIT and owning the (custom) queue',
    'create queue': 'creating a queue takes EDIT permission on the experiment',
    'edit queue':
      'editing a queue takes MANAGE permission on the experiment, or EDIT and owning the queue; changing its owner takes MANAGE',
    'delete queue':
      'deleting a queue takes MANAGE permission on the experiment, or EDIT and owning the (custom) queue',
    'manage questions':
      'creating, editing or deleting questions (label schemas) takes MANAGE permission on the experiment',
  };
  return `Not allowed (403): ${why[action]}.`;
}
