/**
 * Add to Evaluation Dataset… in the real extension host: two selected trace rows (as a tree menu
 * runs it) go into a dataset picked with the keyboard, read back with MLflow's Python API as
 * `merge_records` would have written them; adding them again updates their records; a trace
 * without expectations is skipped or added with its inputs only, as asked; "Create Dataset…"
 * makes one; a dataset deleted meanwhile and an unreachable server give their messages.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AddToDatasetResult } from '../../src/commands/dataset-commands';
import type { ExtensionApi } from '../../src/extension';
import type { TreeNode } from '../../src/tree/nodes';
import { FaultProxy } from '../support/fault-proxy';
import { PythonSdk } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWorkbench,
  keys,
  rows,
  run,
  showView,
  waitFor,
} from './support/harness';

const EXPERIMENT = 'Datasets';
type PyRecord = Record<string, unknown>;

describe('add to evaluation dataset', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let experimentId: string;
  const traceIds: string[] = [];
  let datasetId: string;

  async function traceRow(id: string): Promise<TreeNode> {
    return waitFor(`the row of ${id}`, async () => {
      const experiment = (await rows(api)).find((r) => r.label === EXPERIMENT);
      if (!experiment) return undefined;
      return (await rows(api, experiment.node)).find(
        (r) => r.node.kind === 'trace' && r.node.traceId === id,
      )?.node;
    });
  }

  async function records(id: string): Promise<PyRecord[]> {
    return sdk.call<PyRecord[]>('dataset_records', { dataset_id: id });
  }

  before(async function () {
    this.timeout(120_000);
    api = await extensionApi();
    await showView();
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    for (const input of ['Lyon', 'Paris', 'Nice']) {
      const made = await sdk.call<{ trace_id: string; experiment_id: string }>('create_trace', {
        experiment: EXPERIMENT,
        input,
      });
      traceIds.push(made.trace_id);
      experimentId = made.experiment_id;
    }
    for (const i of [0, 1])
      await sdk.call('log_expectation', {
        trace_id: traceIds[i],
        name: 'expected_response',
        value: `rain ${i}`,
      });
    datasetId = (
      await sdk.call<{ dataset_id: string }>('create_dataset', {
        name: 'regressions',
        experiment_ids: [experimentId],
      })
    ).dataset_id;
    await run('refresh');
  });

  after(async () => {
    sdk.close();
    await closeAllTabs();
  });

  it('adds the selected rows to the dataset picked, as merge_records would', async () => {
    const [a, b] = await Promise.all([traceRow(traceIds[0] ?? ''), traceRow(traceIds[1] ?? '')]);
    const adding = vscode.commands.executeCommand<AddToDatasetResult>(
      'mlflowTraceReview.addToEvaluationDataset',
      a,
      [a, b],
    );
    await keys({ waitForText: 'regressions' }, { type: 'regressions' }, { press: 'Enter' });
    const result = await adding;
    assert.equal(result.inserted, 2);
    assert.equal(result.updated, 0);
    assert.equal(result.datasetId, datasetId);
    const ours = await records(datasetId);
    // MLflow's own merge_records into another dataset: the same records, field for field.
    const theirs = (
      await sdk.call<{ dataset_id: string }>('create_dataset', {
        name: 'by python',
        experiment_ids: [experimentId],
      })
    ).dataset_id;
    await sdk.call('merge_trace_records', {
      dataset_id: theirs,
      trace_ids: [traceIds[0], traceIds[1]],
    });
    const strip = (list: PyRecord[]) =>
      list
        .map(({ source_id, source_type, inputs, outputs, expectations, source }) => ({
          source_id,
          source_type,
          inputs,
          outputs,
          expectations,
          source,
        }))
        .sort((x, y) => String(x.source_id).localeCompare(String(y.source_id)));
    assert.deepEqual(strip(ours), strip(await records(theirs)));
    const lyon = ours.find((r) => r.source_id === traceIds[0]);
    assert.equal(lyon?.source_type, 'TRACE');
    assert.deepEqual(lyon.expectations, { expected_response: 'rain 0' });
  });

  it('updates the records when the same traces are added again', async () => {
    await sdk.call('log_expectation', { trace_id: traceIds[0], name: 'tone', value: 'calm' });
    const result = await run<AddToDatasetResult>('addToEvaluationDataset', {
      traceIds: [traceIds[0], traceIds[1]],
      datasetId,
    });
    assert.deepEqual([result.inserted, result.updated], [0, 2]);
    const now = await records(datasetId);
    assert.equal(now.length, 2, 'no duplicates');
    assert.deepEqual(now.find((r) => r.source_id === traceIds[0])?.expectations, {
      expected_response: 'rain 0',
      tone: 'calm',
    });
  });

  it("from the trace panel's title bar: the trace of the panel in front", async () => {
    // One trace panel: the one the title bar belongs to (earlier suites may leave others open).
    await closeAllTabs();
    await run('openTrace', traceIds[1]);
    await waitFor('the trace panel in front', () => {
      const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
      return (
        tab?.input instanceof vscode.TabInputWebview &&
        tab.input.viewType.endsWith('mlflowTraceReview.trace')
      );
    });
    const fresh = (
      await sdk.call<{ dataset_id: string }>('create_dataset', {
        name: 'from the panel',
        experiment_ids: [experimentId],
      })
    ).dataset_id;
    // What the editor/title button runs: no trace named (the webview's title bar passes none).
    const result = await run<AddToDatasetResult>('addToEvaluationDataset', { datasetId: fresh });
    assert.deepEqual([result.inserted, result.updated], [1, 0]);
    assert.deepEqual(
      (await records(fresh)).map((r) => r.source_id),
      [traceIds[1]],
    );
    await closeAllTabs();
  });

  it('asks about a trace without expectations: skip it, or add its inputs only', async () => {
    const skipped = await run<AddToDatasetResult | undefined>('addToEvaluationDataset', {
      traceIds: [traceIds[2]],
      datasetId,
      withoutExpectations: 'skip',
    });
    assert.equal(skipped, undefined, 'nothing to add');
    assert.equal((await records(datasetId)).length, 2);
    const added = await run<AddToDatasetResult>('addToEvaluationDataset', {
      traceIds: [traceIds[2]],
      datasetId,
      withoutExpectations: 'inputsOnly',
    });
    assert.deepEqual([added.inserted, added.updated], [1, 0]);
    const nice = (await records(datasetId)).find((r) => r.source_id === traceIds[2]);
    assert.deepEqual(nice?.inputs, { input: 'Nice' });
    assert.deepEqual(nice.expectations ?? {}, {});
  });

  it('"Create Dataset…" makes a dataset of the experiment and adds to it', async () => {
    const adding = run<AddToDatasetResult>('addToEvaluationDataset', { traceIds: [traceIds[1]] });
    await keys(
      { waitForText: 'Create Dataset' },
      { type: 'Create Dataset' },
      { press: 'Enter' },
      // The name box itself, not the closing pick (typing into that one would be lost).
      { waitForText: 'new evaluation dataset' },
      { type: 'made in the editor' },
      { press: 'Enter' },
    );
    const result = await adding;
    assert.equal(result.inserted, 1);
    const made = await sdk.call<{ name: string; experiment_ids: string[] }>('get_dataset', {
      dataset_id: result.datasetId,
    });
    assert.equal(made.name, 'made in the editor');
    assert.deepEqual(made.experiment_ids, [experimentId]);
  });

  it('keeps the name typed for a dataset the server failed to make, and makes it once', async () => {
    const NAME = 'kept after a failure';
    const named = async () =>
      (
        await sdk.call<{ name: string }[]>('search_datasets', { experiment_ids: [experimentId] })
      ).filter((d) => d.name === NAME).length;
    const createDataset = (answer: 'refuse' | 'lose') =>
      proxy.set({
        method: 'POST',
        match: /\/datasets\/create$/,
        times: 1,
        fault: { kind: 'status', status: 503, afterServer: answer === 'lose' },
      });
    const addWithNewDataset = (...afterName: Parameters<typeof keys>) =>
      keys(
        { waitForText: 'Create Dataset' },
        { type: 'Create Dataset' },
        { press: 'Enter' },
        { waitForText: 'new evaluation dataset' },
        ...afterName,
      );
    const proxy = await FaultProxy.start(env('MLFLOW_TRACKING_URI'));
    try {
      await run('selectServer', proxy.url);
      await waitFor('connected through the proxy', () => api.connection.state.kind === 'connected');
      // Refused before the server made it: nothing made, the name kept for the next try.
      createDataset('refuse');
      let adding = run<AddToDatasetResult>('addToEvaluationDataset', { traceIds: [traceIds[0]] });
      await addWithNewDataset({ type: NAME }, { press: 'Enter' });
      assert.equal(await adding, undefined, 'reported');
      assert.equal(await named(), 0);
      // The next try offers the name typed: Enter alone makes the dataset.
      adding = run<AddToDatasetResult>('addToEvaluationDataset', { traceIds: [traceIds[0]] });
      await addWithNewDataset({ press: 'Enter' });
      const made = await adding;
      assert.equal(made.inserted, 1);
      assert.equal(await named(), 1);
      // Made, but its answer lost: the name is then taken, and nothing is made twice.
      await sdk.call('delete_dataset', { dataset_id: made.datasetId });
      createDataset('lose');
      adding = run<AddToDatasetResult>('addToEvaluationDataset', { traceIds: [traceIds[0]] });
      await addWithNewDataset({ type: NAME }, { press: 'Enter' });
      assert.equal(await adding, undefined, 'reported');
      adding = run<AddToDatasetResult>('addToEvaluationDataset', { traceIds: [traceIds[0]] });
      await addWithNewDataset(
        { press: 'Enter' },
        { waitForText: 'is already in this experiment' },
        { press: 'Escape' },
      );
      assert.equal(await adding, undefined, 'cancelled');
      assert.equal(await named(), 1);
      // Picking the dataset that was made forgets the name: Create Dataset… offers none again.
      adding = run<AddToDatasetResult>('addToEvaluationDataset', { traceIds: [traceIds[0]] });
      await keys({ waitForText: NAME }, { type: NAME }, { press: 'Enter' });
      assert.equal((await adding).inserted + (await adding).updated, 1);
      adding = run<AddToDatasetResult>('addToEvaluationDataset', { traceIds: [traceIds[0]] });
      await addWithNewDataset({ press: 'Enter' }, { waitForText: 'Give the dataset a name' });
      await keys({ press: 'Escape' });
      assert.equal(await adding, undefined, 'cancelled');
    } finally {
      await run('selectServer', env('MLFLOW_TRACKING_URI'));
      await waitFor('connected again', () => api.connection.state.kind === 'connected', 30_000);
      await proxy.close();
      await vscode.commands.executeCommand('notifications.clearAll');
    }
  });

  it('says a dataset deleted meanwhile was not found, and what to do', async () => {
    const gone = (
      await sdk.call<{ dataset_id: string }>('create_dataset', {
        name: 'gone',
        experiment_ids: [experimentId],
      })
    ).dataset_id;
    await sdk.call('delete_dataset', { dataset_id: gone });
    const refused = await run('addToEvaluationDataset', {
      traceIds: [traceIds[0]],
      datasetId: gone,
    });
    assert.equal(refused, undefined, 'reported');
    await vscode.commands.executeCommand('notifications.showList');
    try {
      const [toast] = await inWorkbench(
        { waitFor: '.notifications-center .notification-list-item', hasText: 'was not found' },
        {
          inspect:
            '.notifications-center .notification-list-item-message:has-text("was not found")',
        },
      );
      assert.match(
        toast?.[0]?.text ?? '',
        new RegExp(
          `^The evaluation dataset ${gone} was not found \\(404\\): it may have been deleted\\. Nothing was added`,
        ),
      );
    } finally {
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('notifications.hideList');
    }
  });

  it('says the server does not answer, and adds nothing', async () => {
    const before = (await records(datasetId)).length;
    const connectTo = async (url: string, state: string) => {
      await run('selectServer', url);
      await waitFor(`${url} ${state}`, () => api.connection.state.kind === state, 30_000);
    };
    try {
      await connectTo(env('MTR_STOPPED_URL'), 'unreachable');
      const refused = await run('addToEvaluationDataset', { traceIds: [traceIds[0]], datasetId });
      assert.equal(refused, undefined, 'reported');
      await vscode.commands.executeCommand('notifications.showList');
      try {
        const [toast] = await inWorkbench(
          {
            waitFor: '.notifications-center .notification-list-item',
            hasText: 'Cannot connect',
          },
          {
            inspect:
              '.notifications-center .notification-list-item-message:has-text("Cannot connect")',
          },
        );
        assert.match(toast?.[0]?.text ?? '', /Cannot connect to the MLflow server at /);
      } finally {
        await vscode.commands.executeCommand('notifications.clearAll');
        await vscode.commands.executeCommand('notifications.hideList');
      }
    } finally {
      await connectTo(env('MLFLOW_TRACKING_URI'), 'connected');
    }
    assert.equal((await records(datasetId)).length, before);
  });
});
