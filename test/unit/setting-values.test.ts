import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refreshSeconds, whole } from '../../src/connection/setting-values';

describe('numbers from settings.json', () => {
  it('rounds and bounds them, and falls back on anything that is not a number', () => {
    assert.equal(whole(2.01, 30, 1, 600), 2, 'a fractional timeout would make undici throw');
    assert.equal(whole(0.2, 30, 1, 600), 1);
    assert.equal(whole(1e12, 30, 1, 600), 600);
    assert.equal(whole('45', 30, 1, 600), 30);
    assert.equal(whole(Number.NaN, 30, 1, 600), 30);
    assert.equal(whole(undefined, 30, 1, 600), 30);
  });

  it('turns polling off at 0 and never polls more often than every 2 s', () => {
    assert.equal(refreshSeconds(0), 0);
    assert.equal(refreshSeconds(-5), 0);
    assert.equal(refreshSeconds(0.001), 2, 'back-to-back polling before');
    assert.equal(refreshSeconds(10.4), 10);
    assert.equal(refreshSeconds(null), 10);
  });
});
