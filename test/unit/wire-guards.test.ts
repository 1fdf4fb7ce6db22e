/**
 * Trace infos and assessments that fit are read straight from the parsed body (wire-guards.ts);
 * the others go through zod. Both paths must give the same result for every record: here each
 * field of a full record is replaced, in turn, by every kind of value a server could send, and
 * extra fields are added, and the two paths are compared.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkAssessment,
  checkTraceInfo,
  parseAssessment,
  parseTraceInfo,
} from '../../src/mlflow/convert';
import { isPlainWireAssessment, isPlainWireTraceInfo } from '../../src/mlflow/wire-guards';

const URL_ = 'http://127.0.0.1:5000/api/3.0/mlflow/traces/search';
const REMOVED = Symbol('removed');

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

/** Every kind of value a field could hold, right or wrong. */
const VALUES: unknown[] = [
  REMOVED,
  null,
  0,
  -1.5,
  true,
  '',
  'text',
  '1.5s',
  'OK',
  'HUMAN',
  'SOURCE_TYPE_UNSPECIFIED',
  'JSON_FORMAT',
  [],
  ['a', 1],
  {},
  { a: 'b' },
  { a: 1 },
  { type: 'MLFLOW_EXPERIMENT' },
  { value: 'x' },
  JSON.parse('{"__proto__": "x"}'),
  nested(70),
  nested(250),
];

/** As the server sends them (a real search answer's record, with every optional field set). */
function feedback(): Record<string, unknown> {
  return {
    assessment_id: 'a-1',
    assessment_name: 'correctness',
    trace_id: 'tr-1',
    span_id: 'abcdef0123456789',
    source: { source_type: 'LLM_JUDGE', source_id: 'gpt-4o-mini' },
    create_time: '2026-12-01T17:59:33.124Z',
    last_update_time: '2026-12-01T17:59:33.124Z',
    feedback: {
      value: { score: [1, 2, { deep: true }] },
      error: { error_code: 'E', error_message: 'm', stack_trace: 's' },
    },
    rationale: 'It contradicts the document.',
    metadata: { judge: 'v2' },
    overrides: 'a-0',
    valid: true,
  };
}

function expectation(): Record<string, unknown> {
  return {
    assessment_id: 'a-2',
    assessment_name: 'expected_response',
    trace_id: 'tr-1',
    source: { source_type: 'HUMAN', source_id: 'default' },
    create_time: '2026-12-01T17:59:33.124Z',
    last_update_time: '2026-12-01T17:59:33.124Z',
    expectation: {
      value: 'plain',
      serialized_value: { serialization_format: 'JSON_FORMAT', value: '{"facts": ["a", "b"]}' },
    },
    valid: false,
  };
}

function trace(): Record<string, unknown> {
  return {
    trace_id: 'tr-1',
    client_request_id: 'req-1',
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '1' } },
    request_time: '2026-12-01T17:59:18.864Z',
    execution_duration: '0.149s',
    state: 'OK',
    trace_metadata: { 'mlflow.trace_schema.version': '3' },
    assessments: [feedback(), expectation()],
    tags: { 'mlflow.traceName': 'bench_app', env: 'bench' },
    request_preview: '{"question": "What?"}',
    response_preview: '"An answer"',
  };
}

/** Every path to a field of `record`, nested objects' fields included. */
function paths(record: Record<string, unknown>, prefix: string[] = []): string[][] {
  return Object.entries(record).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? [[...prefix, key], ...paths(value as Record<string, unknown>, [...prefix, key])]
      : [[...prefix, key]],
  );
}

/** A copy of `record` with the field at `path` set to `value` (or removed). */
function withValue(
  record: Record<string, unknown>,
  path: string[],
  value: unknown,
): Record<string, unknown> {
  const copy = structuredClone(record);
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
  const last = path[path.length - 1] ?? '';
  if (value === REMOVED) Reflect.deleteProperty(parent, last);
  else
    Object.defineProperty(parent, last, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

/** The record with each field set to each value, and with a new field (shallow, deep) at each level. */
function variants(record: Record<string, unknown>): Record<string, unknown>[] {
  const all = paths(record);
  const levels = [[], ...all.filter((p) => typeof valueAt(record, p) === 'object')];
  return [
    record,
    ...all.flatMap((path) => VALUES.map((value) => withValue(record, path, value))),
    ...levels.flatMap((level) =>
      ['extra', '__proto__'].flatMap((key) =>
        ['x', nested(3), nested(198), nested(199), nested(300)].map((value) =>
          withValue(record, [...level, key], value),
        ),
      ),
    ),
  ];
}

function valueAt(record: unknown, path: string[]): unknown {
  return path.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], record);
}

describe('reading trace infos and assessments without zod where they fit', () => {
  it('reads a full record on the quick path', () => {
    assert.equal(isPlainWireTraceInfo(trace()), true);
    assert.equal(isPlainWireAssessment(feedback()), true);
    assert.equal(isPlainWireAssessment(expectation()), true);
  });

  it('gives what zod gives for every feedback and expectation, fitting or not', () => {
    let quick = 0;
    let checked = 0;
    for (const record of [...variants(feedback()), ...variants(expectation())]) {
      if (isPlainWireAssessment(record)) quick++;
      checked++;
      const label = JSON.stringify(record).slice(0, 300);
      assert.deepEqual(
        parseAssessment(record, 'tr-1', 0),
        checkAssessment(record, 'tr-1', 0),
        label,
      );
    }
    // Both paths were taken: the comparison is not of zod with itself.
    assert.ok(quick > 50 && quick < checked - 200, `${quick} of ${checked} on the quick path`);
  });

  it('gives what zod gives for every trace info, fitting or not', () => {
    let quick = 0;
    const records = variants(trace());
    for (const record of records) {
      if (isPlainWireTraceInfo(record)) quick++;
      const label = JSON.stringify(record).slice(0, 300);
      assert.deepEqual(parseTraceInfo(record, URL_, 3), checkTraceInfo(record, URL_, 3), label);
    }
    assert.ok(quick > 50 && quick < records.length - 200, `${quick} of ${records.length}`);
  });

  it('leaves the odd ones to zod: unknown enums, nulls, deep values, fields it does not know', () => {
    const odd = [
      withValue(trace(), ['state'], 'PAUSED'),
      withValue(trace(), ['state'], REMOVED),
      withValue(trace(), ['tags', 'env'], null),
      withValue(trace(), ['trace_location', 'region'], 'eu'),
      withValue(trace(), ['extra'], nested(250)),
    ];
    for (const record of odd) assert.equal(isPlainWireTraceInfo(record), false);
    const oddAssessments = [
      withValue(feedback(), ['source', 'source_type'], 'ROBOT'),
      withValue(feedback(), ['feedback', 'value'], nested(70)),
      withValue(expectation(), ['expectation', 'value'], nested(70)),
      withValue(feedback(), ['valid'], 'yes'),
    ];
    for (const record of oddAssessments) assert.equal(isPlainWireAssessment(record), false);
  });
});
