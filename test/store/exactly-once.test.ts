/**
 * Every write lands once and stays in view, through a loopback fault proxy in front of a real
 * MLflow server: answers lost after the server saved (a cut connection, a gateway's 502 or 504,
 * a client timeout), the same write asked twice at once, and a poll that was sent before a write
 * and answered after it. What is on the server is read through MLflow's own Python SDK.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MlflowClient } from '../../src/mlflow/client';
import { asAssessmentId, asTraceId, type TraceId } from '../../src/mlflow/ids';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { TraceStore, type StoreConnection } from '../../src/store/trace-store';
import { WriteNotSavedError, WriteOutcomeUnknownError } from '../../src/store/write-recovery';
import { FaultProxy, type Fault } from '../support/fault-proxy';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import { startServer } from '../support/servers';

const EXPERIMENT = 'exactly-once';
const HUMAN = { sourceType: 'HUMAN', sourceId: 'reviewer@example.com' } as const;

let server: MlflowServer;
let sdk: PythonSdk;
let proxy: FaultProxy;
let client: MlflowClient;

class TestConnection implements StoreConnection {
  readonly settings = { experiments: [EXPERIMENT], pageSize: 10 };
  constructor(readonly client: MlflowClient) {}
  noteFailure(): void {}
}

before(async () => {
  server = await startServer();
  sdk = new PythonSdk(server.url);
  proxy = await FaultProxy.start(server.url);
  // A short timeout, so that "the server saved it but the answer came too late" is quick.
  client = new MlflowClient({ baseUrl: proxy.url, timeoutMs: 2_000 });
});

after(async () => {
  sdk.close();
  await client.close();
  await proxy.close();
  await server.stop();
});

let store: TraceStore;
let traceId: TraceId;

beforeEach(async () => {
  proxy.set();
  store = new TraceStore(new TestConnection(client));
  traceId = asTraceId(
    (await sdk.call<{ trace_id: string }>('create_trace', { experiment: EXPERIMENT })).trace_id,
  );
  // The trace loaded, as when a person rates it from the view.
  const [experiment] = await store.experiments();
  assert.ok(experiment);
  await store.ensureList(experiment);
  assert.ok(store.trace(traceId));
});

/** Waits (bounded) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !done();) {
    assert.ok(Date.now() < deadline, 'timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const onServer = (): Promise<PyAssessment[]> =>
  sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId });

/** Faults that hit the answer after the server has saved the write. */
const LOST_ANSWERS: Record<string, Fault> = {
  'a connection cut': { kind: 'reset', afterServer: true },
  'a 502 from a gateway': { kind: 'status', status: 502, afterServer: true },
  'a 504 from a gateway': { kind: 'status', status: 504, afterServer: true },
  'a client timeout': { kind: 'delay', ms: 4_000, afterServer: true },
};

describe('a write whose answer is lost', () => {
  for (const [what, fault] of Object.entries(LOST_ANSWERS)) {
    it(`finds a saved feedback after ${what}: saved once, shown as saved`, async () => {
      proxy.set({ match: /assessments/, method: 'POST', fault, times: 1 });
      const logged = await store.logFeedback({
        traceId,
        name: 'quality',
        value: true,
        source: HUMAN,
      });
      const stored = (await onServer()).filter((a) => a.assessment_name === 'quality');
      assert.equal(stored.length, 1, 'exactly one on the server');
      assert.equal(logged.assessmentId, stored[0]?.assessment_id);
      assert.ok(
        store.trace(traceId)?.assessments.some((a) => a.assessmentId === logged.assessmentId),
        'shown in the store',
      );
    });
  }

  it('says a write was not saved when the connection was cut before the server had it', async () => {
    proxy.set({ match: /assessments/, method: 'POST', fault: { kind: 'reset' }, times: 1 });
    await assert.rejects(
      store.logExpectation({ traceId, name: 'answer', value: { text: 'Paris' }, source: HUMAN }),
      (error) => error instanceof WriteNotSavedError && /was not saved/.test(error.message),
    );
    assert.deepEqual(await onServer(), []);
    // Sending it again is safe, and saves it once.
    await store.logExpectation({
      traceId,
      name: 'answer',
      value: { text: 'Paris' },
      source: HUMAN,
    });
    assert.equal((await onServer()).length, 1);
  });

  it('says it is not known, offering no retry, when the trace cannot be read back either', async () => {
    proxy.set(
      {
        match: /assessments/,
        method: 'POST',
        fault: { kind: 'status', status: 504, afterServer: true },
      },
      { match: /traces\/tr-/, method: 'GET', fault: { kind: 'status', status: 503 } },
    );
    await assert.rejects(
      store.logFeedback({ traceId, name: 'unknown', value: 3, source: HUMAN }),
      (error) =>
        error instanceof WriteOutcomeUnknownError && /not known whether/.test(error.message),
    );
    proxy.set();
    assert.equal((await onServer()).length, 1, 'it was saved, as the message allows');
  });

  it('finds an override, an update and a deletion whose answers were lost', async () => {
    const judge = await sdk.call<{ assessment_id: string }>('log_feedback', {
      trace_id: traceId,
      name: 'correct',
      value: false,
      source: { source_type: 'LLM_JUDGE', source_id: 'gpt' },
    });
    const judged = await store.refreshTrace(traceId);
    const cut = { kind: 'reset', afterServer: true } as const;

    proxy.set({ match: /assessments/, method: 'POST', fault: cut, times: 1 });
    const override = await store.overrideFeedback(judged, {
      assessmentId: asAssessmentId(judge.assessment_id),
      value: true,
      source: HUMAN,
    });
    proxy.set({ match: /assessments/, method: 'PATCH', fault: cut, times: 1 });
    const updated = await store.updateAssessment(traceId, override.assessmentId, {
      rationale: 'checked by hand',
    });
    assert.equal(updated.assessmentId, override.assessmentId);
    proxy.set({ match: /assessments/, method: 'DELETE', fault: cut, times: 1 });
    await store.deleteAssessment(traceId, override.assessmentId);

    const stored = await onServer();
    assert.deepEqual(
      stored.map((a) => a.assessment_id),
      [judge.assessment_id],
      'the override was made once, then deleted',
    );
    assert.ok(
      !store.trace(traceId)?.assessments.some((a) => a.assessmentId === override.assessmentId),
    );
  });
});

describe('races', () => {
  it('shows a trace once when a page repeats it', async () => {
    proxy.set({
      match: /traces\/search/,
      fault: {
        kind: 'transform',
        change: (json) => {
          const page = json as { traces: unknown[] };
          return { ...page, traces: [...page.traces, ...page.traces] };
        },
      },
    });
    const [experiment] = await store.experiments();
    assert.ok(experiment);
    store.reset();
    const list = await store.ensureList(experiment);
    const ids = list.traces.map((t) => t.traceId);
    assert.ok(ids.length > 0);
    assert.equal(new Set(ids).size, ids.length, 'a trace listed twice');
    assert.equal(await store.pollNewest(experiment.experimentId), 0, 'none new');
  });

  it('sends the same write asked twice at once only once', async () => {
    proxy.set({ match: /assessments/, method: 'POST', fault: { kind: 'delay', ms: 300 } });
    const input = { traceId, name: 'twice', value: 'good', source: HUMAN };
    const posts = proxy.count('POST', /assessments/);
    const [first, second] = await Promise.all([store.logFeedback(input), store.logFeedback(input)]);
    assert.equal(first.assessmentId, second.assessmentId);
    assert.equal((await onServer()).length, 1);
    assert.equal(proxy.count('POST', /assessments/) - posts, 1);
  });

  it('keeps a write shown when a poll sent before it answers after it', async () => {
    const [experiment] = await store.experiments();
    assert.ok(experiment);
    // The poll's page is read on the server before the write, and held until after it.
    proxy.set({
      match: /traces\/search/,
      fault: { kind: 'delay', ms: 1_500, afterServer: true },
      times: 1,
    });
    const searches = proxy.count('POST', /traces\/search/);
    const polling = store.pollNewest(experiment.experimentId);
    await until(() => proxy.count('POST', /traces\/search/) > searches); // the poll is on its way
    const logged = await store.logFeedback({ traceId, name: 'fresh', value: true, source: HUMAN });
    await polling;
    assert.ok(
      store.trace(traceId)?.assessments.some((a) => a.assessmentId === logged.assessmentId),
      'the stale poll put back the copy without the new feedback',
    );
  });
});

describe('a failure that stays small', () => {
  it('reloads only the list that failed, keeping every page that loaded', async () => {
    const other = 'exactly-once-other';
    await sdk.call('create_trace', { experiment: other });
    const wide = new TraceStore({
      client,
      settings: { experiments: [EXPERIMENT, other], pageSize: 10 },
      noteFailure: () => undefined,
    });
    const [first, second] = await wide.experiments();
    assert.ok(first && second);
    const loaded = await wide.ensureList(first);
    proxy.set({ match: /traces\/search/, fault: { kind: 'reset' } });
    const failed = await wide.ensureList(second);
    assert.ok(failed.error, 'its page failed');
    proxy.set();
    assert.equal(wide.dropFailed(), true);
    assert.equal(wide.dropFailed(), false, 'nothing else to drop');
    assert.equal(wide.list(first.experimentId), loaded, 'the loaded list is the same one');
    const again = await wide.ensureList(second);
    assert.equal(again.error, undefined);
    assert.ok(again.traces.length > 0);
  });
});

describe('memory', () => {
  it('keeps the spans of a bounded number of traces, and a bounded number of bytes', async () => {
    const ids = [traceId];
    for (let i = 0; i < 2; i++)
      ids.push(
        asTraceId(
          (await sdk.call<{ trace_id: string }>('create_trace', { experiment: EXPERIMENT }))
            .trace_id,
        ),
      );
    const small = new TraceStore(new TestConnection(client), {
      maxEntries: 2,
      maxBytes: 1024 * 1024,
    });
    for (const id of ids) await small.spansOf(await small.getTrace(id));
    const use = small.spanCacheUse();
    assert.equal(use.entries, 2, 'the oldest trace’s spans were dropped');
    assert.ok(use.bytes > 0 && use.bytes <= 1024 * 1024, `${use.bytes} bytes`);

    const tiny = new TraceStore(new TestConnection(client), { maxEntries: 10, maxBytes: 1 });
    await tiny.spansOf(await tiny.getTrace(traceId));
    assert.deepEqual(tiny.spanCacheUse(), { entries: 0, bytes: 0 }, 'larger than the bound');
  });
});
