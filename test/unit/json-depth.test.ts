import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlflowResponseError } from '../../src/mlflow/errors';
import {
  deeperThan,
  limitDepth,
  MAX_JSON_DEPTH,
  refuseDeepJson,
} from '../../src/mlflow/json-depth';
import { parseTraceData } from '../../src/mlflow/spans';
import type { JsonValue } from '../../src/mlflow/types';

function nested(levels: number): JsonValue {
  let value: JsonValue = [];
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('JSON nested thousands of levels deep', () => {
  it('is measured without recursion', () => {
    assert.equal(deeperThan(nested(100_000), 64), true);
    assert.equal(deeperThan(nested(10), 64), false);
    assert.equal(deeperThan({ a: { b: 1 } }, 2), false);
    assert.equal(deeperThan({ a: { b: {} } }, 2), true);
  });

  it('is cut to a depth every renderer can walk, the rest shown as its JSON text', () => {
    const cut = limitDepth(nested(2000));
    assert.equal(deeperThan(cut, MAX_JSON_DEPTH), false);
    let inner: JsonValue = cut;
    while (Array.isArray(inner)) inner = inner[0] ?? null;
    assert.match(
      typeof inner === 'string' ? inner : '',
      /^\(nested more than 64 levels deep\) \[\[\[/,
    );
    const shallow = { keep: [1, { two: 2 }] };
    assert.equal(limitDepth(shallow), shallow, 'what is shallow is untouched');
  });

  it('in a span attribute, still lets the trace’s spans load', () => {
    const body = JSON.stringify({
      spans: [
        {
          trace_id: 'AAAAAAAAAAAAAAAAAAAAAA==',
          span_id: 'AAAAAAAAAAA=',
          name: 'deep',
          start_time_unix_nano: '1',
          end_time_unix_nano: '2',
          attributes: { 'mlflow.spanOutputs': JSON.stringify(nested(2000)) },
        },
      ],
    });
    const [span] = parseTraceData(body, 'http://127.0.0.1:5000/x');
    assert.ok(span);
    assert.equal(deeperThan(span.outputs, MAX_JSON_DEPTH), false);
  });

  it('in a whole response body, is refused with a clear error instead of a stack overflow', () => {
    assert.throws(
      () => refuseDeepJson(nested(5000), 'http://127.0.0.1:5000/api'),
      (error: unknown) =>
        error instanceof MlflowResponseError && /nested more than 200 levels/.test(error.message),
    );
  });
});
