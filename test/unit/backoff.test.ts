import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../src/util/backoff';

describe('waiting between attempts', () => {
  it('doubles from the first wait up to the longest, and starts again after a reset', () => {
    const backoff = new Backoff(2_000, 60_000, () => 1);
    const waits = Array.from({ length: 7 }, () => backoff.next());
    assert.deepEqual(waits, [2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    backoff.reset();
    assert.equal(backoff.next(), 2_000);
  });

  it('takes up to a quarter off each wait, never more', () => {
    const backoff = new Backoff(2_000, 60_000, () => 0);
    assert.equal(backoff.next(), 1_500);
  });
});
