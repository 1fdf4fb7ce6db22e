import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asExperimentId, MlflowApiError, type ReviewQueue } from '../../src/mlflow';
import {
  describeIdentity,
  orderQueues,
  queueRole,
  resolveReviewer,
  reviewerUsers,
  sameUser,
  type ReviewerIdentity,
} from '../../src/store/review-identity';

function queue(name: string, queueType: 'user' | 'custom', users: string[] = []): ReviewQueue {
  return {
    queueId: `rq-${name}`,
    experimentId: asExperimentId('1'),
    name,
    queueType,
    users: queueType === 'user' ? [name] : users,
    schemaIds: [],
    creationTimeMs: 0,
    lastUpdateTimeMs: 0,
  };
}

const signedIn: ReviewerIdentity = { user: 'Bob', source: 'signedIn' };
const noAuth: ReviewerIdentity = { user: 'Reviewer@Example.com', source: 'setting' };

describe("the reviewer's identity for review queues", () => {
  it('is the signed-in user where users/current answers', async () => {
    const id = await resolveReviewer(
      { getCurrentUser: () => Promise.resolve({ username: 'bob' }) },
      'me',
    );
    assert.deepEqual(id, { user: 'bob', source: 'signedIn' });
  });

  it('is the reviewer setting where users/current is not found (no authentication)', async () => {
    const notFound = new MlflowApiError(
      404,
      undefined,
      'Not Found',
      'GET',
      'http://h/api/2.0/mlflow/users/current',
    );
    const id = await resolveReviewer(
      { getCurrentUser: () => Promise.reject(notFound) },
      'me@x.org',
    );
    assert.deepEqual(id, { user: 'me@x.org', source: 'setting' });
    assert.match(describeIdentity(id), /^Reviewing as me@x\.org \(reviewer setting; .*"default"/);
  });

  it('passes on any other failure (a failing server is not a server without authentication)', async () => {
    const forbidden = new MlflowApiError(500, 'INTERNAL_ERROR', 'boom', 'GET', 'http://h/x');
    await assert.rejects(
      resolveReviewer({ getCurrentUser: () => Promise.reject(forbidden) }, 'me'),
      MlflowApiError,
    );
  });

  it('matches users case-insensitively, as the server does', () => {
    assert.ok(sameUser('Bob', 'bob'));
    assert.ok(sameUser(' BOB ', 'bob'));
    assert.ok(!sameUser('bob', 'bobby'));
    assert.equal(queueRole(queue('bob', 'user'), signedIn), 'own');
    assert.equal(queueRole(queue('triage', 'custom', ['alice', 'bob']), signedIn), 'member');
    assert.equal(queueRole(queue('triage', 'custom', ['alice']), signedIn), 'other');
    assert.equal(queueRole(queue('reviewer@example.com', 'user'), noAuth), 'own');
  });

  it('works the "default" catch-all queue too on a server without authentication', () => {
    assert.deepEqual(reviewerUsers(noAuth), ['Reviewer@Example.com', 'default']);
    assert.deepEqual(reviewerUsers(signedIn), ['Bob']);
    assert.equal(queueRole(queue('default', 'user'), noAuth), 'catchAll');
    assert.equal(queueRole(queue('default', 'user'), signedIn), 'other');
    assert.equal(queueRole(queue('shared', 'custom', ['default']), noAuth), 'member');
  });

  it('orders the own queue first, then the catch-all, then assigned, then the rest', () => {
    const queues = [
      queue('other', 'custom', ['carol']),
      queue('assigned', 'custom', ['REVIEWER@example.com']),
      queue('default', 'user'),
      queue('reviewer@example.com', 'user'),
      queue('also-other', 'custom'),
    ];
    assert.deepEqual(
      orderQueues(queues, noAuth).map((q) => q.name),
      ['reviewer@example.com', 'default', 'assigned', 'other', 'also-other'],
    );
  });
});
