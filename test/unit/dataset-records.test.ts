/** A trace as an evaluation dataset record, as MLflow's merge_records([trace]) makes it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asTraceId, type Assessment, type Span, type TraceInfo } from '../../src/mlflow';
import { inputsOnly, traceToRecord } from '../../src/mlflow/dataset-records';
import { toDataset, toWireRecord } from '../../src/mlflow/datasets';
import { MlflowResponseError } from '../../src/mlflow/errors';

const id = asTraceId('tr-1');
const expectation = (name: string, value: unknown, valid = true): Assessment =>
  ({
    kind: 'expectation',
    assessmentId: `a-${name}-${String(valid)}`,
    traceId: id,
    name,
    value,
    source: { sourceType: 'HUMAN', sourceId: 'me' },
    createTime: '',
    lastUpdateTime: '',
    metadata: {},
    valid,
  }) as Assessment;

const info = (assessments: Assessment[], metadata: Record<string, string> = {}): TraceInfo => ({
  traceId: id,
  requestTime: '2026-11-30T00:00:00Z',
  state: 'OK',
  metadata,
  tags: {},
  assessments,
});

const span = (spanId: string, parent: string | null, inputs?: unknown, outputs?: unknown): Span =>
  ({
    traceId: id,
    spanId,
    parentSpanId: parent,
    name: spanId,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 1n,
    status: { code: 'STATUS_CODE_OK', message: '' },
    inputs,
    outputs,
    attributes: {},
    events: [],
  }) as Span;

describe('traceToRecord', () => {
  it("takes the root span's inputs and outputs, valid expectations, the trace as source", () => {
    const made = traceToRecord(
      info(
        [
          expectation('answer', 'old', false),
          expectation('answer', 'Rain'),
          expectation('facts', ['a', { n: 1 }]),
        ],
        { 'mlflow.trace.session': 's-1' },
      ),
      [span('child', 'root', { x: 1 }, 2), span('root', null, { q: 'Lyon?' }, 'Rain')],
      'me@example.com',
    );
    assert.ok(made.ok);
    assert.equal(made.expectationCount, 2);
    assert.deepEqual(made.record, {
      inputs: { q: 'Lyon?' },
      outputs: 'Rain',
      expectations: { answer: 'Rain', facts: ['a', { n: 1 }] },
      tags: { 'mlflow.user': 'me@example.com' },
      source: { sourceType: 'TRACE', sourceData: { trace_id: 'tr-1', session_id: 's-1' } },
    });
    assert.deepEqual(toWireRecord(made.record).source, {
      source_type: 'TRACE',
      source_data: { trace_id: 'tr-1', session_id: 's-1' },
    });
    assert.deepEqual(inputsOnly(made.record).expectations, {});
  });

  it('gives empty inputs and null outputs when there is no root span, as MLflow does', () => {
    const made = traceToRecord(info([]), []);
    assert.ok(made.ok);
    assert.deepEqual(made.record.inputs, {});
    assert.equal(made.record.outputs, null);
    assert.equal(made.expectationCount, 0);
    assert.equal(made.record.tags, undefined);
  });

  it('refuses a root span whose inputs are not an object of named inputs', () => {
    const list = traceToRecord(info([]), [span('root', null, [1, 2])]);
    assert.ok(!list.ok);
    assert.match(list.problem, /a list, not an object/);
    const text = traceToRecord(info([]), [span('root', null, 'hi')]);
    assert.ok(!text.ok);
    assert.match(text.problem, /string/);
  });
});

describe("the server's dataset answer", () => {
  it('decodes the tags, which come as JSON text', () => {
    const dataset = toDataset(
      {
        dataset_id: 'd-1',
        name: 'n',
        tags: '{"team":"x"}',
        experiment_ids: ['1'],
        created_time: 5,
      },
      'http://x',
    );
    assert.deepEqual(dataset.tags, { team: 'x' });
    assert.deepEqual(dataset.experimentIds, ['1']);
    assert.equal(dataset.createdTimeMs, 5);
  });

  it('says which field is wrong when the tags are not JSON', () => {
    assert.throws(
      () => toDataset({ dataset_id: 'd-1', name: 'n', tags: '<html>' }, 'http://x'),
      (e: unknown) => e instanceof MlflowResponseError && e.field === 'dataset.tags',
    );
  });
});
