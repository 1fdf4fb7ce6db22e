import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asAssessmentId, asTraceId, type Assessment, type TraceInfo } from '../../src/mlflow';
import {
  findLogged,
  findUpdated,
  isDeleted,
  type WriteIntent,
} from '../../src/store/write-recovery';

const SENT_AT = Date.parse('2026-11-30T10:00:00Z');

const feedback = (id: string, extra: Partial<Assessment> = {}): Assessment => ({
  assessmentId: asAssessmentId(id),
  traceId: asTraceId('tr-1'),
  kind: 'feedback',
  name: 'quality',
  value: { score: 4, tags: ['short'] },
  rationale: 'fine',
  source: { sourceType: 'HUMAN', sourceId: 'me' },
  createTime: '2026-11-30T10:00:01Z',
  lastUpdateTime: '2026-11-30T10:00:01Z',
  metadata: { team: 'qa' },
  valid: true,
  ...extra,
});

const trace = (...assessments: Assessment[]): TraceInfo => ({
  traceId: asTraceId('tr-1'),
  requestTime: '2026-11-30T09:00:00Z',
  state: 'OK',
  metadata: {},
  tags: {},
  assessments,
});

const intent: Extract<WriteIntent, { kind: 'log' }> = {
  kind: 'log',
  assessmentKind: 'feedback',
  name: 'quality',
  // The same JSON as the stored one, keys in another order.
  value: { tags: ['short'], score: 4 },
  rationale: 'fine',
  source: { sourceType: 'HUMAN', sourceId: 'me' },
};

describe('finding a write whose answer was lost', () => {
  it('finds the new assessment with the intended name, value, rationale and source', () => {
    assert.equal(
      findLogged(trace(feedback('a-1')), intent, new Set(), SENT_AT)?.assessmentId,
      'a-1',
    );
  });

  it('does not take one that was there before, or differs in any field the write set', () => {
    const none = (a: Assessment, known = new Set<string>()) =>
      assert.equal(findLogged(trace(a), intent, known, SENT_AT), undefined);
    none(feedback('a-1'), new Set(['a-1']));
    none(feedback('a-1', { value: { score: 5, tags: ['short'] } }));
    none(feedback('a-1', { rationale: 'other' }));
    none(feedback('a-1', { source: { sourceType: 'HUMAN', sourceId: 'someone else' } }));
    none(feedback('a-1', { spanId: '00000000000000ab' }));
    none(feedback('a-1', { createTime: '2026-11-30T09:00:00Z' }), new Set());
    none(feedback('a-1', { overrides: asAssessmentId('a-0') }));
  });

  it('finds an override by the feedback it supersedes', () => {
    const override = { ...intent, overrides: asAssessmentId('a-0') };
    const found = findLogged(
      trace(
        feedback('a-0', { valid: false }),
        feedback('a-1', { overrides: asAssessmentId('a-0') }),
      ),
      override,
      new Set(['a-0']),
      SENT_AT,
    );
    assert.equal(found?.assessmentId, 'a-1');
  });

  it('sees an update applied only when every field it set shows', () => {
    const applied = (update: Extract<WriteIntent, { kind: 'update' }>['update']) =>
      findUpdated(trace(feedback('a-1')), {
        kind: 'update',
        assessmentId: asAssessmentId('a-1'),
        update,
      });
    assert.ok(applied({ rationale: 'fine', metadata: { team: 'qa' } }));
    assert.equal(applied({ rationale: 'changed' }), undefined);
    assert.equal(applied({ metadata: { team: 'ml' } }), undefined);
    assert.equal(
      applied({ feedback: { value: { score: 4, tags: ['short'] } } })?.assessmentId,
      'a-1',
    );
  });

  it('sees a deletion as the assessment gone', () => {
    assert.equal(isDeleted(trace(feedback('a-1')), asAssessmentId('a-1')), false);
    assert.equal(isDeleted(trace(), asAssessmentId('a-1')), true);
  });
});
