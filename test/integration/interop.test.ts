/**
 * Interop with MLflow's own Python SDK, both ways: each example of the seed guide logged through
 * our client reads back through `mlflow.get_trace(...).info.assessments` equal to what the SDK
 * itself logs for the same call (ids and times aside), and what the SDK logs reads back equal
 * through our client.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MlflowClient } from '../../src/mlflow/client';
import type { Assessment, AssessmentError, JsonValue, SourceType } from '../../src/mlflow/types';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { repoRoot } from '../support/env';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import { startServer } from '../support/servers';

interface GuideExample {
  name: string;
  value?: JsonValue;
  rationale?: string;
  source: { source_type: SourceType; source_id: string };
  metadata?: Record<string, string>;
  error?: { error_code: string; error_message?: string };
}
const guide = JSON.parse(
  readFileSync(path.join(repoRoot(), 'python', 'guide_examples.json'), 'utf8'),
) as {
  feedback: GuideExample[];
  expectation: GuideExample[];
};

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

const newTrace = async () =>
  (await sdk.call<{ trace_id: string }>('create_trace', { experiment: 'interop' })).trace_id;
const pythonReads = (traceId: string) =>
  sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId });

function toError(e: GuideExample['error']): AssessmentError | undefined {
  return e
    ? { errorCode: e.error_code, ...(e.error_message ? { errorMessage: e.error_message } : {}) }
    : undefined;
}

/** An assessment as stored, less what differs between any two logs of it. */
function comparable(
  a: PyAssessment,
): Omit<PyAssessment, 'assessment_id' | 'trace_id' | 'create_time' | 'last_update_time'> {
  const {
    assessment_id: _id,
    trace_id: _trace,
    create_time: _c,
    last_update_time: _u,
    ...rest
  } = a;
  return rest;
}

function byName(list: PyAssessment[]): Map<string, PyAssessment> {
  return new Map(list.map((a) => [a.assessment_name, a]));
}

describe("the guide's examples, logged by our client and by the Python SDK", () => {
  let ours: Map<string, PyAssessment>;
  let theirs: Map<string, PyAssessment>;

  before(async () => {
    const ourTrace = await newTrace();
    for (const fb of guide.feedback) {
      const error = toError(fb.error);
      await client.logFeedback({
        traceId: ourTrace,
        name: fb.name,
        ...(fb.value !== undefined ? { value: fb.value as Exclude<JsonValue, null> } : {}),
        ...(error ? { error } : {}),
        ...(fb.rationale !== undefined ? { rationale: fb.rationale } : {}),
        source: { sourceType: fb.source.source_type, sourceId: fb.source.source_id },
        ...(fb.metadata ? { metadata: fb.metadata } : {}),
      });
    }
    for (const ex of guide.expectation) {
      await client.logExpectation({
        traceId: ourTrace,
        name: ex.name,
        value: ex.value ?? null,
        source: { sourceType: ex.source.source_type, sourceId: ex.source.source_id },
        ...(ex.metadata ? { metadata: ex.metadata } : {}),
      });
    }
    const theirTrace = await newTrace();
    await sdk.call('log_guide_examples', { trace_id: theirTrace });
    ours = byName(await pythonReads(ourTrace));
    theirs = byName(await pythonReads(theirTrace));
  });

  it('logs nine assessments on each side', () => {
    assert.equal(ours.size, 9);
    assert.equal(theirs.size, 9);
  });

  for (const example of [...guide.feedback, ...guide.expectation]) {
    it(`${example.name}: stored exactly as the SDK stores it`, () => {
      const mine = ours.get(example.name);
      const sdkOwn = theirs.get(example.name);
      assert.ok(mine && sdkOwn);
      assert.deepEqual(comparable(mine), comparable(sdkOwn));
    });
  }
});

describe('what the Python SDK logs, read through our client', () => {
  let traceId: string;
  let read: Map<string, Assessment>;

  before(async () => {
    traceId = await newTrace();
    await sdk.call('log_guide_examples', { trace_id: traceId });
    read = new Map((await client.getTraceInfo(traceId)).assessments.map((a) => [a.name, a]));
  });

  for (const fb of guide.feedback) {
    it(`feedback ${fb.name}`, () => {
      const a = read.get(fb.name);
      assert.ok(a && a.kind === 'feedback');
      assert.deepEqual(a.value, fb.value ?? null);
      assert.deepEqual(a.source, {
        sourceType: fb.source.source_type,
        sourceId: fb.source.source_id,
      });
      assert.equal(a.rationale, fb.rationale);
      assert.deepEqual(a.metadata, fb.metadata ?? {});
      assert.deepEqual(a.error, toError(fb.error));
      assert.equal(a.valid, true);
      assert.equal(a.traceId, traceId);
    });
  }

  for (const ex of guide.expectation) {
    it(`expectation ${ex.name}`, async () => {
      const a = read.get(ex.name);
      assert.ok(a && a.kind === 'expectation');
      assert.deepEqual(a.value, ex.value);
      assert.deepEqual(a.source, {
        sourceType: ex.source.source_type,
        sourceId: ex.source.source_id,
      });
      assert.deepEqual(a.metadata, ex.metadata ?? {});
      assert.deepEqual(await client.getAssessment(traceId, a.assessmentId), a);
    });
  }
});

describe('metadata that is not a string, stringified as Python does', () => {
  it('stores the same text from both sides', async () => {
    const metadata = {
      int: 3,
      float: 0.1,
      small: 1.5e-5,
      bool: true,
      none: null,
      list: [1, 'a', false],
      dict: { k: [null, 2.5] },
      quote: "it's",
      text: 'ü',
    };
    const traceId = await newTrace();
    const mine = await client.logFeedback({ traceId, name: 'meta_ours', value: 1, metadata });
    const theirs = await sdk.call<PyAssessment>('log_feedback', {
      trace_id: traceId,
      name: 'meta_sdk',
      value: 1,
      metadata,
    });
    assert.deepEqual(mine.metadata, theirs.metadata);
  });
});

describe('changes made on one side are seen on the other', () => {
  it('an override by the SDK reads through our client, and the reverse', async () => {
    const traceId = await newTrace();
    const judge = await sdk.call<PyAssessment>('log_feedback', {
      trace_id: traceId,
      name: 'quality',
      value: 0.2,
      source: { source_type: 'LLM_JUDGE', source_id: 'judge' },
    });
    const sdkOverride = await sdk.call<PyAssessment>('override_feedback', {
      trace_id: traceId,
      assessment_id: judge.assessment_id,
      value: 0.9,
      rationale: 'human',
    });
    const ourView = await client.getAssessment(traceId, sdkOverride.assessment_id);
    assert.ok(ourView.kind === 'feedback');
    assert.equal(ourView.overrides, judge.assessment_id);
    assert.equal((await client.getAssessment(traceId, judge.assessment_id)).valid, false);

    const ourOverride = await client.overrideFeedback({
      traceId,
      assessmentId: sdkOverride.assessment_id,
      value: 0.5,
    });
    const sdkView = await sdk.call<PyAssessment>('get_assessment', {
      trace_id: traceId,
      assessment_id: sdkOverride.assessment_id,
    });
    assert.equal(sdkView.valid, false);
    assert.equal(
      (
        await sdk.call<PyAssessment>('get_assessment', {
          trace_id: traceId,
          assessment_id: ourOverride.assessmentId,
        })
      ).overrides,
      sdkOverride.assessment_id,
    );
  });

  it('an update by the SDK reads through our client, and a deletion by ours is gone for the SDK', async () => {
    const traceId = await newTrace();
    const ex = await client.logExpectation({ traceId, name: 'answer', value: 42 });
    await sdk.call('update_assessment', {
      trace_id: traceId,
      assessment_id: ex.assessmentId,
      kind: 'expectation',
      name: 'answer',
      value: { v: 43 },
    });
    assert.deepEqual((await client.getAssessment(traceId, ex.assessmentId)).value, { v: 43 });
    await client.deleteAssessment(traceId, ex.assessmentId);
    await assert.rejects(
      sdk.call('get_assessment', { trace_id: traceId, assessment_id: ex.assessmentId }),
      /RESOURCE_DOES_NOT_EXIST|not found/i,
    );
  });
});
