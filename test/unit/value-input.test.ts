import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  acceptedName,
  describeBadName,
  formatForInput,
  parseFeedbackValue,
  parseMetadata,
  parseValue,
  valueTypeOf,
} from '../../src/shared/value-input';

describe('typed values', () => {
  it('parses each type, and refuses what does not fit instead of converting it', () => {
    assert.deepEqual(parseValue('boolean', ' Pass '), { ok: true, value: true });
    assert.deepEqual(parseValue('boolean', 'no'), { ok: true, value: false });
    assert.equal(parseValue('boolean', 'maybe').ok, false);
    assert.deepEqual(parseValue('number', '4.5'), { ok: true, value: 4.5 });
    assert.deepEqual(parseValue('number', '-1e3'), { ok: true, value: -1000 });
    assert.deepEqual(parseValue('number', 'four'), {
      ok: false,
      message: '"four" is not a number',
    });
    assert.equal(parseValue('number', '0x10').ok, false, 'no hex: Number() would take it');
    assert.equal(parseValue('number', '').ok, false, 'no empty: Number("") is 0');
    assert.equal(parseValue('number', '1e999').ok, false);
    assert.deepEqual(parseValue('string', ' keep spaces '), { ok: true, value: ' keep spaces ' });
    assert.equal(parseValue('string', '   ').ok, false);
    assert.deepEqual(parseValue('labels', 'tone, accuracy ,, '), {
      ok: true,
      value: ['tone', 'accuracy'],
    });
    assert.deepEqual(parseValue('json', '{"a": [1, null]}'), { ok: true, value: { a: [1, null] } });
    const bad = parseValue('json', '{a: 1}');
    assert.ok(!bad.ok);
    assert.match(bad.message, /^Not valid JSON: /);
  });

  it('refuses null as a feedback value (null marks a feedback that holds an error)', () => {
    assert.equal(parseFeedbackValue('json', 'null').ok, false);
    assert.equal(parseValue('json', 'null').ok, true, 'an expectation may be null');
  });

  it('reads metadata as a JSON object', () => {
    assert.deepEqual(parseMetadata(''), { ok: true, value: {} });
    assert.deepEqual(parseMetadata('{"round": 2}'), { ok: true, value: { round: 2 } });
    assert.equal(parseMetadata('[1]').ok, false);
  });

  it('prefills an edit with text that parses back to the same value', () => {
    for (const value of [true, 3, 'text, with comma', ['a', 'b'], ['a,b'], { k: [1] }]) {
      const type = valueTypeOf(value);
      const parsed = parseValue(type, formatForInput(type, value));
      assert.deepEqual(parsed, { ok: true, value }, `${JSON.stringify(value)} as ${type}`);
    }
  });

  it('checks names like MLflow does', () => {
    assert.equal(describeBadName('correctness'), undefined);
    assert.equal(describeBadName(' '), 'Enter a name');
    assert.match(describeBadName('x'.repeat(251)) ?? '', /at most 250/);
  });

  it('takes the typed name unless a highlighted suggestion completes it', () => {
    const names = ['correctness', 'expected_tool_calls'];
    assert.equal(acceptedName('expected_facts', 'expected_tool_calls', names), 'expected_facts');
    assert.equal(acceptedName('corr', 'correctness', names), 'correctness');
    assert.equal(acceptedName('correctness', 'expected_tool_calls', names), 'correctness');
    assert.equal(acceptedName('', 'correctness', names), 'correctness');
  });
});
