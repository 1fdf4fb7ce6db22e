/**
 * The Review Queues view in the real workbench, against real servers: queues and items made with
 * MLflow's Python API (`mlflow.genai.review_queues`) on a server without authentication show with
 * the reviewer's own queue first, MLflow's catch-all "default" queue next, their progress and
 * pending counts, and their items' previews and statuses; an item opens its trace; "Create My
 * Queue" makes the reviewer's queue as MLflow's Python API then reads it. On a server with
 * authentication the signed-in user is the reviewer, and a queue they may not read is a row that
 * says why; an MLflow 2 server is one row that says it is too old for review queues.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { QueueTreeNode } from '../../src/tree/queue-model';
import { PythonSdk } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWorkbench,
  keys,
  panelTabs,
  rows,
  run,
  screenshot,
  setSetting,
  showView,
  waitFor,
} from './support/harness';

const EXPERIMENT = 'Review Queues';
const OTHER_EXPERIMENT = 'Review Queues (no queue yet)';
/** Mixed case: the server lowercases queue users, and membership ignores case. */
const REVIEWER = 'Queue.Reviewer@Example.com';
const INPUTS = ['q-one', 'q-two', 'q-three', 'q-four', 'q-five'];

interface PyQueue {
  queue_id: string;
  name: string;
  queue_type: string;
  users: string[];
}

interface Row {
  node: QueueTreeNode;
  label: string;
  description: string;
  item: vscode.TreeItem;
}

describe('review queues', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let experimentId: string;
  let otherExperimentId: string;
  let traceIds: string[];
  let mine: PyQueue;
  let triage: PyQueue;
  let catchAll: PyQueue;
  let elsewhere: string;

  async function queueRows(node?: QueueTreeNode): Promise<Row[]> {
    const children = await api.queues.getChildren(node);
    return children.map((child) => {
      const item = api.queues.getTreeItem(child);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const description = typeof item.description === 'string' ? item.description : '';
      return { node: child, label, description, item };
    });
  }

  async function experimentRow(name: string): Promise<Row> {
    return waitFor(`the ${name} experiment in Review Queues`, async () =>
      (await queueRows()).find((r) => r.label === name),
    );
  }

  async function connectTo(url: string, state: string): Promise<void> {
    await run('selectServer', url);
    await waitFor(`${url} ${state}`, () => api.connection.state.kind === state, 30_000);
  }

  before(async function () {
    this.timeout(180_000);
    api = await extensionApi();
    await showView();
    await setSetting('reviewer', REVIEWER);
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    traceIds = [];
    for (const input of INPUTS) {
      const made = await sdk.call<{ trace_id: string; experiment_id: string }>('create_trace', {
        experiment: EXPERIMENT,
        input,
      });
      traceIds.push(made.trace_id);
      experimentId = made.experiment_id;
    }
    ({ experiment_id: otherExperimentId, trace_id: elsewhere } = await sdk.call<{
      experiment_id: string;
      trace_id: string;
    }>('create_trace', { experiment: OTHER_EXPERIMENT, input: 'elsewhere' }));
    // A custom queue the reviewer is not in, MLflow's catch-all queue, then the reviewer's own
    // (made last: the server lists newest first, the view puts it first all the same).
    triage = await sdk.call<PyQueue>('create_review_queue', {
      experiment_id: experimentId,
      name: 'Triage',
      users: ['carol'],
    });
    catchAll = await sdk.call<PyQueue>('get_or_create_user_queue', {
      experiment_id: experimentId,
      user: 'default',
    });
    await sdk.call('add_items_to_review_queue', {
      queue_id: catchAll.queue_id,
      item_ids: [traceIds[0]],
    });
    mine = await sdk.call<PyQueue>('get_or_create_user_queue', {
      experiment_id: experimentId,
      user: REVIEWER,
    });
    await sdk.call('add_items_to_review_queue', { queue_id: mine.queue_id, item_ids: traceIds });
    for (const [i, status] of [
      [0, 'complete'],
      [1, 'complete'],
      [2, 'declined'],
    ] as const)
      await sdk.call('set_review_queue_item_status', {
        queue_id: mine.queue_id,
        item_id: traceIds[i],
        status,
        completed_by: 'carol',
      });
    await vscode.commands.executeCommand('mlflowTraceReview.queues.focus');
    await run('refreshQueues');
  });

  after(async () => {
    sdk.close();
    await closeAllTabs();
  });

  it('says who reviews: the reviewer setting on a server without authentication, and "default"', async () => {
    await experimentRow(EXPERIMENT);
    assert.equal(api.queuesView.description, REVIEWER);
    assert.match(
      api.queuesView.message ?? '',
      /^Reviewing as Queue\.Reviewer@Example\.com \(reviewer setting; no authentication on this server, where MLflow's UI works as "default"\)$/,
    );
  });

  it("lists the experiment's queues, the reviewer's own first, each with its progress", async () => {
    const queues = await queueRows((await experimentRow(EXPERIMENT)).node);
    assert.deepEqual(
      queues.map((r) => [r.label, r.description]),
      [
        // Lowercased by the server, and still the reviewer's (case-insensitive).
        ['queue.reviewer@example.com', 'your queue · 3/5 done · 1 declined · 2 pending'],
        ['default', 'everyone’s queue · 0/1 done · 1 pending'],
        ['Triage', 'no items'],
      ],
    );
    // Wide enough for the rows' descriptions, then back (in code-server the side bar grows with
    // "decrease": the command sizes the editor part next to it).
    for (let i = 0; i < 6; i++)
      await vscode.commands.executeCommand('workbench.action.decreaseViewWidth');
    await screenshot('review-queues-view');
    for (let i = 0; i < 6; i++)
      await vscode.commands.executeCommand('workbench.action.increaseViewWidth');
  });

  it("lists a queue's items with their status and their trace's preview; an item opens its trace", async () => {
    const [own] = await queueRows((await experimentRow(EXPERIMENT)).node);
    assert.ok(own);
    const items = await queueRows(own.node);
    // The server's order: the most recently added first (all five were added at once).
    assert.deepEqual(items.map((r) => r.description).sort(), [
      'complete · carol',
      'complete · carol',
      'declined · carol',
      'pending',
      'pending',
    ]);
    for (const row of items) {
      const node = row.node;
      assert.ok(node.kind === 'queueItem');
      const index = traceIds.indexOf(node.item.traceId);
      assert.ok(row.label.includes(INPUTS[index] ?? '?'), `${row.label} shows its request`);
    }
    const declined = items.find((r) => r.description.startsWith('declined'));
    const command = declined?.item.command;
    assert.ok(command, 'an item opens its trace');
    await vscode.commands.executeCommand(
      command.command,
      ...((command.arguments ?? []) as unknown[]),
    );
    await waitFor('the trace panel', () => panelTabs('trace') === 1);
    await closeAllTabs();
  });

  it('"Create My Queue" makes the reviewer’s queue, as MLflow’s Python API reads it', async () => {
    const before = await queueRows((await experimentRow(OTHER_EXPERIMENT)).node);
    assert.equal(before.length, 1);
    assert.match(before[0]?.label ?? '', /^No review queues in this experiment yet/);
    const queue = await run<{ queueId: string; name: string }>('createMyQueue', otherExperimentId);
    assert.equal(queue.name, REVIEWER.toLowerCase());
    const inPython = await sdk.call<PyQueue[]>('list_review_queues', {
      experiment_id: otherExperimentId,
    });
    assert.deepEqual(
      inPython.map((q) => [q.queue_id, q.name, q.queue_type, q.users]),
      [[queue.queueId, REVIEWER.toLowerCase(), 'user', [REVIEWER.toLowerCase()]]],
    );
    const after = await waitFor('the new queue shown', async () => {
      const rows = await queueRows((await experimentRow(OTHER_EXPERIMENT)).node);
      return rows[0]?.label === REVIEWER.toLowerCase() ? rows : undefined;
    });
    assert.equal(after[0]?.description, 'your queue · no items');
    // Asked again, the server gives the same queue.
    const again = await run<{ queueId: string }>('createMyQueue', otherExperimentId);
    assert.equal(again.queueId, queue.queueId);
  });

  it('"Add to Review Queue…" adds the selected trace rows to the queue picked', async () => {
    const experiment = await waitFor('the experiment in MLflow Traces', async () =>
      (await rows(api)).find((r) => r.label === EXPERIMENT),
    );
    const traceNodes = (await rows(api, experiment.node)).map((r) => r.node);
    const [a, b] = [traceIds[3], traceIds[4]].map((id) =>
      traceNodes.find((n) => n.kind === 'trace' && n.traceId === id),
    );
    assert.ok(a && b, 'both rows are listed');
    // As a tree menu runs it with two rows selected: the row clicked, then the selection.
    const adding = vscode.commands.executeCommand<{ traceId: string; status: string }[]>(
      'mlflowTraceReview.addToReviewQueue',
      a,
      [a, b],
    );
    await keys({ waitForText: 'Triage' }, { type: 'Triage' }, { press: 'Enter' });
    const items = await adding;
    assert.deepEqual(
      items.map((i) => [i.traceId, i.status]),
      [
        [traceIds[3], 'pending'],
        [traceIds[4], 'pending'],
      ],
    );
    const inPython = await sdk.call<{ item_id: string; status: string }[]>(
      'list_review_queue_items',
      { queue_id: triage.queue_id },
    );
    assert.deepEqual(inPython.map((i) => i.item_id).sort(), [traceIds[3], traceIds[4]].sort());
    const shown = await waitFor('Triage’s new count', async () => {
      const queues = await queueRows((await experimentRow(EXPERIMENT)).node);
      const row = queues.find((r) => r.label === 'Triage');
      return row?.description === '0/2 done · 2 pending' ? row : undefined;
    });
    assert.ok(shown);
  });

  it('from the palette, adds the trace row selected in the tree', async () => {
    const experiment = await waitFor('the experiment in MLflow Traces', async () =>
      (await rows(api)).find((r) => r.label === EXPERIMENT),
    );
    const row = (await rows(api, experiment.node)).find(
      (r) => r.node.kind === 'trace' && r.node.traceId === traceIds[1],
    );
    assert.ok(row);
    await api.view.reveal(row.node, { select: true, focus: true });
    await waitFor('the row selected', () => api.view.selection[0] === row.node);
    const adding = run<{ traceId: string }[]>('addToReviewQueue');
    await keys({ waitForText: 'Triage' }, { type: 'default' }, { press: 'Enter' });
    assert.deepEqual(
      (await adding).map((i) => i.traceId),
      [traceIds[1]],
    );
    const inPython = await sdk.call<{ item_id: string }[]>('list_review_queue_items', {
      queue_id: catchAll.queue_id,
    });
    assert.deepEqual(inPython.map((i) => i.item_id).sort(), [traceIds[0], traceIds[1]].sort());
  });

  it('refuses a trace of another experiment than the queue’s with the typed error’s message', async () => {
    const refused = await vscode.commands.executeCommand('mlflowTraceReview.addToReviewQueue', {
      traceIds: [elsewhere],
      queueId: mine.queue_id,
    });
    assert.equal(refused, undefined, 'reported');
    await vscode.commands.executeCommand('notifications.showList');
    try {
      const [toast] = await inWorkbench(
        {
          waitFor: '.notifications-center .notification-list-item',
          hasText: 'cannot be added to the review queue',
        },
        {
          inspect:
            '.notifications-center .notification-list-item-message:has-text("cannot be added")',
        },
      );
      assert.match(
        toast?.[0]?.text ?? '',
        new RegExp(
          `^${elsewhere} cannot be added to the review queue: it is not in .*Nothing was added`,
        ),
      );
    } finally {
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('notifications.hideList');
    }
    const items = await sdk.call<unknown[]>('list_review_queue_items', { queue_id: mine.queue_id });
    assert.equal(items.length, INPUTS.length, 'nothing was added');
  });

  it('says in a row that the server does not answer', async () => {
    try {
      await connectTo(env('MTR_STOPPED_URL'), 'unreachable');
      const [row] = await queueRows();
      assert.equal(row?.node.kind, 'queueMessage');
      assert.ok(row.label.includes(env('MTR_STOPPED_URL')), row.label);
    } finally {
      await connectTo(env('MLFLOW_TRACKING_URI'), 'connected');
    }
  });

  it('on an MLflow 2 server, says in one row that the server is too old for review queues', async () => {
    try {
      await connectTo(env('MTR_OLD_URL'), 'tooOld');
      const rows = await waitFor('the one row', async () => {
        const shown = await queueRows();
        return shown.length === 1 && shown[0]?.node.kind === 'queueMessage' ? shown : undefined;
      });
      assert.match(
        rows[0]?.label ?? '',
        /^This server is too old for review queues: .*\(version 2\.\d+\.\d+\).*Upgrade the server to MLflow 3\.14 or later/,
      );
    } finally {
      await connectTo(env('MLFLOW_TRACKING_URI'), 'connected');
    }
  });

  it('on a server with authentication, reviews as the signed-in user; a queue they cannot read says why', async function () {
    this.timeout(120_000);
    const authUrl = env('MTR_AUTH_URL');
    const admin = {
      MLFLOW_TRACKING_USERNAME: env('MTR_AUTH_USER'),
      MLFLOW_TRACKING_PASSWORD: env('MTR_AUTH_PASSWORD'),
    };
    const adminSdk = new PythonSdk(authUrl, admin);
    const password = 'Qbob-Passw0rd!';
    try {
      const { trace_id: traceId, experiment_id: authExperiment } = await adminSdk.call<{
        trace_id: string;
        experiment_id: string;
      }>('create_trace', { experiment: 'Review Queues (auth)', input: 'guarded' });
      const others = await adminSdk.call<PyQueue>('create_review_queue', {
        experiment_id: authExperiment,
        name: 'Carol only',
        users: ['carol'],
      });
      await adminSdk.call('add_items_to_review_queue', {
        queue_id: others.queue_id,
        item_ids: [traceId],
      });
      await adminSdk.call('create_user', {
        username: 'QBob',
        password,
        experiment_id: authExperiment,
        permission: 'EDIT',
      });
      await connectTo(authUrl, 'unauthorized');
      const down = await queueRows();
      assert.equal(down.length, 1);
      assert.equal(down[0]?.node.kind, 'queueMessage');
      assert.equal(await run('signIn', { username: 'QBob', password }), true);
      await waitFor('connected as QBob', () => api.connection.state.kind === 'connected');
      await waitFor('the signed-in identity', () =>
        api.queuesView.message === 'Reviewing as QBob (signed in)' ? true : undefined,
      );
      const queues = await queueRows((await experimentRow('Review Queues (auth)')).node);
      const carols = queues.find((r) => r.label === 'Carol only');
      assert.ok(carols, queues.map((r) => r.label).join(' | '));
      assert.equal(carols.description, 'items could not be listed');
      const [why] = await queueRows(carols.node);
      assert.match(why?.label ?? '', /^Not allowed \(403\): viewing a queue takes READ permission/);
      // "Create My Queue" makes the signed-in user's queue (lowercased), whatever the setting says.
      const own = await run<{ name: string }>('createMyQueue', authExperiment);
      assert.equal(own.name, 'qbob');
      const first = await waitFor('QBob’s queue first', async () => {
        const rows = await queueRows((await experimentRow('Review Queues (auth)')).node);
        return rows[0]?.label === 'qbob' ? rows[0] : undefined;
      });
      assert.equal(first.description, 'your queue · no items');
    } finally {
      adminSdk.close();
      await run('signOut');
      await connectTo(env('MLFLOW_TRACKING_URI'), 'connected');
    }
  });
});
