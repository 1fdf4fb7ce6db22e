import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answerFromDraft,
  checkExpectation,
  checkFeedback,
  emptyDraft,
  questionFor,
} from '../../src/shared/form-logic';
import type { FormDraft, FormQuestion } from '../../src/shared/protocol/form';

const QUESTIONS: FormQuestion[] = [
  {
    name: 'Helpful',
    enableComment: false,
    input: { type: 'passFail', positiveLabel: 'Yes', negativeLabel: 'No' },
  },
  { name: 'Score', enableComment: true, input: { type: 'numeric', minValue: 1, maxValue: 5 } },
  {
    name: 'Tags',
    enableComment: false,
    input: { type: 'categorical', options: ['a', 'b'], multiSelect: true },
  },
  {
    name: 'Tone',
    enableComment: false,
    input: { type: 'categorical', options: ['formal', 'casual'], multiSelect: false },
  },
  { name: 'Reference', enableComment: false, input: { type: 'text', maxLength: 5 } },
];

const draft = (change: Partial<FormDraft>): FormDraft => ({ ...emptyDraft('me'), ...change });

describe("the form's answers to the experiment's questions", () => {
  it('finds the question a name is, around spaces', () => {
    assert.equal(questionFor(QUESTIONS, ' Score ')?.name, 'Score');
    assert.equal(questionFor(QUESTIONS, 'score'), undefined, 'names are case-sensitive');
    assert.equal(questionFor(undefined, 'Score'), undefined);
  });

  it('reads the typed text as each question takes it, never clamping', () => {
    const q = (name: string) => QUESTIONS.find((x) => x.name === name) as FormQuestion;
    assert.deepEqual(answerFromDraft(q('Helpful'), 'false'), { ok: true, value: false });
    assert.deepEqual(answerFromDraft(q('Score'), '4.5'), { ok: true, value: 4.5 });
    assert.match(messageOf(answerFromDraft(q('Score'), '6')), /6 is above the maximum of 5/);
    assert.match(messageOf(answerFromDraft(q('Score'), 'lots')), /not a number/);
    assert.deepEqual(answerFromDraft(q('Tags'), '["b","a"]'), { ok: true, value: ['b', 'a'] });
    assert.match(messageOf(answerFromDraft(q('Tags'), '[]')), /Pick at least one/);
    assert.match(messageOf(answerFromDraft(q('Tone'), 'rude')), /not one of the options/);
    assert.match(
      messageOf(answerFromDraft(q('Reference'), 'toolong')),
      /7 characters, 2 more than the limit of 5/,
    );
  });

  it('logs feedback with the question’s value, whatever kind of value the draft last had', () => {
    const checked = checkFeedback(
      draft({ name: 'Score', valueType: 'string', valueText: '3' }),
      QUESTIONS,
    );
    assert.ok(checked.ok);
    assert.equal(checked.value.value, 3);
    const refused = checkFeedback(
      draft({ name: 'Score', valueType: 'number', valueText: '9' }),
      QUESTIONS,
    );
    assert.ok(!refused.ok);
    assert.match(refused.errors.valueText ?? '', /above the maximum/);
    // Not a question: as before.
    const free = checkFeedback(
      draft({ name: 'other', valueType: 'number', valueText: '9' }),
      QUESTIONS,
    );
    assert.ok(free.ok);
    assert.equal(free.value.value, 9);
  });

  it('checks expectations against their question too', () => {
    const refused = checkExpectation(
      draft({ name: 'Reference', valueType: 'string', valueText: 'much too long' }),
      QUESTIONS,
    );
    assert.ok(!refused.ok);
    assert.match(refused.errors.valueText ?? '', /more than the limit of 5/);
  });
});

function messageOf(result: { ok: true } | { ok: false; message: string }): string {
  if (result.ok) return assert.fail('expected a refusal');
  return result.message;
}
