/**
 * The shared client against a real `mlflow server` (pinned version, SQLite in a temp folder):
 * every operation, with traces made by MLflow's own Python SDK and results cross-checked there.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MlflowClient } from '../../src/mlflow/client';
import { MlflowApiError, MlflowInputError } from '../../src/mlflow/errors';
import { filterClause } from '../../src/mlflow/filters';
import type { Feedback, FeedbackValue, JsonValue, TraceInfo } from '../../src/mlflow/types';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { PythonSdk } from '../support/python-sdk';
import { startServer } from '../support/servers';

interface CreatedTrace {
  trace_id: string;
  experiment_id: string;
  span_ids: Record<string, string>;
}

let server: MlflowServer;
let sdk: PythonSdk;
let client: MlflowClient;

before(async () => {
  server = await startServer();
  sdk = new PythonSdk(server.url);
  client = new MlflowClient({ baseUrl: server.url });
});

after(async () => {
  sdk.close();
  await client.close();
  await server.stop();
});

const newTrace = (args: Record<string, unknown> = {}) =>
  sdk.call<CreatedTrace>('create_trace', args);

describe('server', () => {
  it('reports its version', async () => {
    assert.equal(await client.getServerVersion(), '3.18.0');
  });
});

describe('experiments', () => {
  it('pages through every experiment', async () => {
    for (const name of ['exp-a', 'exp-b', 'exp-c']) await newTrace({ experiment: name });
    const names: string[] = [];
    let pageToken: string | undefined;
    let pages = 0;
    do {
      const page = await client.searchExperiments({
        maxResults: 2,
        ...(pageToken ? { pageToken } : {}),
      });
      names.push(...page.items.map((e) => e.name));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken);
    assert.ok(pages >= 2, `expected several pages, got ${pages}`);
    for (const name of ['Default', 'exp-a', 'exp-b', 'exp-c'])
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    assert.equal(new Set(names).size, names.length, 'no experiment twice');
  });
});

describe('traces', () => {
  let experimentId: string;
  const created: string[] = [];

  before(async () => {
    for (let i = 0; i < 5; i++) {
      const trace = await newTrace({ experiment: 'paging', input: `question ${i}` });
      experimentId = trace.experiment_id;
      created.push(trace.trace_id);
    }
  });

  it('pages newest first through an experiment', async () => {
    const seen: TraceInfo[] = [];
    let pageToken: string | undefined;
    do {
      const page = await client.searchTraces({
        experimentIds: [experimentId],
        maxResults: 2,
        ...(pageToken ? { pageToken } : {}),
      });
      assert.ok(page.items.length <= 2);
      seen.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    assert.deepEqual(
      seen.map((t) => t.traceId),
      [...created].reverse(),
    );
    const times = seen.map((t) => Date.parse(t.requestTime));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
  });

  it('orders as asked', async () => {
    const page = await client.searchTraces({
      experimentIds: [experimentId],
      orderBy: ['timestamp_ms ASC'],
      maxResults: 500,
    });
    assert.deepEqual(
      page.items.map((t) => t.traceId),
      created,
    );
  });

  it('maps a trace info fully', async () => {
    const info = await client.getTraceInfo(created[0] ?? '');
    assert.equal(info.traceId, created[0]);
    assert.equal(info.experimentId, experimentId);
    assert.equal(info.state, 'OK');
    assert.equal(info.requestPreview, '{"input": "question 0"}');
    assert.equal(info.responsePreview, '"question 0_output"');
    assert.equal(typeof info.executionDurationMs, 'number');
    assert.equal(info.tags['mlflow.traceName'], 'my_app');
    assert.ok(!Number.isNaN(Date.parse(info.requestTime)));
  });

  it('filters with an MLflow filter string, and on assessments', async () => {
    const target = created[2] ?? '';
    await client.logFeedback({
      traceId: target,
      name: 'is correct',
      value: true,
      source: { sourceType: 'HUMAN', sourceId: 'ann' },
    });
    const page = await client.searchTraces({
      experimentIds: [experimentId],
      filter: filterClause('feedback', 'is correct', '=', 'true'),
    });
    assert.deepEqual(
      page.items.map((t) => t.traceId),
      [target],
    );
    const ok = await client.searchTraces({
      experimentIds: [experimentId],
      filter: "trace.status = 'OK'",
    });
    assert.equal(ok.items.length, created.length);
  });

  it("gives the server's own message for a bad filter", async () => {
    await assert.rejects(
      client.searchTraces({ experimentIds: [experimentId], filter: 'trace.nonsense ~~ 1' }),
      (e: unknown) =>
        e instanceof MlflowApiError &&
        e.status === 400 &&
        e.errorCode === 'INVALID_PARAMETER_VALUE' &&
        e.message.includes('nonsense'),
    );
  });

  it('refuses a page size the server would refuse, without asking it', async () => {
    await assert.rejects(
      client.searchTraces({ experimentIds: [experimentId], maxResults: 501 }),
      MlflowInputError,
    );
    await assert.rejects(client.searchTraces({ experimentIds: [] }), MlflowInputError);
  });

  it('reads spans stored in the tracking database', async () => {
    const trace = await newTrace();
    const info = await client.getTraceInfo(trace.trace_id);
    assert.equal(info.tags['mlflow.trace.spansLocation'], 'TRACKING_STORE');
    await assertSpansMatchPython(trace);
  });

  it('reads spans stored as an artifact', async () => {
    const trace = await newTrace({ spans_as_artifact: true });
    const info = await client.getTraceInfo(trace.trace_id);
    assert.equal(info.tags['mlflow.trace.spansLocation'], undefined);
    await assertSpansMatchPython(trace);
  });

  it('answers 404 for an unknown trace', async () => {
    await assert.rejects(
      client.getTraceInfo('tr-00000000000000000000000000000000'),
      (e: unknown) =>
        e instanceof MlflowApiError &&
        e.status === 404 &&
        e.errorCode === 'RESOURCE_DOES_NOT_EXIST',
    );
    await assert.rejects(
      client.getTraceSpans('tr-00000000000000000000000000000000'),
      (e: unknown) => e instanceof MlflowApiError && e.status === 404,
    );
  });
});

async function assertSpansMatchPython(trace: CreatedTrace): Promise<void> {
  const spans = await client.getTraceSpans(trace.trace_id);
  const python = await sdk.call<
    { span_id: string; parent_id: string | null; name: string; inputs: JsonValue }[]
  >('span_summaries', { trace_id: trace.trace_id });
  assert.deepEqual(
    spans.map((s) => ({
      span_id: s.spanId,
      parent_id: s.parentSpanId,
      name: s.name,
      inputs: s.inputs,
    })),
    python,
  );
  const [root, child] = spans;
  assert.equal(root?.traceId, trace.trace_id);
  assert.equal(child?.parentSpanId, root.spanId);
  assert.ok(root.endTimeUnixNano !== null && root.endTimeUnixNano >= root.startTimeUnixNano);
  assert.deepEqual(child.outputs, { y: 'HELLO' });
}

describe('assessments', () => {
  let traceId: string;
  let spanIds: Record<string, string>;

  before(async () => {
    const trace = await newTrace({ experiment: 'assessments' });
    traceId = trace.trace_id;
    spanIds = trace.span_ids;
  });

  const pythonValues = () =>
    sdk.call<
      Record<
        string,
        {
          name: string;
          value: JsonValue;
          valid: boolean;
          overrides: string | null;
          metadata: Record<string, string> | null;
        }
      >
    >('assessment_values', { trace_id: traceId });

  const feedbackValues: [string, FeedbackValue][] = [
    ['int', 4],
    ['float', 0.85],
    ['bool', true],
    ['string', 'great'],
    ['list', ['helpful', 'accurate']],
    ['dict', { score: 3, label: 'ok', nested: [1, 2] }],
  ];
  for (const [kind, value] of feedbackValues) {
    it(`logs and reads back a ${kind} feedback, equal in the Python SDK`, async () => {
      const logged = await client.logFeedback({
        traceId,
        name: `fb_${kind}`,
        value,
        rationale: `why ${kind}`,
        source: { sourceType: 'HUMAN', sourceId: 'ann@example.com' },
      });
      assert.equal(logged.kind, 'feedback');
      assert.deepEqual(logged.value, value);
      const read = await client.getAssessment(traceId, logged.assessmentId);
      assert.deepEqual(read, logged);
      assert.deepEqual((await pythonValues())[logged.assessmentId]?.value, value);
    });
  }

  const expectationValues: [string, JsonValue][] = [
    ['string', 'The capital of France is Paris.'],
    ['number', 42],
    ['bool', false],
    ['list', ['Paris', 'paris']],
    ['dict', { answer: 'Paris', sources: [{ id: 1 }], ü: 'unicode' }],
  ];
  for (const [kind, value] of expectationValues) {
    it(`logs and reads back a ${kind} expectation, equal in the Python SDK`, async () => {
      const logged = await client.logExpectation({ traceId, name: `ex_${kind}`, value });
      assert.equal(logged.kind, 'expectation');
      assert.deepEqual(logged.value, value);
      assert.deepEqual((await client.getAssessment(traceId, logged.assessmentId)).value, value);
      assert.deepEqual((await pythonValues())[logged.assessmentId]?.value, value);
    });
  }

  it('applies Python\'s defaults: feedback named "feedback" from CODE, expectation from HUMAN', async () => {
    const feedback = await client.logFeedback({ traceId, value: 1 });
    assert.equal(feedback.name, 'feedback');
    assert.deepEqual(feedback.source, { sourceType: 'CODE', sourceId: 'default' });
    assert.equal(feedback.valid, true);
    const expectation = await client.logExpectation({ traceId, name: 'gt', value: 'x' });
    assert.deepEqual(expectation.source, { sourceType: 'HUMAN', sourceId: 'default' });
  });

  it('records a failed judge: an error in place of a value', async () => {
    const logged = await client.logFeedback({
      traceId,
      name: 'judge_failed',
      error: {
        errorCode: 'RATE_LIMIT_EXCEEDED',
        errorMessage: 'Too many requests',
        stackTrace: 'Traceback...\nRateLimitError',
      },
      source: { sourceType: 'LLM_JUDGE', sourceId: 'gpt-4o' },
    });
    assert.equal(logged.kind, 'feedback');
    assert.equal(logged.value, null);
    assert.deepEqual(logged.error, {
      errorCode: 'RATE_LIMIT_EXCEEDED',
      errorMessage: 'Too many requests',
      stackTrace: 'Traceback...\nRateLimitError',
    });
  });

  it('refuses a feedback with neither value nor error before sending it', async () => {
    await assert.rejects(client.logFeedback({ traceId, name: 'empty' }), MlflowInputError);
  });

  it('logs on a span', async () => {
    const spanId = spanIds.child ?? '';
    const logged = await client.logFeedback({ traceId, name: 'span_ok', value: true, spanId });
    assert.equal(logged.spanId, spanId);
    const python = await sdk.call<{ span_id?: string }>('get_assessment', {
      trace_id: traceId,
      assessment_id: logged.assessmentId,
    });
    assert.equal(python.span_id, spanId);
    await assert.rejects(
      client.logFeedback({ traceId, value: 1, spanId: 'not-hex' }),
      MlflowInputError,
    );
  });

  it('keeps every assessment on the trace info, with its kind', async () => {
    const info = await client.getTraceInfo(traceId);
    assert.ok(info.assessments.some((a) => a.kind === 'feedback' && a.name === 'fb_list'));
    assert.ok(info.assessments.some((a) => a.kind === 'expectation' && a.name === 'ex_dict'));
  });

  describe('update', () => {
    it('changes a feedback value and its rationale in place', async () => {
      const fb = await client.logFeedback({
        traceId,
        name: 'to_update',
        value: 2,
        rationale: 'first',
      });
      const updated = await client.updateAssessment(traceId, fb.assessmentId, {
        feedback: { value: 5 },
        rationale: 'second',
      });
      assert.equal(updated.assessmentId, fb.assessmentId);
      assert.equal(updated.value, 5);
      assert.equal((updated as Feedback).rationale, 'second');
      assert.equal((await pythonValues())[fb.assessmentId]?.value, 5);
    });

    it('renames', async () => {
      const fb = await client.logFeedback({ traceId, name: 'old_name', value: 'v' });
      const updated = await client.updateAssessment(traceId, fb.assessmentId, { name: 'new_name' });
      assert.equal(updated.name, 'new_name');
      assert.equal(updated.value, 'v');
      assert.equal((await client.getAssessment(traceId, fb.assessmentId)).name, 'new_name');
    });

    it('merges metadata: adds and changes keys, keeps the rest', async () => {
      const fb = await client.logFeedback({
        traceId,
        name: 'meta',
        value: 1,
        metadata: { keep: 'k', change: 'before' },
      });
      const updated = await client.updateAssessment(traceId, fb.assessmentId, {
        metadata: { change: 'after', added: 7 },
      });
      assert.deepEqual(updated.metadata, { keep: 'k', change: 'after', added: '7' });
    });

    it('changes an expectation value, also between a scalar and an object', async () => {
      const ex = await client.logExpectation({ traceId, name: 'ex_update', value: 42 });
      const updated = await client.updateAssessment(traceId, ex.assessmentId, {
        expectation: { value: { answer: 43 } },
      });
      assert.deepEqual(updated.value, { answer: 43 });
      assert.deepEqual((await pythonValues())[ex.assessmentId]?.value, { answer: 43 });
    });

    it('turns a feedback value into an error', async () => {
      const fb = await client.logFeedback({ traceId, name: 'becomes_error', value: 1 });
      const updated = (await client.updateAssessment(traceId, fb.assessmentId, {
        feedback: { error: { errorCode: 'TIMEOUT', errorMessage: 'judge timed out' } },
      })) as Feedback;
      assert.equal(updated.value, null);
      assert.equal(updated.error?.errorCode, 'TIMEOUT');
    });

    it('is refused by the server when it gives a feedback an expectation value', async () => {
      const fb = await client.logFeedback({ traceId, name: 'wrong_kind', value: 1 });
      await assert.rejects(
        client.updateAssessment(traceId, fb.assessmentId, { expectation: { value: 'x' } }),
        (e: unknown) => e instanceof MlflowApiError && e.status === 400,
      );
      assert.equal((await client.getAssessment(traceId, fb.assessmentId)).value, 1);
    });

    it('refuses an empty update without sending it', async () => {
      await assert.rejects(client.updateAssessment(traceId, 'a-x', {}), MlflowInputError);
    });
  });

  describe('override', () => {
    it("supersedes a judge's feedback, which stays on record as invalid; deleting the override restores it", async () => {
      const judged = await client.logFeedback({
        traceId,
        name: 'correctness',
        value: false,
        rationale: 'judge says no',
        source: { sourceType: 'LLM_JUDGE', sourceId: 'gpt-4o-mini' },
        spanId: spanIds.child ?? '',
      });
      const human = await client.overrideFeedback({
        traceId,
        assessmentId: judged.assessmentId,
        value: true,
        rationale: 'it is right',
        source: { sourceType: 'HUMAN', sourceId: 'ann@example.com' },
        metadata: { reason: 'misread' },
      });
      assert.equal(human.name, 'correctness');
      assert.equal(human.spanId, judged.spanId);
      assert.equal(human.overrides, judged.assessmentId);
      assert.equal(human.valid, true);
      assert.deepEqual(human.metadata, { reason: 'misread' });

      const original = await client.getAssessment(traceId, judged.assessmentId);
      assert.equal(original.valid, false);
      assert.equal(original.value, false, 'the original keeps its value');
      const py = await pythonValues();
      assert.equal(py[judged.assessmentId]?.valid, false);
      assert.equal(py[human.assessmentId]?.overrides, judged.assessmentId);

      await client.deleteAssessment(traceId, human.assessmentId);
      assert.equal((await client.getAssessment(traceId, judged.assessmentId)).valid, true);
      assert.equal((await pythonValues())[judged.assessmentId]?.valid, true);
    });

    it('chains: an override of an override', async () => {
      const first = await client.logFeedback({
        traceId,
        name: 'chain',
        value: 1,
        source: { sourceType: 'LLM_JUDGE', sourceId: 'j' },
      });
      const second = await client.overrideFeedback({
        traceId,
        assessmentId: first.assessmentId,
        value: 2,
      });
      const third = await client.overrideFeedback({
        traceId,
        assessmentId: second.assessmentId,
        value: 3,
      });
      assert.equal(third.overrides, second.assessmentId);
      assert.equal((await client.getAssessment(traceId, second.assessmentId)).valid, false);
      assert.equal((await client.getAssessment(traceId, first.assessmentId)).valid, false);
    });

    it('refuses an expectation with a clear error and changes nothing', async () => {
      const ex = await client.logExpectation({ traceId, name: 'not_feedback', value: 'x' });
      await assert.rejects(
        client.overrideFeedback({ traceId, assessmentId: ex.assessmentId, value: 1 }),
        (e: unknown) =>
          e instanceof MlflowInputError && /only feedback can be overridden/.test(e.message),
      );
      assert.equal((await client.getAssessment(traceId, ex.assessmentId)).valid, true);
    });
  });

  describe('delete', () => {
    it('removes an assessment; a second delete also succeeds', async () => {
      const fb = await client.logFeedback({ traceId, name: 'to_delete', value: 1 });
      await client.deleteAssessment(traceId, fb.assessmentId);
      await assert.rejects(
        client.getAssessment(traceId, fb.assessmentId),
        (e: unknown) => e instanceof MlflowApiError && e.status === 404,
      );
      await client.deleteAssessment(traceId, fb.assessmentId);
    });
  });

  describe('unknown ids', () => {
    it('answers 404 for an unknown assessment', async () => {
      await assert.rejects(
        client.getAssessment(traceId, 'a-00000000000000000000000000000000'),
        (e: unknown) =>
          e instanceof MlflowApiError &&
          e.status === 404 &&
          e.errorCode === 'RESOURCE_DOES_NOT_EXIST',
      );
      await assert.rejects(
        client.updateAssessment(traceId, 'a-00000000000000000000000000000000', { name: 'x' }),
        (e: unknown) => e instanceof MlflowApiError && e.status === 404,
      );
    });

    it('answers 404 when logging on an unknown trace', async () => {
      await assert.rejects(
        client.logFeedback({ traceId: 'tr-00000000000000000000000000000000', value: 1 }),
        (e: unknown) => e instanceof MlflowApiError && e.status === 404,
      );
    });
  });
});
