/**
 * Trace infos, assessments and spans that fit are read straight from the parsed body
 * (wire-guards.ts); the others go through zod. Both paths must give the same result for every record: here each
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
import { deeperThan, MAX_WIRE_DEPTH } from '../../src/mlflow/json-depth';
import { checkWireSpan, readWireSpan } from '../../src/mlflow/spans';
import type { Span } from '../../src/mlflow/types';
import {
  isPlainWireAssessment,
  isPlainWireSpan,
  isPlainWireTraceInfo,
} from '../../src/mlflow/wire-guards';

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

/** And those a span's fields could hold: times as digits or numbers, OTel's status codes. */
const SPAN_VALUES: unknown[] = [
  ...VALUES,
  '1795385074147073064',
  '-1',
  '12a',
  1795385074,
  2 ** 60,
  1.5e3,
  0.5,
  -0,
  'STATUS_CODE_OK',
  'STATUS_CODE_ERROR',
  'ERROR',
  'STATUS_CODE_MAYBE',
  '"\\"json text\\""',
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

/** As the server sends a span (ids base64, times quoted by spans.ts), with an event. */
function span(): Record<string, unknown> {
  return {
    trace_id: 'obrud+e1v6l3oQCCVWuQuQ==',
    span_id: 'rA+S8DCbZL8=',
    parent_span_id: 'AAAAAAAAAAE=',
    name: 'retrieve',
    kind: 'SPAN_KIND_INTERNAL',
    start_time_unix_nano: '1795385074147073064',
    end_time_unix_nano: 1795385074,
    status: { code: 'STATUS_CODE_OK', message: '' },
    attributes: {
      'mlflow.spanType': '"RETRIEVER"',
      'mlflow.traceRequestId': '"tr-1"',
      'mlflow.spanInputs': '{"q": "<b>x</b>"}',
      'mlflow.spanOutputs': { already: 'decoded' },
      n: '10',
    },
    events: [event()],
    links: [],
  };
}

function event(): Record<string, unknown> {
  return { name: 'exception', time_unix_nano: '1795385074147073065', attributes: { k: '"v"' } };
}

/** What a span holds, its inputs and outputs (read through getters) included. */
function spanView(span: Span | string): unknown {
  return typeof span === 'string' ? span : { ...span, inputs: span.inputs, outputs: span.outputs };
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
function variants(
  record: Record<string, unknown>,
  values: unknown[] = VALUES,
): Record<string, unknown>[] {
  const all = paths(record);
  const levels = [[], ...all.filter((p) => typeof valueAt(record, p) === 'object')];
  return [
    record,
    ...all.flatMap((path) => values.map((value) => withValue(record, path, value))),
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

  it('gives what zod gives for every span and event, fitting or not', () => {
    let quick = 0;
    const spans = [
      ...variants(span(), SPAN_VALUES),
      ...variants(event(), SPAN_VALUES).map((e) => withValue(span(), ['events'], [event(), e])),
      ...SPAN_VALUES.map((value) => withValue(span(), ['events'], value)),
    ];
    for (const record of spans) {
      // Measured for depth before either path: a span nested too deep is refused as such.
      if (deeperThan(record, MAX_WIRE_DEPTH)) continue;
      if (isPlainWireSpan(record)) quick++;
      const label = JSON.stringify(record).slice(0, 300);
      assert.deepEqual(spanView(readWireSpan(record)), spanView(checkWireSpan(record)), label);
    }
    assert.ok(quick > 50 && quick < spans.length - 200, `${quick} of ${spans.length}`);
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
    const oddSpans = [
      withValue(span(), ['status', 'code'], 'ERROR'),
      withValue(span(), ['start_time_unix_nano'], 2 ** 60),
      withValue(span(), ['end_time_unix_nano'], '1.5'),
      withValue(span(), ['events'], [{ name: 'e' }]),
      withValue(span(), ['parent_span_id'], 7),
    ];
    for (const record of oddSpans) assert.equal(isPlainWireSpan(record), false);
    assert.equal(isPlainWireSpan(span()), true);
  });
});
