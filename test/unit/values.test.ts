import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlflowInputError } from '../../src/mlflow/errors';
import type { JsonValue } from '../../src/mlflow/types';
import {
  decodeExpectationValue,
  encodeExpectationValue,
  pythonJsonDumps,
  pythonStr,
  stringifyMetadata,
} from '../../src/mlflow/values';

describe('pythonStr (metadata values, as Python str())', () => {
  const cases: [JsonValue, string][] = [
    ['text', 'text'],
    [3, '3'],
    [0.1, '0.1'],
    [1.5e-5, '1.5e-05'],
    [0.0001, '0.0001'],
    [1.234e-10, '1.234e-10'],
    [1.5e16, '15000000000000000'],
    [123456.789, '123456.789'],
    [-2.5, '-2.5'],
    [2 ** 70, '1180591620717411303424'],
    [true, 'True'],
    [false, 'False'],
    [null, 'None'],
    [[1, 'a', true, null], "[1, 'a', True, None]"],
    [{ k: 'v', n: [0.5] }, "{'k': 'v', 'n': [0.5]}"],
    [["it's"], '["it\'s"]'],
    [['a\nb\\'], "['a\\nb\\\\']"],
    [['ü'], "['ü']"],
  ];
  for (const [value, expected] of cases) {
    it(`${JSON.stringify(value)} → ${expected}`, () => {
      assert.equal(pythonStr(value), expected);
    });
  }

  it('stringifies every value of a metadata map and keeps strings as they are', () => {
    assert.deepEqual(stringifyMetadata({ a: 1, b: 'x', c: false }), { a: '1', b: 'x', c: 'False' });
    assert.equal(stringifyMetadata(undefined), undefined);
  });
});

describe('pythonJsonDumps (serialized expectation values, as Python json.dumps)', () => {
  it('uses Python separators and escapes non-ASCII', () => {
    assert.equal(pythonJsonDumps({ a: [1, 2], ü: 1.5 }), '{"a": [1, 2], "\\u00fc": 1.5}');
  });
  it('keeps nested structure, booleans and null', () => {
    assert.equal(
      pythonJsonDumps([{ x: true, y: null }, 'é"q']),
      '[{"x": true, "y": null}, "\\u00e9\\"q"]',
    );
  });
  it('writes floats as Python repr does', () => {
    assert.equal(pythonJsonDumps([1e-7, 2.5, 1e22]), '[1e-07, 2.5, 10000000000000000000000]');
  });
});

describe('expectation value encoding', () => {
  it('sends scalars as value', () => {
    assert.deepEqual(encodeExpectationValue('Paris'), { value: 'Paris' });
    assert.deepEqual(encodeExpectationValue(42), { value: 42 });
    assert.deepEqual(encodeExpectationValue(false), { value: false });
  });
  it('sends lists and objects as serialized JSON', () => {
    assert.deepEqual(encodeExpectationValue(['a', 'b']), {
      serialized_value: { serialization_format: 'JSON_FORMAT', value: '["a", "b"]' },
    });
  });
  it('refuses null, undefined, NaN and non-JSON values before sending', () => {
    assert.throws(() => encodeExpectationValue(null), MlflowInputError);
    assert.throws(() => encodeExpectationValue(undefined), MlflowInputError);
    assert.throws(() => encodeExpectationValue({ a: Number.NaN }), /at a is NaN/);
    assert.throws(() => encodeExpectationValue({ f: () => 1 }), /function/);
    assert.throws(() => encodeExpectationValue(new Date()), /JSON cannot hold/);
  });
  it('decodes both wire forms', () => {
    assert.deepEqual(
      decodeExpectationValue({
        serialized_value: { serialization_format: 'JSON_FORMAT', value: '{"a": 1}' },
      }),
      { value: { a: 1 } },
    );
    assert.deepEqual(decodeExpectationValue({ value: 'x' }), { value: 'x' });
  });
  it('keeps broken serialized text as text, and names the field', () => {
    const decoded = decodeExpectationValue({
      serialized_value: { serialization_format: 'JSON_FORMAT', value: '{oops' },
    });
    assert.equal(decoded.value, '{oops');
    assert.match(decoded.problem ?? '', /^expectation\.serialized_value: not valid JSON/);
  });
});
