/** What a traced function's lens says (src/code/span-stats.ts): failing feedback, unreviewed, the title. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asAssessmentId,
  asTraceId,
  type Feedback,
  type JsonValue,
  type TraceInfo,
} from '../../src/mlflow';
import { isFailingFeedback, lensTitle, spanStats } from '../../src/code/span-stats';

const feedback = (
  value: JsonValue,
  sourceType: 'HUMAN' | 'LLM_JUDGE' = 'LLM_JUDGE',
  extra: Partial<Feedback> = {},
): Feedback => ({
  traceId: asTraceId('tr-1'),
  assessmentId: asAssessmentId('a-1'),
  kind: 'feedback',
  name: 'correct',
  value,
  source: { sourceType, sourceId: 'x' },
  createTime: '2026-01-01T00:00:00Z',
  lastUpdateTime: '2026-01-01T00:00:00Z',
  metadata: {},
  valid: true,
  ...extra,
});
const trace = (time: string, ...assessments: Feedback[]): TraceInfo => ({
  traceId: asTraceId(`tr-${time}`),
  requestTime: time,
  state: 'OK',
  metadata: {},
  tags: {},
  assessments,
});

describe('span stats', () => {
  it('calls feedback failing when its value says no, or it records an error', () => {
    for (const value of [false, 'no', 'No', ' FAIL ', 'failed', 'bad', 'incorrect', 'wrong'])
      assert.ok(isFailingFeedback(feedback(value)), JSON.stringify(value));
    for (const value of [true, 'yes', 'pass', 0, 1, 3, null, { ok: false }, 'not bad'])
      assert.ok(!isFailingFeedback(feedback(value)), JSON.stringify(value));
    assert.ok(isFailingFeedback(feedback(null, 'LLM_JUDGE', { error: { errorCode: 'TIMEOUT' } })));
    // Overridden: no longer in force.
    assert.ok(!isFailingFeedback(feedback('no', 'LLM_JUDGE', { valid: false })));
  });

  it('counts traces, failing ones and those no person has rated, newest first', () => {
    const stats = spanStats(
      [
        trace('2026-01-01T00:10:00Z', feedback('no')),
        trace('2026-01-01T00:05:00Z', feedback(true, 'HUMAN')),
        trace('2026-01-01T00:01:00Z'),
      ],
      true,
      2,
    );
    assert.deepEqual(
      [stats.count, stats.more, stats.failing, stats.unreviewed, stats.latest, stats.recent.length],
      [3, true, 1, 2, '2026-01-01T00:10:00Z', 2],
    );
    const now = Date.parse('2026-01-01T00:12:00Z');
    assert.equal(
      lensTitle(stats, now),
      '3+ traces · 1 failing feedback · 2 unreviewed · last 2 min ago',
    );
    assert.equal(
      lensTitle(spanStats([trace('2026-01-01T00:11:30Z', feedback(true, 'HUMAN'))], false), now),
      '1 trace · last 30 s ago',
    );
    assert.equal(lensTitle(spanStats([], false), now), 'No traces yet');
  });
});
