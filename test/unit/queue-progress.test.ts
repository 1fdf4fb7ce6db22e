import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asTraceId, type ReviewQueueItem, type ReviewStatus } from '../../src/mlflow';
import { progress, progressLabel } from '../../src/tree/queue-model';

const item = (status: ReviewStatus, i: number): ReviewQueueItem => ({
  queueId: 'rq-1',
  traceId: asTraceId(`tr-${i}`),
  status,
  creationTimeMs: 0,
  lastUpdateTimeMs: 0,
});

describe("a review queue's progress", () => {
  it('counts complete and declined as done, as MLflow’s progress bar does, across pages', () => {
    const pages = [
      [item('complete', 1), item('pending', 2)],
      [item('declined', 3), item('complete', 4), item('pending', 5)],
    ];
    assert.deepEqual(progress(pages), { total: 5, complete: 2, declined: 1, pending: 2 });
    assert.equal(progressLabel(progress(pages)), '3/5 done · 1 declined · 2 pending');
  });

  it('leaves out declined when there are none, and says when a queue is empty', () => {
    assert.equal(progressLabel(progress([[item('pending', 1)]])), '0/1 done · 1 pending');
    assert.equal(progressLabel(progress([])), 'no items');
  });
});
