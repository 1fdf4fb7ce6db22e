import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabelInput } from '../../src/mlflow/review-types';
import { toLabelInput, toWireInput } from '../../src/mlflow/review';
import {
  checkLabelAnswer,
  parseNumberAnswer,
  textLength,
  type LabelCheck,
} from '../../src/shared/label-validation';

function message(check: LabelCheck): string {
  if (check.ok) assert.fail(`expected a refusal, got ${JSON.stringify(check)}`);
  return check.message;
}

describe('answers checked against a label schema', () => {
  const passFail: LabelInput = {
    type: 'passFail',
    positiveLabel: 'Correct',
    negativeLabel: 'Wrong',
  };

  it('pass/fail takes a boolean only, and names its labels when refusing', () => {
    assert.deepEqual(checkLabelAnswer(passFail, true), { ok: true, value: true });
    assert.deepEqual(checkLabelAnswer(passFail, false), { ok: true, value: false });
    assert.equal(
      message(checkLabelAnswer(passFail, 'Correct')),
      'Answer "Correct" or "Wrong"; got the text "Correct".',
    );
    assert.match(message(checkLabelAnswer(passFail, 1)), /got number 1/);
    assert.match(message(checkLabelAnswer(passFail, undefined)), /got no answer/);
  });

  it('single choice takes one of the options exactly (no case folding, no trimming)', () => {
    const input: LabelInput = { type: 'categorical', options: ['good', 'bad'], multiSelect: false };
    assert.deepEqual(checkLabelAnswer(input, 'good'), { ok: true, value: 'good' });
    assert.equal(
      message(checkLabelAnswer(input, 'Good')),
      '"Good" is not one of the options ("good", "bad"): the question may have changed. Pick one of them.',
    );
    assert.match(message(checkLabelAnswer(input, ' good')), /not one of the options/);
    assert.match(
      message(checkLabelAnswer(input, ['good'])),
      /Pick one of: "good", "bad"; got a list/,
    );
  });

  it('multiple choice takes a non-empty list of distinct options', () => {
    const input: LabelInput = { type: 'categorical', options: ['a', 'b', 'c'], multiSelect: true };
    assert.deepEqual(checkLabelAnswer(input, ['c', 'a']), { ok: true, value: ['c', 'a'] });
    assert.equal(message(checkLabelAnswer(input, [])), 'Pick at least one of: "a", "b", "c".');
    assert.equal(
      message(checkLabelAnswer(input, ['a', 'x', 'y'])),
      '"x", "y" are not among the options ("a", "b", "c"): the question may have changed. Pick among them.',
    );
    assert.equal(message(checkLabelAnswer(input, ['a', 'a'])), '"a" is picked twice.');
    assert.match(message(checkLabelAnswer(input, 'a')), /Pick one or more of/);
  });

  it('numeric takes a finite number within inclusive bounds, never clamped', () => {
    const input: LabelInput = { type: 'numeric', minValue: 1, maxValue: 5 };
    assert.deepEqual(checkLabelAnswer(input, 1), { ok: true, value: 1 });
    assert.deepEqual(checkLabelAnswer(input, 5), { ok: true, value: 5 });
    assert.deepEqual(checkLabelAnswer(input, 2.5), { ok: true, value: 2.5 });
    assert.equal(
      message(checkLabelAnswer(input, 6)),
      '6 is above the maximum of 5: give a number from 1 to 5.',
    );
    assert.equal(
      message(checkLabelAnswer(input, 0.999)),
      '0.999 is below the minimum of 1: give a number from 1 to 5.',
    );
    assert.match(
      message(checkLabelAnswer(input, Number.NaN)),
      /finite number from 1 to 5; got NaN/,
    );
    assert.match(
      message(checkLabelAnswer(input, '3')),
      /Give a number from 1 to 5; got the text "3"/,
    );
    assert.match(message(checkLabelAnswer(input, true)), /got boolean true/);
  });

  it('numeric with one bound or none says so', () => {
    assert.match(
      message(checkLabelAnswer({ type: 'numeric', minValue: 0 }, -1)),
      /below the minimum of 0: give a number of at least 0/,
    );
    assert.match(
      message(checkLabelAnswer({ type: 'numeric', maxValue: 10 }, 11)),
      /above the maximum of 10: give a number of at most 10/,
    );
    assert.deepEqual(checkLabelAnswer({ type: 'numeric' }, -1e9), { ok: true, value: -1e9 });
  });

  it('text takes a non-empty string within the maximum length, counted in characters', () => {
    const input: LabelInput = { type: 'text', maxLength: 5 };
    assert.deepEqual(checkLabelAnswer(input, 'hello'), { ok: true, value: 'hello' });
    // Five emoji are five characters (ten UTF-16 units).
    assert.deepEqual(checkLabelAnswer(input, '😀😀😀😀😀'), { ok: true, value: '😀😀😀😀😀' });
    assert.equal(
      message(checkLabelAnswer(input, 'hello!!')),
      'The answer has 7 characters, 2 more than the limit of 5: shorten it.',
    );
    assert.equal(message(checkLabelAnswer(input, '   ')), 'The answer is empty: type some text.');
    assert.deepEqual(checkLabelAnswer({ type: 'text' }, 'x'.repeat(100_000)).ok, true);
    assert.match(message(checkLabelAnswer(input, 5)), /Type a text answer; got number 5/);
    assert.equal(textLength('a😀b'), 3);
  });

  it('an input this version does not know cannot be answered', () => {
    assert.match(
      message(checkLabelAnswer({ type: 'unsupported', variant: 'categorical_list' }, 'a')),
      /"categorical_list"\) is not supported .* MLflow's web UI/,
    );
  });

  it('parses a typed number strictly', () => {
    assert.deepEqual(parseNumberAnswer(' 4.5 '), { ok: true, value: 4.5 });
    assert.deepEqual(parseNumberAnswer('-1e3'), { ok: true, value: -1000 });
    assert.deepEqual(parseNumberAnswer('.5'), { ok: true, value: 0.5 });
    assert.equal(message(parseNumberAnswer('')), 'Type a number.');
    for (const bad of ['4,5', 'four', '0x10', 'Infinity', '1 2', '--1'])
      assert.match(message(parseNumberAnswer(bad)), /is not a number/, bad);
    assert.match(message(parseNumberAnswer('1e999')), /too large/);
  });
});

describe('label schema inputs on the wire', () => {
  it('round-trips each variant the server knows', () => {
    const inputs: Exclude<LabelInput, { type: 'unsupported' }>[] = [
      { type: 'passFail', positiveLabel: 'Yes', negativeLabel: 'No' },
      { type: 'categorical', options: ['a', 'b'], multiSelect: true },
      { type: 'numeric', minValue: 1, maxValue: 5 },
      { type: 'numeric' },
      { type: 'text', maxLength: 10 },
      { type: 'text' },
    ];
    for (const input of inputs) assert.deepEqual(toLabelInput(toWireInput(input)), input);
    assert.deepEqual(toWireInput({ type: 'text' }), { text: {} });
  });

  it('reads a variant it does not know, or a broken one, as unsupported', () => {
    assert.deepEqual(toLabelInput({ categorical_list: { options: ['a'] } }), {
      type: 'unsupported',
      variant: 'categorical_list',
    });
    assert.deepEqual(toLabelInput({ pass_fail: { positive_label: 1 } }), {
      type: 'unsupported',
      variant: 'pass_fail',
    });
    assert.deepEqual(toLabelInput({}), { type: 'unsupported', variant: '(none)' });
  });
});
