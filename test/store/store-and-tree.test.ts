/**
 * The store and the tree's logic in plain Node (no VS Code), against a real MLflow server with
 * traces made by MLflow's own Python SDK: paging, polling, the generation guard, local filters,
 * "next unrated", the override rule, and the rows the tree makes of it all.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MlflowClient } from '../../src/mlflow/client';
import { MlflowInputError } from '../../src/mlflow/errors';
import { asTraceId, type ExperimentId, type TraceId } from '../../src/mlflow/ids';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { currentFeedback } from '../../src/store/assessment-rules';
import { NO_FILTER } from '../../src/store/trace-filters';
import { TraceStore, type StoreChange, type StoreConnection } from '../../src/store/trace-store';
import type { TreeNode } from '../../src/tree/nodes';
import { TraceTreeModel } from '../../src/tree/tree-model';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import { startServer } from '../support/servers';

interface CreatedTrace {
  trace_id: string;
  experiment_id: string;
}

const EXPERIMENT = 'store-tests';
const PAGE_SIZE = 3;
const FIRST_TRACES = 7;

let server: MlflowServer;
let sdk: PythonSdk;
let client: MlflowClient;
/** Trace ids made before the tests, oldest first. */
const made: TraceId[] = [];

/** The connection as the store sees it: our own small interface, backed by the real client. */
class TestConnection implements StoreConnection {
  readonly failures: unknown[] = [];
  state = { kind: 'connected' };
  settings = {
    experiments: [EXPERIMENT],
    pageSize: PAGE_SIZE,
    trackingUri: { url: 'http://127.0.0.1:5000' },
  };
  constructor(public client: MlflowClient) {
    this.settings.trackingUri.url = client.baseUrl;
  }
  noteFailure(error: unknown): void {
    this.failures.push(error);
  }
}

const newTrace = async (input: string): Promise<TraceId> =>
  asTraceId(
    (await sdk.call<CreatedTrace>('create_trace', { experiment: EXPERIMENT, input })).trace_id,
  );

before(async () => {
  server = await startServer();
  sdk = new PythonSdk(server.url);
  client = new MlflowClient({ baseUrl: server.url });
  for (let i = 0; i < FIRST_TRACES; i++) made.push(await newTrace(`question ${i}`));
});

after(async () => {
  sdk.close();
  await client.close();
  await server.stop();
});

let connection: TestConnection;
let store: TraceStore;
let changes: StoreChange[];

beforeEach(() => {
  connection = new TestConnection(client);
  store = new TraceStore(connection);
  changes = [];
  store.onDidChange((change) => changes.push(change));
});

async function theExperiment(): Promise<{ experimentId: ExperimentId }> {
  const [experiment] = await store.experiments();
  assert.ok(experiment, 'the configured experiment is listed');
  return experiment;
}

describe('the store', () => {
  it('lists only the configured experiments, by name', async () => {
    const experiments = await store.experiments();
    assert.deepEqual(
      experiments.map((e) => e.name),
      [EXPERIMENT],
    );
  });

  it('finds experiments made since the list was loaded, without a refresh', async () => {
    connection.settings = { ...connection.settings, experiments: [] };
    const before = await store.experiments();
    assert.equal(await store.pollExperiments(), false, 'nothing new yet');
    await sdk.call('create_trace', { experiment: 'made-later', input: 'new app' });
    changes.length = 0;
    assert.equal(await store.pollExperiments(), true);
    const after = await store.experiments();
    assert.ok(after.some((e) => e.name === 'made-later'));
    assert.equal(after.length, before.length + 1);
    assert.deepEqual(changes, [{ kind: 'experiments' }]);
  });

  it('gives callers asking at the same time one list of the same objects, polling or not', async () => {
    // The view, the code lenses and the bench list the experiments at once as the view opens.
    // The tree keys its rows by these objects, and VS Code keys its rows by the tree's: two
    // lists would give the tree a row VS Code does not know, and VS Code drops its changes.
    const [first, second] = await Promise.all([store.experiments(), store.experiments()]);
    assert.equal(first, second);
    const polling = store.pollExperiments();
    assert.equal(await store.experiments(), first, 'the shown list while a poll is answered');
    assert.equal(await polling, false);
    assert.equal(await store.experiments(), first, 'the same objects after an unchanged poll');
  });

  it('loads a page at a time, newest first, and follows the page token with Load more', async () => {
    const experiment = await store.experiments().then((e) => e[0]);
    assert.ok(experiment);
    const list = await store.ensureList(experiment);
    assert.equal(list.traces.length, PAGE_SIZE);
    assert.ok(list.nextPageToken);
    // Two callers at once share one fetch.
    assert.equal(await store.ensureList(experiment), list);
    assert.deepEqual(
      list.traces.map((t) => t.traceId),
      [...made].reverse().slice(0, PAGE_SIZE),
    );
    while (store.list(experiment.experimentId)?.nextPageToken)
      await store.loadMore(experiment.experimentId);
    const all = store.list(experiment.experimentId)?.traces.map((t) => t.traceId) ?? [];
    assert.equal(new Set(all).size, all.length, 'no trace twice');
    for (const id of made) assert.ok(all.includes(id), `${id} is loaded`);
    assert.ok(changes.some((c) => c.kind === 'list' && c.experimentId === experiment.experimentId));
  });

  it('merges new traces at the top when it polls, keeping what was loaded', async () => {
    const { experimentId } = await theExperiment();
    const experiment = (await store.experiments())[0];
    assert.ok(experiment);
    await store.ensureList(experiment);
    await store.loadMore(experimentId);
    const before = store.list(experimentId)?.traces.map((t) => t.traceId) ?? [];
    const fresh = [await newTrace('polled 1'), await newTrace('polled 2')];
    made.push(...fresh);
    assert.equal(await store.pollNewest(experimentId), 2);
    const after = store.list(experimentId)?.traces.map((t) => t.traceId) ?? [];
    assert.deepEqual(after.slice(0, 2), [...fresh].reverse());
    assert.deepEqual(after.slice(2), before);
    assert.equal(await store.pollNewest(experimentId), 0, 'nothing new the second time');
  });

  it('replaces a loaded trace whose assessments changed on the server, and says so', async () => {
    const experiment = (await store.experiments())[0];
    assert.ok(experiment);
    const [newest] = (await store.ensureList(experiment)).traces;
    assert.ok(newest);
    await sdk.call('log_feedback', { trace_id: newest.traceId, name: 'from_sdk', value: 3 });
    await store.pollNewest(experiment.experimentId);
    const updated = store.trace(newest.traceId);
    assert.ok(updated?.assessments.some((a) => a.name === 'from_sdk'));
    assert.ok(changes.some((c) => c.kind === 'trace' && c.trace.traceId === newest.traceId));
  });

  it('drops a page that arrives after the server or filter changed', async () => {
    const experiment = (await store.experiments())[0];
    assert.ok(experiment);
    const loading = store.ensureList(experiment);
    store.reset();
    const stale = await loading;
    assert.deepEqual(stale.traces, [], 'the page from before the reset was dropped');
    assert.equal(store.list(experiment.experimentId), undefined, 'and the store keeps no list');

    const kept = await store.ensureList(experiment);
    const polling = store.pollNewest(experiment.experimentId);
    store.setFilter({ quick: new Set(['errors']) });
    assert.equal(await polling, 0);
    assert.equal(store.list(experiment.experimentId), undefined);
    assert.ok(kept.traces.length > 0);
  });

  it('applies the quick filters it cannot send to the server to each page', async () => {
    const experiment = (await store.experiments())[0];
    assert.ok(experiment);
    const rated = made[made.length - 1];
    assert.ok(rated);
    await sdk.call('log_feedback', {
      trace_id: rated,
      name: 'rated',
      value: true,
      source: { source_type: 'HUMAN', source_id: 'reviewer@example.com' },
    });
    store.setFilter({ quick: new Set(['noHumanFeedback']) });
    const list = await store.ensureList(experiment);
    assert.ok(!list.traces.some((t) => t.traceId === rated), 'the rated trace is hidden');
    // Pages are fetched until at least a page's worth matches.
    assert.ok(list.traces.length >= PAGE_SIZE, 'a page of matches, fetched across pages');
    assert.ok(list.hiddenCount >= 1);
    store.setFilter(NO_FILTER);
    const unfiltered = await store.ensureList(experiment);
    assert.ok(unfiltered.traces.some((t) => t.traceId === rated));
  });

  it('goes to the newest unrated trace other than the current one for "Submit and Next"', async () => {
    const experiment = (await store.experiments())[0];
    assert.ok(experiment);
    const traces = (await store.ensureList(experiment)).traces;
    const [newest, second, third] = traces;
    assert.ok(newest && second && third);
    // The newest was rated by a person in the test above; the second is the current one.
    const next = await store.nextUnrated(second);
    assert.equal(next?.traceId, third.traceId);
  });

  it('writes through the client and refreshes only the trace it changed', async () => {
    const trace = await store.getTrace(made[0] ?? asTraceId('missing'));
    changes.length = 0;
    const feedback = await store.logFeedback({
      traceId: trace.traceId,
      name: 'store_write',
      value: 0.5,
      source: { sourceType: 'HUMAN', sourceId: 'reviewer@example.com' },
    });
    const onServer = await sdk.call<PyAssessment[]>('trace_assessments', {
      trace_id: trace.traceId,
    });
    assert.ok(onServer.some((a) => a.assessment_id === feedback.assessmentId));
    assert.deepEqual(
      changes.map((c) => (c.kind === 'trace' ? c.trace.traceId : c.kind)),
      [trace.traceId],
    );
  });

  it('reads the spans of a trace it has not loaded at the same time as its info, once', async () => {
    const traceId = made[1] ?? asTraceId('missing');
    const spanRequests: string[] = [];
    const counting = new MlflowClient({
      baseUrl: server.url,
      onRequest: (entry) => {
        if (entry.path.includes('get-trace-artifact')) spanRequests.push(entry.path);
      },
    });
    try {
      const fresh = new TraceStore(new TestConnection(counting));
      // As a panel opening a trace: the spans are asked for before the info has answered.
      fresh.prefetchSpans(traceId);
      fresh.prefetchSpans(traceId);
      const trace = await fresh.getTrace(traceId);
      const spans = await fresh.spansOf(trace);
      assert.ok(spans.length > 0);
      assert.equal(spanRequests.length, 1, 'the prefetched spans were used, not asked for again');
      // Cached now: neither a prefetch nor spansOf asks again.
      fresh.prefetchSpans(traceId);
      assert.equal(await fresh.spansOf(trace), await fresh.spansOf(trace));
      assert.equal(spanRequests.length, 1);
    } finally {
      await counting.close();
    }
  });

  it('overrides only feedback in force, checked before anything is sent', async () => {
    const traceId = made[1] ?? asTraceId('missing');
    const judged = await sdk.call<PyAssessment>('log_feedback', {
      trace_id: traceId,
      name: 'judged',
      value: false,
      source: { source_type: 'LLM_JUDGE', source_id: 'gpt-judge' },
    });
    const before = await store.refreshTrace(traceId);
    const judge = before.assessments.find((a) => a.assessmentId === judged.assessment_id);
    assert.ok(judge);
    const override = await store.overrideFeedback(before, {
      assessmentId: judge.assessmentId,
      value: true,
      source: { sourceType: 'HUMAN', sourceId: 'reviewer@example.com' },
    });
    const after = await store.getTrace(traceId);
    const overridden = after.assessments.find((a) => a.assessmentId === judge.assessmentId);
    assert.ok(overridden && !overridden.valid, 'the judge stays on record, not in force');
    assert.equal(currentFeedback(after, overridden)?.assessmentId, override.assessmentId);
    const count = (await sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId }))
      .length;

    await assert.rejects(
      store.overrideFeedback(after, {
        assessmentId: judge.assessmentId,
        value: false,
      }),
      (error: unknown) =>
        error instanceof MlflowInputError && /already overridden/.test(error.message),
    );
    const expectation = await store.logExpectation({
      traceId,
      name: 'truth',
      value: 'x',
    });
    await assert.rejects(
      store.overrideFeedback(await store.getTrace(traceId), {
        assessmentId: expectation.assessmentId,
        value: 1,
      }),
      /Only feedback can be overridden/,
    );
    const counted = await sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId });
    assert.equal(counted.length, count + 1, 'only the expectation was written');
  });
});

describe("the tree's logic", () => {
  const labels = (nodes: TreeNode[]) =>
    nodes.map((n) => {
      switch (n.kind) {
        case 'experiment':
          return `experiment ${n.experiment.name}`;
        case 'trace':
          return `trace ${n.trace.traceId}`;
        case 'assessment':
          return `${n.assessment.valid ? '' : 'overridden '}${n.assessment.name}`;
        case 'loadMore':
          return 'load more';
        case 'message':
          return `message ${n.text}`;
        default:
          return n.kind;
      }
    });

  it('shows experiments, a page of traces and a Load more row, then the next page', async () => {
    const tree = new TraceTreeModel(store, connection);
    const roots = await tree.getChildren();
    assert.deepEqual(labels(roots), [`experiment ${EXPERIMENT}`]);
    const redrawn: (readonly TreeNode[] | undefined)[] = [];
    tree.onDidChange((nodes) => redrawn.push(nodes));
    const rows = await tree.getChildren(roots[0]);
    assert.equal(rows.length, PAGE_SIZE + 1);
    assert.equal(rows.at(-1)?.kind, 'loadMore');
    const experimentId = (await theExperiment()).experimentId;
    await store.loadMore(experimentId);
    // The page lands among the traces listed directly under the experiment (the first
    // RANGE_SIZE): its row is the one redrawn, and nothing else.
    assert.deepEqual(redrawn, [[roots[0]]], 'the experiment row is redrawn');
    const more = await tree.getChildren(roots[0]);
    assert.equal(more.length, 2 * PAGE_SIZE + 1);
    // The rows of the first page are the same objects: expanded and selected rows stay so.
    assert.equal(more[0], rows[0]);
    tree.dispose();
  });

  it('gives every listing the same experiment row, so that the view hears of its pages', async () => {
    const tree = new TraceTreeModel(store, connection);
    // VS Code and a command listing the root at the same time, before the store has the list.
    const [shown, asked] = await Promise.all([tree.getChildren(), tree.getChildren()]);
    assert.equal(shown[0], asked[0]);
    const redrawn: (readonly TreeNode[] | undefined)[] = [];
    tree.onDidChange((nodes) => redrawn.push(nodes));
    const experiment = shown[0];
    assert.ok(experiment?.kind === 'experiment');
    await tree.getChildren(experiment);
    await store.loadMore(experiment.experiment.experimentId);
    assert.deepEqual(redrawn, [[experiment]], 'the row VS Code was given is the one redrawn');
    tree.dispose();
  });

  it('puts feedback in force first and shows who overrode a judge', async () => {
    const tree = new TraceTreeModel(store, connection);
    const traceId = made[1] ?? asTraceId('missing');
    const trace = await store.getTrace(traceId);
    const experimentId = (await theExperiment()).experimentId;
    const node = tree.nodeForTrace(trace, experimentId);
    const children = await tree.getChildren(node);
    const rows = labels(children);
    assert.equal(rows.at(-1), 'spans');
    assert.ok(rows.indexOf('judged') < rows.indexOf('overridden judged'));
    const overridden = children.find(
      (n) => n.kind === 'assessment' && !n.assessment.valid && n.assessment.name === 'judged',
    );
    assert.ok(overridden?.kind === 'assessment');
    assert.equal(overridden.overriddenBy?.source.sourceId, 'reviewer@example.com');
    assert.equal(tree.getParent(overridden), node);
    tree.dispose();
  });

  it('counts the loaded traces no person has rated, and describes the filter', async () => {
    const tree = new TraceTreeModel(store, connection);
    const [root] = await tree.getChildren();
    assert.ok(root);
    await tree.getChildren(root);
    const { count, loaded } = tree.unratedCount();
    assert.equal(loaded, PAGE_SIZE);
    assert.ok(count < loaded, 'the newest trace has human feedback');
    assert.equal(tree.description(), undefined);
    store.setFilter({ text: "trace.status = 'OK'", quick: new Set(['failedJudge']) });
    assert.equal(tree.description(), "Filtered: trace.status = 'OK' · Failed judge");
    tree.dispose();
  });

  it('turns a failure into a row with Retry, and tells the connection', async () => {
    const unreachable = new MlflowClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 5000 });
    connection.client = unreachable;
    const tree = new TraceTreeModel(store, connection);
    const rows = await tree.getChildren();
    await unreachable.close();
    assert.equal(rows.length, 1);
    const [row] = rows;
    assert.ok(row?.kind === 'message');
    assert.equal(row.action?.command, 'refresh');
    assert.match(row.text, /ECONNREFUSED|connect/i);
    assert.equal(connection.failures.length, 1);
    tree.dispose();
  });

  it('tells an empty experiment’s row which tracking URI the app must log to', async () => {
    connection.settings = { ...connection.settings, experiments: ['Default'] };
    const tree = new TraceTreeModel(store, connection);
    const [root] = await tree.getChildren();
    assert.ok(root);
    const [row] = await tree.getChildren(root);
    assert.ok(row?.kind === 'message');
    assert.equal(row.text, `No traces yet: run your app with MLFLOW_TRACKING_URI=${server.url}`);
    tree.dispose();
  });

  it('shows nothing until the server answers (the welcome content says why)', async () => {
    connection.state = { kind: 'unreachable' };
    const tree = new TraceTreeModel(store, connection);
    assert.deepEqual(await tree.getChildren(), []);
    tree.dispose();
  });
});
