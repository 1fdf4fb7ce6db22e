/**
 * MLflow's human review routes (label schemas, review queues, queue items, traces/batchGetInfos)
 * through MlflowClient.review against the pinned server, with MLflow's Python API on the other
 * side both ways, a server with basic authentication for who may review and who is recorded,
 * and a server older than 3.14 for the routes that are missing there. Where the server differs
 * from ../shared/mlflow-review-api.md, the test says so in its name ("differs from the notes").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MlflowClient } from '../../src/mlflow/client';
import { MlflowApiError, MlflowInputError } from '../../src/mlflow/errors';
import {
  LabelSchemaNotFoundError,
  MlflowReviewUnsupportedError,
  QueueItemNotFoundError,
  QuestionsLockedError,
  ReviewNameTakenError,
  ReviewNotAMemberError,
  ReviewPermissionError,
  ReviewQueueNotFoundError,
  TraceNotInQueueExperimentError,
} from '../../src/mlflow/review-errors';
import type { LabelSchema, ReviewQueueItem } from '../../src/mlflow/review-types';
import { startMlflowServer, type MlflowServer } from '../../src/mlflow-server/launcher';
import { oldServerPythonPath } from '../support/env';
import { PythonSdk } from '../support/python-sdk';
import { ADMIN, startServer } from '../support/servers';

/** A review entity as MLflow's Python API gives it (dataclass fields; enums as their values). */
type Py = Record<string, unknown>;

let server: MlflowServer;
let sdk: PythonSdk;
let client: MlflowClient;
let experimentId: string;
let otherExperimentId: string;
const traceIds: string[] = [];
let otherTraceId: string;

before(async () => {
  server = await startServer();
  sdk = new PythonSdk(server.url);
  client = new MlflowClient({ baseUrl: server.url });
  for (let i = 0; i < 6; i++) {
    const made = await sdk.call<{ trace_id: string; experiment_id: string }>('create_trace', {
      experiment: 'review',
      input: `question ${i}`,
    });
    traceIds.push(made.trace_id);
    experimentId = made.experiment_id;
  }
  ({ trace_id: otherTraceId, experiment_id: otherExperimentId } = await sdk.call<{
    trace_id: string;
    experiment_id: string;
  }>('create_trace', { experiment: 'review elsewhere' }));
});

after(async () => {
  sdk.close();
  await client.close();
  await server.stop();
});

const trace = (i: number): string => traceIds[i] ?? assert.fail(`no trace ${i}`);

/** A request exactly as MLflow's web UI sends it (its AJAX paths and bodies, chunk 3342/7182). */
async function asTheUi(route: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${server.url}/ajax-api/3.0/mlflow/review-queues/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return res.json();
}

describe('label schemas', () => {
  let passFail: LabelSchema;

  it('lists the protected default question the server adds', async () => {
    const page = await client.review.listLabelSchemas(experimentId);
    const fallback = page.items.find((s) => s.isDefault);
    assert.ok(fallback, JSON.stringify(page.items));
    assert.equal(fallback.name, 'Feedback');
    assert.equal(fallback.kind, 'feedback');
    assert.deepEqual(fallback.input, { type: 'text' });
    assert.equal(fallback.instruction, 'Share any feedback on this trace.');
    assert.equal(fallback.enableComment, false);
    assert.equal(page.nextPageToken, undefined, 'the empty next_page_token reads as no next page');
    await assert.rejects(
      client.review.deleteLabelSchema(fallback.schemaId),
      (e: unknown) =>
        e instanceof MlflowApiError && e.status === 400 && /cannot be deleted/.test(e.message),
    );
    await assert.rejects(
      client.review.updateLabelSchema(fallback.schemaId, { instruction: 'x' }),
      (e: unknown) =>
        e instanceof MlflowApiError && e.status === 400 && /cannot be edited/.test(e.message),
    );
  });

  it('creates each kind of question, reads it back by id and by name, and Python reads it the same', async () => {
    passFail = await client.review.createLabelSchema({
      experimentId,
      name: 'Is it correct?',
      kind: 'feedback',
      input: { type: 'passFail', positiveLabel: 'Correct', negativeLabel: 'Incorrect' },
      instruction: 'Check the facts.',
      enableComment: true,
    });
    assert.match(passFail.schemaId, /^ls-/);
    assert.equal(passFail.experimentId, experimentId);
    assert.equal(passFail.isDefault, false);
    assert.equal(passFail.createdBy, undefined, 'the 3.18 store records no creator for a schema');
    assert.equal(typeof passFail.createdAt, 'number');
    assert.deepEqual(await client.review.getLabelSchema(passFail.schemaId), passFail);
    assert.deepEqual(
      await client.review.getLabelSchemaByName(experimentId, 'Is it correct?'),
      passFail,
    );

    const made = [
      passFail,
      await client.review.createLabelSchema({
        experimentId,
        name: 'Topic',
        kind: 'feedback',
        input: { type: 'categorical', options: ['billing', 'shipping'], multiSelect: false },
      }),
      await client.review.createLabelSchema({
        experimentId,
        name: 'Tags',
        kind: 'expectation',
        input: { type: 'categorical', options: ['a', 'b', 'c'], multiSelect: true },
      }),
      await client.review.createLabelSchema({
        experimentId,
        name: 'Score',
        kind: 'feedback',
        input: { type: 'numeric', minValue: 1, maxValue: 5 },
      }),
      await client.review.createLabelSchema({
        experimentId,
        name: 'Notes',
        kind: 'feedback',
        input: { type: 'text', maxLength: 200 },
      }),
    ];
    const inPython = await sdk.call<Py[]>('list_label_schemas', { experiment_id: experimentId });
    const byId = new Map(inPython.map((s) => [s.schema_id, s]));
    assert.deepEqual(
      made.map((s) => byId.get(s.schemaId)),
      [
        pySchema(passFail, 'InputPassFail', {
          positive_label: 'Correct',
          negative_label: 'Incorrect',
        }),
        pySchema(made[1], 'InputCategorical', {
          options: ['billing', 'shipping'],
          multi_select: false,
        }),
        pySchema(made[2], 'InputCategorical', { options: ['a', 'b', 'c'], multi_select: true }),
        pySchema(made[3], 'InputNumeric', { min_value: 1, max_value: 5 }),
        pySchema(made[4], 'InputText', { max_length: 200 }),
      ],
    );
  });

  it('reads questions made with Python', async () => {
    const py = await sdk.call<Py>('create_label_schema', {
      experiment_id: experimentId,
      name: 'Expected answer',
      type: 'expectation',
      input: { kind: 'numeric', min_value: -0.5 },
      instruction: 'The number the agent should have said.',
      enable_comment: true,
    });
    const read = await client.review.getLabelSchema(String(py.schema_id));
    assert.deepEqual(read, {
      schemaId: py.schema_id,
      experimentId,
      name: 'Expected answer',
      kind: 'expectation',
      instruction: 'The number the agent should have said.',
      enableComment: true,
      input: { type: 'numeric', minValue: -0.5 },
      createdAt: py.created_at,
      lastUpdatedAt: py.updated_at,
      isDefault: false,
    });
  });

  it('refuses a second question of the same name', async () => {
    await assert.rejects(
      client.review.createLabelSchema({
        experimentId,
        name: 'Score',
        kind: 'feedback',
        input: { type: 'text' },
      }),
      // The server answers 400 RESOURCE_ALREADY_EXISTS (not 409).
      (e: unknown) =>
        e instanceof ReviewNameTakenError &&
        e.status === 400 &&
        e.errorCode === 'RESOURCE_ALREADY_EXISTS',
    );
  });

  it('finds a question by its exact name only (case-sensitive, unlike queue names)', async () => {
    await assert.rejects(
      client.review.getLabelSchemaByName(experimentId, 'score'),
      LabelSchemaNotFoundError,
    );
  });

  it('updates within a variant; the variant and multi-select cannot change', async () => {
    const topic = await client.review.getLabelSchemaByName(experimentId, 'Topic');
    const updated = await client.review.updateLabelSchema(topic.schemaId, {
      name: 'Topic of the question',
      instruction: 'Pick the closest.',
      input: {
        type: 'categorical',
        options: ['billing', 'shipping', 'returns'],
        multiSelect: false,
      },
    });
    assert.equal(updated.name, 'Topic of the question');
    assert.deepEqual(updated.input, {
      type: 'categorical',
      options: ['billing', 'shipping', 'returns'],
      multiSelect: false,
    });
    const py = await sdk.call<Py>('get_label_schema', { schema_id: topic.schemaId });
    assert.equal(py.name, 'Topic of the question');
    assert.deepEqual(py.input, {
      options: ['billing', 'shipping', 'returns'],
      multi_select: false,
    });
    await assert.rejects(
      client.review.updateLabelSchema(topic.schemaId, { input: { type: 'text' } }),
      (e: unknown) =>
        e instanceof MlflowApiError &&
        e.status === 400 &&
        /input type cannot be changed/.test(e.message),
    );
    await assert.rejects(
      client.review.updateLabelSchema(topic.schemaId, {
        input: { type: 'categorical', options: ['a'], multiSelect: true },
      }),
      (e: unknown) =>
        e instanceof MlflowApiError && /multi_select` cannot be changed/.test(e.message),
    );
    await assert.rejects(client.review.updateLabelSchema(topic.schemaId, {}), MlflowInputError);
  });

  it('pages, and deletes (a second delete does nothing)', async () => {
    const first = await client.review.listLabelSchemas(experimentId, { maxResults: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.nextPageToken);
    const all = await client.review.listAllLabelSchemas(experimentId);
    assert.equal(all.length, 7);
    const notes = all.find((s) => s.name === 'Notes');
    assert.ok(notes);
    await client.review.deleteLabelSchema(notes.schemaId);
    await client.review.deleteLabelSchema(notes.schemaId);
    await assert.rejects(
      client.review.getLabelSchema(notes.schemaId),
      (e: unknown) => e instanceof LabelSchemaNotFoundError && e.status === 404,
    );
    await assert.rejects(
      client.review.listLabelSchemas(experimentId, { maxResults: 0 }),
      MlflowInputError,
    );
  });
});

describe('review queues', () => {
  it("gets or creates a user's own queue: named after the user, lowercased, the same queue twice", async () => {
    const mine = await client.review.getOrCreateUserQueue(experimentId, 'Alice@Example.com');
    assert.match(mine.queueId, /^rq-/);
    assert.equal(mine.name, 'alice@example.com');
    assert.equal(mine.queueType, 'user');
    assert.deepEqual(mine.users, ['alice@example.com']);
    assert.deepEqual(mine.schemaIds, []);
    assert.equal(mine.createdBy, 'alice@example.com');
    assert.deepEqual(
      await client.review.getOrCreateUserQueue(experimentId, 'alice@example.com'),
      mine,
    );
    assert.deepEqual(await client.review.getReviewQueue(mine.queueId), mine);
    const py = await sdk.call<Py>('get_review_queue', { queue_id: mine.queueId });
    assert.deepEqual(py, {
      queue_id: mine.queueId,
      experiment_id: experimentId,
      name: 'alice@example.com',
      queue_type: 'user',
      created_by: 'alice@example.com',
      creation_time_ms: mine.creationTimeMs,
      last_update_time_ms: mine.lastUpdateTimeMs,
      users: ['alice@example.com'],
      schema_ids: [],
    });
    await assert.rejects(
      client.review.updateReviewQueue(mine.queueId, { name: 'x' }),
      (e: unknown) =>
        e instanceof MlflowApiError && e.status === 400 && /user queue/.test(e.message),
    );
  });

  it('creates a custom queue with reviewers and questions; Python reads it the same', async () => {
    const questions = await client.review.listAllLabelSchemas(experimentId);
    const score = questions.find((s) => s.name === 'Score');
    assert.ok(score);
    const queue = await client.review.createReviewQueue({
      experimentId,
      name: 'Support answers',
      users: ['Bob@Example.com', 'carol'],
      schemaIds: [score.schemaId],
    });
    assert.equal(queue.queueType, 'custom');
    assert.equal(queue.name, 'Support answers', 'a custom name keeps its case');
    assert.deepEqual(queue.users, ['bob@example.com', 'carol']);
    assert.deepEqual(queue.schemaIds, [score.schemaId]);
    assert.equal(queue.createdBy, undefined, 'no owner on a server without authentication');
    const py = await sdk.call<Py>('get_review_queue', { queue_id: queue.queueId });
    assert.deepEqual(py.users, ['bob@example.com', 'carol']);
    assert.deepEqual(py.schema_ids, [score.schemaId]);
    assert.equal(py.queue_type, 'custom');
    // Names are unique case-insensitively, and found so.
    assert.deepEqual(
      await client.review.getReviewQueueByName(experimentId, 'SUPPORT ANSWERS'),
      queue,
    );
    await assert.rejects(
      client.review.createReviewQueue({ experimentId, name: 'support answers' }),
      ReviewNameTakenError,
    );
    await assert.rejects(
      client.review.createReviewQueue({ experimentId, name: 'Default' }),
      (e: unknown) => e instanceof MlflowApiError && e.status === 400 && /reserved/.test(e.message),
    );
    await assert.rejects(
      client.review.createReviewQueue({
        experimentId,
        name: 'Too many',
        users: Array.from({ length: 11 }, (_, i) => `user${i}`),
      }),
      MlflowInputError,
    );
  });

  it('reads queues made with Python, and lists by user (case-insensitively) and by trace', async () => {
    const py = await sdk.call<Py>('create_review_queue', {
      experiment_id: experimentId,
      name: 'Made in Python',
      users: ['dave'],
    });
    const read = await client.review.getReviewQueue(String(py.queue_id));
    assert.deepEqual(read, {
      queueId: py.queue_id,
      experimentId,
      name: 'Made in Python',
      queueType: 'custom',
      creationTimeMs: py.creation_time_ms,
      lastUpdateTimeMs: py.last_update_time_ms,
      users: ['dave'],
      schemaIds: [],
    });
    const all = await client.review.listReviewQueues({ experimentId });
    assert.deepEqual(
      all.items.map((q) => q.name),
      ['Made in Python', 'Support answers', 'alice@example.com'],
      'newest first',
    );
    const bobs = await client.review.listReviewQueues({ experimentId, user: 'BOB@example.com' });
    assert.deepEqual(
      bobs.items.map((q) => q.name),
      ['Support answers'],
    );
    const inPython = await sdk.call<Py[]>('list_review_queues', {
      experiment_id: experimentId,
      user: 'bob@example.com',
    });
    assert.deepEqual(
      inPython.map((q) => q.queue_id),
      bobs.items.map((q) => q.queueId),
    );

    await client.review.addItems(read.queueId, [trace(5)]);
    const holding = await client.review.listReviewQueues({ experimentId, traceId: trace(5) });
    assert.deepEqual(
      holding.items.map((q) => q.queueId),
      [read.queueId],
    );
    const paged = await client.review.listReviewQueues({ experimentId, maxResults: 1 });
    assert.equal(paged.items.length, 1);
    assert.ok(paged.nextPageToken);
  });

  it("updates a custom queue; its questions lock once it has items, its reviewers don't", async () => {
    const queue = await client.review.createReviewQueue({ experimentId, name: 'To edit' });
    const questions = await client.review.listAllLabelSchemas(experimentId);
    const ids = questions
      .filter((s) => !s.isDefault)
      .map((s) => s.schemaId)
      .slice(0, 2);
    const edited = await client.review.updateReviewQueue(queue.queueId, {
      name: 'Edited',
      users: ['Erin'],
      schemaIds: ids,
    });
    assert.equal(edited.name, 'Edited');
    assert.deepEqual(edited.users, ['erin']);
    assert.deepEqual(edited.schemaIds, [...ids].sort(), 'the server returns schema ids sorted');
    await client.review.addItems(queue.queueId, [trace(0)]);
    await assert.rejects(
      client.review.updateReviewQueue(queue.queueId, { schemaIds: [] }),
      (e: unknown) =>
        e instanceof QuestionsLockedError &&
        e.status === 400 &&
        e.errorCode === 'INVALID_PARAMETER_VALUE' &&
        /locked once items are assigned/.test(e.serverMessage),
    );
    const cleared = await client.review.updateReviewQueue(queue.queueId, { users: [] });
    assert.deepEqual(cleared.users, [], 'an empty list clears the reviewers');
    assert.deepEqual(cleared.schemaIds, [...ids].sort());
  });

  it('deletes a queue (a second delete does nothing); a missing queue is not a server too old', async () => {
    const queue = await client.review.createReviewQueue({ experimentId, name: 'To delete' });
    await client.review.addItems(queue.queueId, [trace(1)]);
    await client.review.deleteReviewQueue(queue.queueId);
    await client.review.deleteReviewQueue(queue.queueId);
    for (const call of [
      () => client.review.getReviewQueue(queue.queueId),
      () => client.review.listItems(queue.queueId),
      () => client.review.addItems(queue.queueId, [trace(1)]),
      () =>
        client.review.setItemStatus({
          queueId: queue.queueId,
          traceId: trace(1),
          status: 'complete',
          completedBy: 'x',
        }),
    ])
      await assert.rejects(
        call(),
        (e: unknown) => e instanceof ReviewQueueNotFoundError && e.status === 404,
      );
    await assert.rejects(
      client.review.getReviewQueueByName(experimentId, 'To delete'),
      ReviewQueueNotFoundError,
    );
  });
});

describe('queue items', () => {
  const strip = (item: ReviewQueueItem) => ({
    traceId: item.traceId,
    status: item.status,
    completedBy: item.completedBy,
  });

  it('adds traces in the order asked; adding again keeps the status', async () => {
    const queue = await client.review.createReviewQueue({
      experimentId,
      name: 'Items',
      users: ['rita'],
    });
    const added = await client.review.addItems(queue.queueId, [trace(2), trace(0), trace(1)]);
    assert.deepEqual(
      added.map((i) => [i.traceId, i.status, i.queueId]),
      [
        [trace(2), 'pending', queue.queueId],
        [trace(0), 'pending', queue.queueId],
        [trace(1), 'pending', queue.queueId],
      ],
    );
    await client.review.setItemStatus({
      queueId: queue.queueId,
      traceId: trace(0),
      status: 'complete',
      completedBy: 'rita',
    });
    const again = await client.review.addItems(queue.queueId, [trace(0), trace(3)]);
    assert.deepEqual(again.map(strip), [
      { traceId: trace(0), status: 'complete', completedBy: 'rita' },
      { traceId: trace(3), status: 'pending', completedBy: undefined },
    ]);
    const all = await client.review.listItems(queue.queueId);
    assert.equal(all.items.length, 4);
    assert.equal(all.items[0]?.traceId, trace(3), 'the most recently added first');
    const pending = await client.review.listItems(queue.queueId, { status: 'pending' });
    assert.deepEqual(
      pending.items.map((i) => i.traceId).sort(),
      [trace(1), trace(2), trace(3)].sort(),
    );
    const complete = await client.review.listItems(queue.queueId, { status: 'complete' });
    assert.deepEqual(
      complete.items.map((i) => i.traceId),
      [trace(0)],
    );
    const paged = await client.review.listItems(queue.queueId, { maxResults: 3 });
    assert.equal(paged.items.length, 3);
    const rest = await client.review.listItems(queue.queueId, {
      maxResults: 3,
      pageToken: paged.nextPageToken ?? assert.fail('a next page'),
    });
    assert.equal(rest.items.length, 1);
    assert.equal(rest.nextPageToken, undefined);
  });

  it("refuses a trace outside the queue's experiment, and one that does not exist, adding none", async () => {
    const queue = await client.review.createReviewQueue({ experimentId, name: 'Strict' });
    await assert.rejects(
      client.review.addItems(queue.queueId, [trace(0), otherTraceId]),
      (e: unknown) =>
        e instanceof TraceNotInQueueExperimentError &&
        e.status === 404 &&
        e.errorCode === 'RESOURCE_DOES_NOT_EXIST' &&
        e.queueId === queue.queueId &&
        e.experimentId === experimentId &&
        e.traceIds.length === 1 &&
        e.traceIds[0] === otherTraceId &&
        e.message.includes(otherTraceId),
    );
    await assert.rejects(
      client.review.addItems(queue.queueId, ['tr-00000000000000000000000000000000']),
      TraceNotInQueueExperimentError,
    );
    assert.deepEqual((await client.review.listItems(queue.queueId)).items, []);
    await assert.rejects(client.review.addItems(queue.queueId, []), MlflowInputError);
    await assert.rejects(client.review.addItems(queue.queueId, ['x'.repeat(51)]), MlflowInputError);
  });

  it('completes, declines and reopens, recording who (the first completer stays); Python reads the same', async () => {
    const queue = await client.review.getOrCreateUserQueue(experimentId, 'Sam');
    await client.review.addItems(queue.queueId, [trace(0), trace(1)]);
    const done = await client.review.setItemStatus({
      queueId: queue.queueId,
      traceId: trace(0),
      status: 'complete',
      completedBy: 'Sam',
    });
    assert.equal(done.status, 'complete');
    assert.equal(done.completedBy, 'sam', 'lowercased by the server');
    assert.equal(typeof done.completedTimeMs, 'number');
    const repeat = await client.review.setItemStatus({
      queueId: queue.queueId,
      traceId: trace(0),
      status: 'complete',
      completedBy: 'someone else',
    });
    assert.deepEqual(repeat, done, 'the same status again changes nothing');
    const declined = await client.review.setItemStatus({
      queueId: queue.queueId,
      traceId: trace(1),
      status: 'declined',
      completedBy: 'sam',
    });
    assert.equal(declined.status, 'declined');
    const py = await sdk.call<Py[]>('list_review_queue_items', { queue_id: queue.queueId });
    const byTrace = new Map(py.map((i) => [i.item_id, i]));
    assert.deepEqual(byTrace.get(trace(0)), {
      queue_id: queue.queueId,
      item_type: 'trace',
      item_id: trace(0),
      status: 'complete',
      creation_time_ms: done.creationTimeMs,
      last_update_time_ms: done.lastUpdateTimeMs,
      completed_by: 'sam',
      completed_time_ms: done.completedTimeMs,
    });
    assert.equal(byTrace.get(trace(1))?.status, 'declined');

    const reopened = await client.review.setItemStatus({
      queueId: queue.queueId,
      traceId: trace(0),
      status: 'pending',
    });
    assert.equal(reopened.status, 'pending');
    assert.equal(reopened.completedBy, undefined);
    assert.equal(reopened.completedTimeMs, undefined);
    const pyReopened = await sdk.call<Py[]>('list_review_queue_items', {
      queue_id: queue.queueId,
      status: 'pending',
    });
    assert.deepEqual(
      pyReopened.map((i) => [i.item_id, i.completed_by, i.completed_time_ms]),
      [[trace(0), null, null]],
    );

    await assert.rejects(
      client.review.setItemStatus({
        queueId: queue.queueId,
        traceId: trace(0),
        status: 'complete',
      }),
      MlflowInputError,
    );
    await assert.rejects(
      client.review.setItemStatus({
        queueId: queue.queueId,
        traceId: trace(0),
        status: 'pending',
        completedBy: 'sam',
      }),
      MlflowInputError,
    );
    await assert.rejects(
      client.review.setItemStatus({
        queueId: queue.queueId,
        traceId: trace(4),
        status: 'complete',
        completedBy: 'sam',
      }),
      (e: unknown) =>
        e instanceof QueueItemNotFoundError && e.status === 404 && e.traceId === trace(4),
    );
  });

  it('reads statuses set with Python', async () => {
    const queue = await client.review.createReviewQueue({ experimentId, name: 'Python sets' });
    await sdk.call('add_items_to_review_queue', { queue_id: queue.queueId, item_ids: [trace(2)] });
    await sdk.call('set_review_queue_item_status', {
      queue_id: queue.queueId,
      item_id: trace(2),
      status: 'declined',
      completed_by: 'Quinn',
    });
    const [item] = (await client.review.listItems(queue.queueId)).items;
    assert.deepEqual(item && strip(item), {
      traceId: trace(2),
      status: 'declined',
      completedBy: 'quinn',
    });
  });

  it("leaves the same records as MLflow's web UI doing the same", async () => {
    // One queue worked through the client, one through the UI's own requests; Python reads both.
    const ours = await client.review.createReviewQueue({
      experimentId,
      name: 'Ours',
      users: ['default'],
    });
    const theirs = await client.review.createReviewQueue({
      experimentId,
      name: 'UI',
      users: ['default'],
    });
    await client.review.addItems(ours.queueId, [trace(3), trace(4)]);
    await asTheUi('items/add', { queue_id: theirs.queueId, item_ids: [trace(3), trace(4)] });
    await client.review.setItemStatus({
      queueId: ours.queueId,
      traceId: trace(3),
      status: 'complete',
      completedBy: 'default',
    });
    await asTheUi('items/set-status', {
      queue_id: theirs.queueId,
      item_id: trace(3),
      status: 'COMPLETE',
      completed_by: 'default',
    });
    for (const queue of [ours, theirs]) {
      await client.review.setItemStatus({
        queueId: queue.queueId,
        traceId: trace(4),
        status: 'declined',
        completedBy: 'default',
      });
    }
    await client.review.setItemStatus({
      queueId: ours.queueId,
      traceId: trace(4),
      status: 'pending',
    });
    await asTheUi('items/set-status', {
      queue_id: theirs.queueId,
      item_id: trace(4),
      status: 'PENDING',
    });
    const read = async (queueId: string) =>
      (await sdk.call<Py[]>('list_review_queue_items', { queue_id: queueId }))
        .map(({ item_id, item_type, status, completed_by, completed_time_ms }) => ({
          item_id,
          item_type,
          status,
          completed_by,
          completed: completed_time_ms !== null,
        }))
        .sort((a, b) => String(a.item_id).localeCompare(String(b.item_id)));
    const fromUs = await read(ours.queueId);
    assert.deepEqual(fromUs, await read(theirs.queueId));
    assert.deepEqual(fromUs.map((i) => [i.status, i.completed_by]).sort(), [
      ['complete', 'default'],
      ['pending', null],
    ]);
  });

  it('removes items (removing one not there does nothing)', async () => {
    const queue = await client.review.createReviewQueue({ experimentId, name: 'Removal' });
    await client.review.addItems(queue.queueId, [trace(0), trace(1)]);
    await client.review.removeItems(queue.queueId, [trace(0), trace(5)]);
    assert.deepEqual(
      (await client.review.listItems(queue.queueId)).items.map((i) => i.traceId),
      [trace(1)],
    );
    const py = await sdk.call<Py[]>('list_review_queue_items', { queue_id: queue.queueId });
    assert.deepEqual(
      py.map((i) => i.item_id),
      [trace(1)],
    );
  });
});

describe('traces/batchGetInfos', () => {
  it('loads a page of trace infos in one request, in the order asked, with their assessments', async () => {
    await sdk.call('log_feedback', {
      trace_id: trace(1),
      name: 'Score',
      value: 4,
      source: { source_type: 'HUMAN', source_id: 'sam' },
    });
    const missing = 'tr-ffffffffffffffffffffffffffffffff';
    const batch = await client.review.batchGetTraceInfos([trace(2), missing, trace(1), trace(0)]);
    assert.deepEqual(
      batch.traces.map((t) => t.traceId),
      [trace(2), trace(1), trace(0)],
    );
    assert.deepEqual(batch.missingTraceIds, [missing]);
    for (const info of batch.traces)
      assert.deepEqual(info, await client.getTraceInfo(info.traceId));
    const scored = batch.traces[1];
    assert.deepEqual(
      scored?.assessments.map((a) => [a.name, a.value, a.source.sourceId]),
      [['Score', 4, 'sam']],
    );
    assert.ok(scored.requestPreview?.includes('question 1'));
  });

  it('limits to the experiments given', async () => {
    const batch = await client.review.batchGetTraceInfos([trace(0), otherTraceId], {
      experimentIds: [otherExperimentId],
    });
    assert.deepEqual(
      batch.traces.map((t) => t.traceId),
      [otherTraceId],
    );
    assert.deepEqual(batch.missingTraceIds, [trace(0)]);
    assert.deepEqual(await client.review.batchGetTraceInfos([]), {
      traces: [],
      missingTraceIds: [],
    });
  });
});

describe('a server with basic authentication', () => {
  let authServer: MlflowServer;
  let admin: MlflowClient;
  let adminSdk: PythonSdk;
  let exp: string;
  let traceId: string;
  const password = 'mtr-review-Passw0rd!';
  const as = (username: string) =>
    new MlflowClient({
      baseUrl: authServer.url,
      credentials: { kind: 'basic', username, password },
    });

  before(async () => {
    authServer = await startServer({ basicAuth: ADMIN });
    adminSdk = new PythonSdk(authServer.url, {
      MLFLOW_TRACKING_USERNAME: ADMIN.username,
      MLFLOW_TRACKING_PASSWORD: ADMIN.password,
    });
    ({ trace_id: traceId, experiment_id: exp } = await adminSdk.call<{
      trace_id: string;
      experiment_id: string;
    }>('create_trace', { experiment: 'review auth' }));
    for (const username of ['bob', 'carol'])
      await adminSdk.call('create_user', {
        username,
        password,
        experiment_id: exp,
        permission: 'EDIT',
      });
    await adminSdk.call('create_user', { username: 'dave', password });
    await adminSdk.call('create_user', {
      username: 'mia',
      password,
      experiment_id: exp,
      permission: 'MANAGE',
    });
    admin = new MlflowClient({ baseUrl: authServer.url, credentials: { kind: 'basic', ...ADMIN } });
  });

  after(async () => {
    // The server is stopped even when a failed `before` left the others unset.
    try {
      adminSdk.close();
      await admin.close();
    } finally {
      await authServer.stop();
    }
  });

  it('records the signed-in reviewer as who completed an item, whatever the client says', async () => {
    const bob = as('bob');
    assert.equal((await bob.getCurrentUser()).username, 'bob');
    const queue = await admin.review.createReviewQueue({
      experimentId: exp,
      name: 'Checked',
      users: ['Bob'],
    });
    assert.equal(queue.createdBy, ADMIN.username, 'the owner is the signed-in user');
    await admin.review.addItems(queue.queueId, [traceId]);
    const done = await bob.review.setItemStatus({
      queueId: queue.queueId,
      traceId,
      status: 'complete',
      completedBy: 'mallory',
    });
    assert.equal(done.completedBy, 'bob');
    const py = await adminSdk.call<Py[]>('list_review_queue_items', { queue_id: queue.queueId });
    assert.equal(py[0]?.completed_by, 'bob');
    await bob.close();
  });

  it("refuses a reviewer who is not one of the queue's reviewers (403), even with EDIT", async () => {
    const queue = await admin.review.createReviewQueue({
      experimentId: exp,
      name: 'Bob only',
      users: ['bob'],
    });
    await admin.review.addItems(queue.queueId, [traceId]);
    const carol = as('carol');
    await assert.rejects(
      carol.review.setItemStatus({
        queueId: queue.queueId,
        traceId,
        status: 'declined',
        completedBy: 'carol',
      }),
      (e: unknown) =>
        e instanceof ReviewNotAMemberError &&
        e.status === 403 &&
        e.action === 'review' &&
        /assigned reviewers/.test(e.message),
    );
    // A manager of the experiment too must assign themselves first.
    const mia = as('mia');
    await assert.rejects(
      mia.review.setItemStatus({
        queueId: queue.queueId,
        traceId,
        status: 'complete',
        completedBy: 'mia',
      }),
      ReviewNotAMemberError,
    );
    await mia.close();
    // An EDIT user sees every queue of the experiment but cannot open one they are not in.
    assert.ok((await carol.review.listReviewQueues({ experimentId: exp })).items.length >= 1);
    await assert.rejects(carol.review.getReviewQueue(queue.queueId), ReviewPermissionError);
    const own = await carol.review.createReviewQueue({ experimentId: exp, name: "Carol's" });
    assert.equal(own.createdBy, 'carol');
    await carol.close();
  });

  it('lets a server admin set any status without being a reviewer (differs from the notes)', async () => {
    const queue = await admin.review.createReviewQueue({
      experimentId: exp,
      name: 'Nobody',
      users: [],
    });
    await admin.review.addItems(queue.queueId, [traceId]);
    const done = await admin.review.setItemStatus({
      queueId: queue.queueId,
      traceId,
      status: 'complete',
      completedBy: 'someone',
    });
    assert.equal(done.completedBy, ADMIN.username);
  });

  it('shows a READ-only user only the queues they are assigned to, and refuses their writes', async () => {
    const dave = as('dave');
    await admin.review.createReviewQueue({ experimentId: exp, name: 'With Dave', users: ['dave'] });
    const seen = await dave.review.listReviewQueues({ experimentId: exp });
    assert.deepEqual(
      seen.items.map((q) => q.name),
      ['With Dave'],
    );
    await assert.rejects(
      dave.review.createLabelSchema({
        experimentId: exp,
        name: 'Q',
        kind: 'feedback',
        input: { type: 'text' },
      }),
      (e: unknown) => e instanceof ReviewPermissionError && e.action === 'manage questions',
    );
    await assert.rejects(
      dave.review.addItems(seen.items[0]?.queueId ?? '', [traceId]),
      (e: unknown) => e instanceof ReviewPermissionError && e.action === 'add items',
    );
    await dave.close();
  });

  it('refuses a custom queue named after a registered user (differs from the notes: not listed there)', async () => {
    await assert.rejects(
      admin.review.createReviewQueue({ experimentId: exp, name: 'Carol' }),
      (e: unknown) =>
        e instanceof MlflowApiError && e.status === 400 && /registered user/.test(e.message),
    );
  });
});

describe('a server older than 3.14', () => {
  it('is recognised as too old for review queues, not as a missing queue', async () => {
    const old = await startMlflowServer({ python: oldServerPythonPath() });
    try {
      const oldClient = new MlflowClient({ baseUrl: old.url });
      const tooOld = (e: unknown) =>
        e instanceof MlflowReviewUnsupportedError &&
        e.serverVersion === '2.22.4' &&
        /came with MLflow 3\.14/.test(e.message);
      await assert.rejects(oldClient.review.listReviewQueues({ experimentId: '0' }), tooOld);
      await assert.rejects(oldClient.review.getReviewQueue('rq-1'), tooOld);
      await assert.rejects(oldClient.review.listLabelSchemas('0'), tooOld);
      await assert.rejects(
        oldClient.review.setItemStatus({
          queueId: 'rq-1',
          traceId: 'tr-1',
          status: 'complete',
          completedBy: 'x',
        }),
        tooOld,
      );
      await oldClient.close();
    } finally {
      await old.stop();
    }
  });
});

/** A label schema as Python's API gives it, from what the client read. */
function pySchema(
  schema: LabelSchema | undefined,
  inputType: string,
  input: Record<string, unknown>,
): Py {
  assert.ok(schema);
  return {
    name: schema.name,
    type: schema.kind,
    input,
    instruction: schema.instruction ?? null,
    enable_comment: schema.enableComment,
    schema_id: schema.schemaId,
    experiment_id: schema.experimentId,
    created_by: null,
    created_at: schema.createdAt,
    updated_at: schema.lastUpdatedAt,
    is_default: false,
    input_type: inputType,
  };
}
