import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkEdit,
  checkExpectation,
  checkFeedback,
  draftFrom,
  emptyDraft,
} from '../../src/shared/form-logic';
import type { AssessmentView } from '../../src/shared/protocol/common';

const judge: AssessmentView = {
  assessmentId: 'a-1',
  kind: 'feedback',
  name: 'correctness',
  value: false,
  rationale: 'wrong unit',
  source: { sourceType: 'LLM_JUDGE', sourceId: 'gpt-4o' },
  createTime: '2026-01-01T00:00:00Z',
  lastUpdateTime: '2026-01-01T00:00:00Z',
  metadata: { cost: '0.1' },
  valid: true,
};

describe('the feedback form', () => {
  it('turns a draft into what the client sends, as HUMAN with the reviewer', () => {
    const draft = {
      ...emptyDraft('me@example.com'),
      name: ' helpful ',
      valueType: 'number' as const,
      valueText: '4',
      rationale: 'ok',
      metadata: [
        { key: 'ticket', value: 'A-1' },
        { key: '', value: '' },
      ],
    };
    assert.deepEqual(checkFeedback(draft), {
      ok: true,
      value: {
        kind: 'feedback',
        name: 'helpful',
        value: 4,
        rationale: 'ok',
        source: { sourceType: 'HUMAN', sourceId: 'me@example.com' },
        metadata: { ticket: 'A-1' },
      },
    });
  });

  it('names every field that is wrong', () => {
    const draft = {
      ...emptyDraft(''),
      valueType: 'number' as const,
      valueText: 'x',
      spanId: 'nope',
      metadata: [
        { key: 'k', value: '1' },
        { key: 'k', value: '2' },
      ],
    };
    const checked = checkFeedback(draft);
    assert.ok(!checked.ok);
    assert.deepEqual(Object.keys(checked.errors).sort(), [
      'metadata',
      'name',
      'sourceId',
      'spanId',
      'valueText',
    ]);
    assert.equal(checked.errors.metadata, 'The key "k" appears twice');
  });

  it('records an error instead of a value in error mode', () => {
    const draft = {
      ...emptyDraft('me'),
      name: 'tone',
      errorMode: true,
      errorCode: 'TIMEOUT',
      errorMessage: 'slow',
      sourceType: 'LLM_JUDGE' as const,
      sourceId: 'gpt-4o',
    };
    const checked = checkFeedback(draft);
    assert.ok(checked.ok);
    assert.equal(checked.value.value, undefined);
    assert.deepEqual(checked.value.error, { errorCode: 'TIMEOUT', errorMessage: 'slow' });
    assert.equal(checkFeedback({ ...draft, errorCode: ' ' }).ok, false);
  });

  it('allows a null expectation but not a null feedback', () => {
    const draft = { ...emptyDraft('me'), name: 'x', valueType: 'json' as const, valueText: 'null' };
    assert.equal(checkExpectation(draft).ok, true);
    assert.equal(checkFeedback(draft).ok, false);
  });
});

describe('editing and overriding', () => {
  it('prefills an edit with the assessment as it is', () => {
    const draft = draftFrom(judge, 'edit', 'me');
    assert.equal(draft.valueType, 'boolean');
    assert.equal(draft.valueText, 'false');
    assert.equal(draft.rationale, 'wrong unit');
    assert.deepEqual(draft.metadata, [{ key: 'cost', value: '0.1' }]);
  });

  it('sends only what changed, and refuses an edit that changes nothing', () => {
    const draft = draftFrom(judge, 'edit', 'me');
    assert.deepEqual(checkEdit(judge, draft), {
      ok: false,
      errors: { form: 'Nothing has changed.' },
    });
    assert.deepEqual(
      checkEdit(judge, {
        ...draft,
        valueText: 'true',
        metadata: [
          { key: 'cost', value: '0.1' },
          { key: 'round', value: '2' },
        ],
      }),
      {
        ok: true,
        value: { feedback: { value: true }, metadata: { round: '2' } },
      },
    );
    assert.deepEqual(checkEdit(judge, { ...draft, name: 'accuracy', rationale: '' }), {
      ok: true,
      value: { name: 'accuracy', rationale: '' },
    });
  });

  it('starts an override from the reviewer, with the value left to them', () => {
    const draft = draftFrom(judge, 'override', 'me@example.com');
    assert.equal(draft.name, 'correctness');
    assert.equal(draft.sourceType, 'HUMAN');
    assert.equal(draft.sourceId, 'me@example.com');
    assert.equal(draft.rationale, '');
  });
});
