/**
 * Who works review queues: on a server with authentication the signed-in user (the server's
 * `users/current`, which is also who it records as completing an item); otherwise the reviewer
 * setting. On a server without authentication MLflow's own UI works as the user `default`, so
 * that catch-all queue is the reviewer's too. Membership is matched case-insensitively, as the
 * server does (it lowercases queue users). No `vscode`.
 */
import { MlflowApiError, MlflowRouteNotFoundError, type ReviewQueue } from '../mlflow';

/** The user MLflow's UI works as on a server without authentication. */
export const NO_AUTH_USER = 'default';

export interface ReviewerIdentity {
  /** The name queues are matched with, and the user queue "Create My Queue" makes. */
  user: string;
  /**
   * signedIn: the server's `users/current` (a server with authentication);
   * setting: the reviewer setting (a server without authentication).
   */
  source: 'signedIn' | 'setting';
}

/** What resolveReviewer asks of the client. */
export interface CurrentUserSource {
  getCurrentUser(): Promise<{ username: string }>;
}

/**
 * The reviewer on this server. `users/current` answers 404 where there is no authentication
 * (the route is the auth app's): then the reviewer setting. Any other failure is thrown.
 */
export async function resolveReviewer(
  client: CurrentUserSource,
  reviewerSetting: string,
): Promise<ReviewerIdentity> {
  try {
    const { username } = await client.getCurrentUser();
    return { user: username, source: 'signedIn' };
  } catch (error) {
    if (isNoAuth(error)) return { user: reviewerSetting, source: 'setting' };
    throw error;
  }
}

function isNoAuth(error: unknown): boolean {
  return (
    error instanceof MlflowRouteNotFoundError ||
    (error instanceof MlflowApiError && error.status === 404)
  );
}

/** The same user, as the server compares them (case-insensitively, around spaces). */
export function sameUser(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Which identities work queues for this reviewer: theirs, and on a server without
 * authentication also `default` (MLflow's UI's catch-all user).
 */
export function reviewerUsers(identity: ReviewerIdentity): string[] {
  return identity.source === 'setting' && !sameUser(identity.user, NO_AUTH_USER)
    ? [identity.user, NO_AUTH_USER]
    : [identity.user];
}

/** How the reviewer relates to a queue, for its order and its icon. */
export type QueueRole = 'own' | 'catchAll' | 'member' | 'other';

export function queueRole(queue: ReviewQueue, identity: ReviewerIdentity): QueueRole {
  if (queue.queueType === 'user' && sameUser(queue.name, identity.user)) return 'own';
  const users = reviewerUsers(identity);
  if (
    identity.source === 'setting' &&
    queue.queueType === 'user' &&
    sameUser(queue.name, NO_AUTH_USER)
  )
    return 'catchAll';
  if (queue.users.some((u) => users.some((me) => sameUser(u, me)))) return 'member';
  return 'other';
}

const ROLE_ORDER: Record<QueueRole, number> = { own: 0, catchAll: 1, member: 2, other: 3 };

/** The reviewer's own queue first, then the catch-all, those they are assigned to, the rest
 *  (each group in the server's order: newest first). */
export function orderQueues<Q extends ReviewQueue>(queues: Q[], identity: ReviewerIdentity): Q[] {
  return queues
    .map((queue, index) => ({ queue, index, rank: ROLE_ORDER[queueRole(queue, identity)] }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((e) => e.queue);
}

/** One line saying who reviews, and why that name. */
export function describeIdentity(identity: ReviewerIdentity): string {
  return identity.source === 'signedIn'
    ? `Reviewing as ${identity.user} (signed in)`
    : `Reviewing as ${identity.user} (reviewer setting; no authentication on this server, where MLflow's UI works as "${NO_AUTH_USER}")`;
}
