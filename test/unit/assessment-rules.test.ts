import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asAssessmentId, asTraceId, type Assessment, type TraceInfo } from '../../src/mlflow';
import {
  checkOverridable,
  currentFeedback,
  isOverridableBy,
  nextUnrated,
} from '../../src/store/assessment-rules';

const base = {
  traceId: asTraceId('tr-1'),
  createTime: '2026-01-01T00:00:00Z',
  lastUpdateTime: '2026-01-01T00:00:00Z',
  metadata: {},
};
const feedback = (
  id: string,
  sourceType: 'HUMAN' | 'LLM_JUDGE' | 'CODE',
  sourceId: string,
  extra: Partial<{ valid: boolean; overrides: string }> = {},
): Assessment => ({
  ...base,
  assessmentId: asAssessmentId(id),
  kind: 'feedback',
  name: 'correct',
  value: true,
  source: { sourceType, sourceId },
  valid: extra.valid ?? true,
  ...(extra.overrides ? { overrides: asAssessmentId(extra.overrides) } : {}),
});
const trace = (id: string, time: string, assessments: Assessment[]): TraceInfo => ({
  traceId: asTraceId(id),
  requestTime: time,
  state: 'OK',
  metadata: {},
  tags: {},
  assessments,
});

describe('the rules of reviewing', () => {
  const judge = feedback('a-judge', 'LLM_JUDGE', 'gpt', { valid: false });
  const mine = feedback('a-mine', 'HUMAN', 'me', { overrides: 'a-judge' });
  const theirs = feedback('a-theirs', 'HUMAN', 'someone else');
  const code = feedback('a-code', 'CODE', 'scorer.py');

  it('offers to override a judge’s, code’s or another reviewer’s feedback in force, not one’s own', () => {
    assert.equal(isOverridableBy(code, 'me'), true);
    assert.equal(isOverridableBy(theirs, 'me'), true);
    assert.equal(isOverridableBy(mine, 'me'), false);
    assert.equal(isOverridableBy(judge, 'me'), false, 'already overridden');
  });

  it('follows an override chain to the feedback in force, and refuses an overridden one', () => {
    const t = trace('tr-1', '2026-01-01T00:00:00Z', [judge, mine]);
    assert.equal(currentFeedback(t, judge)?.assessmentId, 'a-mine');
    assert.throws(() => checkOverridable(t, judge), /already overridden \(now me's\)/);
    assert.equal(checkOverridable(t, mine), mine);
  });

  it('goes next to the newest trace no person has rated, other than the current one', () => {
    const rated = trace('tr-rated', '2026-01-03T00:00:00Z', [theirs]);
    const current = trace('tr-current', '2026-01-04T00:00:00Z', []);
    const older = trace('tr-older', '2026-01-01T00:00:00Z', [code]);
    const newer = trace('tr-newer', '2026-01-02T00:00:00Z', []);
    assert.equal(nextUnrated([older, rated, current, newer], current.traceId)?.traceId, 'tr-newer');
    assert.equal(nextUnrated([rated, current], current.traceId), undefined);
  });
});
