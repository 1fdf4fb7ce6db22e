import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ShownAges } from '../../src/tree/shown-ages';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const minutes = (n: number) => t0 + n * 60_000;

describe('the ages shown in the tree', () => {
  it('redraws only the rows whose age reads differently since they were drawn', () => {
    const ages = new ShownAges<string>();
    ages.note('recent', new Date(minutes(-2)).toISOString(), t0); // 2 min ago
    ages.note('old', new Date(minutes(-60 * 30)).toISOString(), t0); // 30 h ago
    assert.deepEqual(
      ages.stale(t0, () => true),
      [],
      'nothing changed yet',
    );
    assert.deepEqual(
      ages.stale(minutes(1), () => true),
      ['recent'],
      '3 min ago now',
    );
    assert.deepEqual(
      ages.stale(minutes(1), () => true),
      [],
      'noted as redrawn',
    );
  });

  it('forgets rows that left the tree, and everything on a full redraw', () => {
    const ages = new ShownAges<string>();
    ages.note('gone', new Date(minutes(-2)).toISOString(), t0);
    ages.note('kept', new Date(minutes(-2)).toISOString(), t0);
    assert.deepEqual(
      ages.stale(minutes(5), (row) => row === 'kept'),
      ['kept'],
    );
    ages.note('gone', new Date(minutes(-2)).toISOString(), t0);
    ages.clear();
    assert.deepEqual(
      ages.stale(minutes(10), () => true),
      [],
    );
  });
});
