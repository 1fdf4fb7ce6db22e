/**
 * MLflow's evaluation dataset routes through MlflowClient.datasets against the pinned server,
 * with MLflow's Python API (`mlflow.genai.datasets`) on the other side both ways: a record the
 * extension adds from a trace reads back in Python exactly as one `merge_records([trace])` adds,
 * and adding the same trace again updates its record (the server keys records on their inputs).
 * A server with basic authentication for the 403s.
 */
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { MlflowClient } from '../../src/mlflow/client';
import { DatasetNotFoundError, DatasetPermissionError } from '../../src/mlflow/dataset-errors';
import { traceToRecord } from '../../src/mlflow/dataset-records';
import type { DatasetRecordInput } from '../../src/mlflow/dataset-types';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { PythonSdk } from '../support/python-sdk';
import { ADMIN, startServer } from '../support/servers';

interface PyDataset {
  dataset_id: string;
  name: string;
  tags: Record<string, string>;
  experiment_ids: string[];
}
type PyRecord = Record<string, unknown>;

let server: MlflowServer;
let sdk: PythonSdk;
let client: MlflowClient;
let experimentId: string;
/** Two traces with expectations and one without. */
const traces: string[] = [];
/** What Python's context gives as `mlflow.user`: the OS user running it, as here. */
const user = userInfo().username;

before(async () => {
  server = await startServer();
  sdk = new PythonSdk(server.url);
  client = new MlflowClient({ baseUrl: server.url });
  for (let i = 0; i < 3; i++) {
    const made = await sdk.call<{ trace_id: string; experiment_id: string }>('create_trace', {
      experiment: 'datasets',
      input: `question ${i}`,
    });
    traces.push(made.trace_id);
    experimentId = made.experiment_id;
  }
  for (const i of [0, 1]) {
    await sdk.call('log_expectation', {
      trace_id: trace(i),
      name: 'expected_response',
      value: `answer ${i}`,
    });
    await sdk.call('log_expectation', {
      trace_id: trace(i),
      name: 'expected_facts',
      value: ['a fact', { n: i }],
    });
  }
});

after(async () => {
  try {
    sdk.close();
    await client.close();
  } finally {
    await server.stop();
  }
});

const trace = (i: number): string => traces[i] ?? assert.fail(`no trace ${i}`);

async function recordOf(traceId: string): Promise<DatasetRecordInput> {
  const info = await client.getTraceInfo(traceId);
  const made = traceToRecord(info, await client.getTraceSpans(traceId), user);
  assert.ok(made.ok, made.ok ? '' : made.problem);
  return made.record;
}

/** A record as Python reads it, without what differs by nature (ids, times, dataset). */
const DIFFERING = new Set(['dataset_record_id', 'dataset_id', 'created_time', 'last_update_time']);
function comparable(r: PyRecord): PyRecord {
  return Object.fromEntries(Object.entries(r).filter(([key]) => !DIFFERING.has(key)));
}

const bySource = (a: PyRecord, b: PyRecord) =>
  String(a.source_id).localeCompare(String(b.source_id));

describe('evaluation datasets', () => {
  let ours: string;
  let theirs: string;

  it('creates a dataset that Python reads with its name, experiment and tags', async () => {
    const made = await client.datasets.createDataset({
      name: 'from the extension',
      experimentIds: [experimentId],
      tags: { team: 'review', 'mlflow.user': user },
    });
    ours = made.datasetId;
    assert.equal(made.name, 'from the extension');
    assert.deepEqual(made.experimentIds, [experimentId]);
    const py = await sdk.call<PyDataset>('get_dataset', { dataset_id: ours });
    assert.equal(py.name, 'from the extension');
    assert.deepEqual(py.experiment_ids, [experimentId]);
    assert.equal(py.tags.team, 'review');
  });

  it("finds Python's dataset among the experiment's datasets (without its experiment ids: 3.18 leaves them out), and Python finds ours", async () => {
    theirs = (
      await sdk.call<PyDataset>('create_dataset', {
        name: 'from python',
        experiment_ids: [experimentId],
        tags: { team: 'python' },
      })
    ).dataset_id;
    const page = await client.datasets.searchDatasets({ experimentIds: [experimentId] });
    const found = page.items.find((d) => d.datasetId === theirs);
    assert.ok(found, 'the dataset made by Python is listed');
    assert.equal(found.name, 'from python');
    assert.equal(found.tags.team, 'python');
    // MLflow 3.18 fills a dataset's experiment ids only in create's answer: search and get leave
    // them out (Python reads them from /datasets/{id}/experiment-ids).
    assert.deepEqual(found.experimentIds, []);
    assert.deepEqual((await client.datasets.getDataset(theirs)).experimentIds, []);
    assert.ok(page.items.some((d) => d.datasetId === ours));
    const py = await sdk.call<PyDataset[]>('search_datasets', { experiment_ids: [experimentId] });
    assert.deepEqual(py.map((d) => d.dataset_id).sort(), [ours, theirs].sort());
  });

  it('adds records from traces exactly as merge_records does', async () => {
    const result = await client.datasets.upsertRecords(ours, [
      await recordOf(trace(0)),
      await recordOf(trace(1)),
    ]);
    assert.deepEqual(result, { inserted: 2, updated: 0 });
    await sdk.call('merge_trace_records', { dataset_id: theirs, trace_ids: [trace(0), trace(1)] });
    const mine = await sdk.call<PyRecord[]>('dataset_records', { dataset_id: ours });
    const python = await sdk.call<PyRecord[]>('dataset_records', { dataset_id: theirs });
    assert.equal(mine.length, 2);
    assert.deepEqual(
      mine.map(comparable).sort(bySource),
      python.map(comparable).sort(bySource),
      'the same records, field for field, as MLflow itself adds',
    );
    const first = mine.find((r) => r.source_id === trace(0));
    assert.equal(first?.source_type, 'TRACE');
    assert.deepEqual(first.expectations, {
      expected_response: 'answer 0',
      expected_facts: ['a fact', { n: 0 }],
    });
    assert.deepEqual(first.inputs, { input: 'question 0' });
  });

  it('reads the records back with the source, as Python wrote them', async () => {
    const records = await client.datasets.listRecords(theirs);
    assert.equal(records.length, 2);
    const one = records.find((r) => r.sourceId === trace(1));
    assert.ok(one);
    assert.equal(one.sourceType, 'TRACE');
    assert.deepEqual(one.source, { sourceType: 'TRACE', sourceData: { trace_id: trace(1) } });
    assert.deepEqual(one.inputs, { input: 'question 1' });
    assert.deepEqual(one.expectations, {
      expected_response: 'answer 1',
      expected_facts: ['a fact', { n: 1 }],
    });
    assert.equal(one.tags['mlflow.user'], user);
  });

  it('updates the record when the same trace is added again (keyed on its inputs)', async () => {
    await sdk.call('log_expectation', { trace_id: trace(0), name: 'tone', value: 'polite' });
    const result = await client.datasets.upsertRecords(ours, [await recordOf(trace(0))]);
    assert.deepEqual(result, { inserted: 0, updated: 1 });
    const records = await sdk.call<PyRecord[]>('dataset_records', { dataset_id: ours });
    assert.equal(records.length, 2, 'no duplicate');
    const first = records.find((r) => r.source_id === trace(0));
    assert.deepEqual(first?.expectations, {
      expected_response: 'answer 0',
      expected_facts: ['a fact', { n: 0 }],
      tone: 'polite',
    });
  });

  it('adds a trace without expectations with its inputs only', async () => {
    const record = await recordOf(trace(2));
    assert.deepEqual(record.expectations, {});
    assert.deepEqual(await client.datasets.upsertRecords(ours, [record]), {
      inserted: 1,
      updated: 0,
    });
    const records = await client.datasets.listRecords(ours);
    assert.equal(records.length, 3);
  });

  it('says a deleted dataset was not found, and writes nothing', async () => {
    const gone = await client.datasets.createDataset({
      name: 'to delete',
      experimentIds: [experimentId],
    });
    await sdk.call('delete_dataset', { dataset_id: gone.datasetId });
    await assert.rejects(
      client.datasets.upsertRecords(gone.datasetId, [await recordOf(trace(0))]),
      (error: unknown) =>
        error instanceof DatasetNotFoundError &&
        error.status === 404 &&
        /was not found \(404\): it may have been deleted/.test(error.message),
    );
  });
});

describe('evaluation datasets on a server with authentication', () => {
  let authServer: MlflowServer;
  let adminSdk: PythonSdk;
  let exp: string;
  let datasetId: string;
  const password = 'mtr-Reader-Passw0rd!';

  before(async () => {
    authServer = await startServer({ basicAuth: ADMIN });
    adminSdk = new PythonSdk(authServer.url, {
      MLFLOW_TRACKING_USERNAME: ADMIN.username,
      MLFLOW_TRACKING_PASSWORD: ADMIN.password,
    });
    ({ experiment_id: exp } = await adminSdk.call<{ experiment_id: string }>('create_trace', {
      experiment: 'datasets auth',
    }));
    // No permission given: the server's default, READ.
    await adminSdk.call('create_user', { username: 'reader', password });
    datasetId = (
      await adminSdk.call<PyDataset>('create_dataset', { name: 'guarded', experiment_ids: [exp] })
    ).dataset_id;
  });

  after(async () => {
    try {
      adminSdk.close();
    } finally {
      await authServer.stop();
    }
  });

  it('a reader sees the datasets but may not create one or add records (403)', async () => {
    const reader = new MlflowClient({
      baseUrl: authServer.url,
      credentials: { kind: 'basic', username: 'reader', password },
    });
    try {
      const page = await reader.datasets.searchDatasets({ experimentIds: [exp] });
      assert.deepEqual(
        page.items.map((d) => d.datasetId),
        [datasetId],
      );
      await assert.rejects(
        reader.datasets.createDataset({ name: 'mine', experimentIds: [exp] }),
        (e: unknown) => e instanceof DatasetPermissionError && e.action === 'create',
      );
      await assert.rejects(
        reader.datasets.upsertRecords(datasetId, [{ inputs: { q: 'x' } }]),
        (e: unknown) =>
          e instanceof DatasetPermissionError &&
          e.action === 'add records' &&
          /EDIT permission/.test(e.message),
      );
    } finally {
      await reader.close();
    }
  });
});
