/** The trace panel's span list: which rows to draw, where to scroll, the timeline's extent. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assessmentCounts,
  barGeometry,
  rowWindow,
  scrollTopToShow,
  timelineEnd,
  visibleRows,
} from '../../webview/span-window';

const ROW = 32;

describe('the span list window', () => {
  it('draws the rows in view, part-shown ones included', () => {
    assert.deepEqual(visibleRows(0, 320, ROW, 1000), { start: 0, end: 10 });
    assert.deepEqual(visibleRows(16, 320, ROW, 1000), { start: 0, end: 11 });
    assert.deepEqual(visibleRows(320, 320, ROW, 1000), { start: 10, end: 20 });
  });

  it('stays inside the list, whatever the scroll position says', () => {
    assert.deepEqual(visibleRows(0, 320, ROW, 0), { start: 0, end: 0 });
    assert.deepEqual(visibleRows(0, 320, ROW, 3), { start: 0, end: 3 });
    assert.deepEqual(visibleRows(-50, 320, ROW, 3), { start: 0, end: 3 });
    // Scrolled past the end (the list shrank): the last row still shows.
    assert.deepEqual(visibleRows(1e9, 320, ROW, 5), { start: 4, end: 5 });
    // No height yet: one row, not none.
    assert.deepEqual(visibleRows(64, 0, ROW, 5), { start: 2, end: 3 });
  });

  it('draws a margin around them, and a bounded number of rows for 32 000 spans', () => {
    const count = 32_000;
    for (const scrollTop of [0, 5_000, 500_000, (count - 10) * ROW]) {
      const w = rowWindow(scrollTop, 700, ROW, count, 20);
      const visible = visibleRows(scrollTop, 700, ROW, count);
      assert.ok(w.start <= visible.start && w.end >= visible.end);
      assert.ok(w.end - w.start <= Math.ceil(700 / ROW) + 1 + 40, `${w.end - w.start} rows`);
      assert.ok(w.start >= 0 && w.end <= count);
    }
  });

  it('keeps what is drawn while it covers the rows in view (a small scroll redraws nothing)', () => {
    const drawn = rowWindow(3200, 320, ROW, 1000, 20);
    assert.deepEqual(drawn, { start: 80, end: 130 });
    assert.equal(rowWindow(3200 + 5 * ROW, 320, ROW, 1000, 20, drawn), drawn);
    const moved = rowWindow(3200 + 25 * ROW, 320, ROW, 1000, 20, drawn);
    assert.notEqual(moved, drawn);
    assert.deepEqual(moved, { start: 105, end: 155 });
    // A window from a longer list is not kept.
    assert.notEqual(rowWindow(0, 320, ROW, 20, 20, { start: 0, end: 40 }).end, 40);
  });

  it('scrolls as little as shows a row whole', () => {
    assert.equal(scrollTopToShow(5, 0, 320, ROW), 0, 'in view: no scroll');
    assert.equal(scrollTopToShow(20, 0, 320, ROW), 21 * ROW - 320, 'below: its bottom at the end');
    assert.equal(scrollTopToShow(2, 640, 320, ROW), 2 * ROW, 'above: its top at the top');
    assert.equal(scrollTopToShow(9, 0, 320, ROW), 0, 'the last row whole in view');
    assert.equal(scrollTopToShow(10, 0, 320, ROW), ROW);
  });
});

describe('the timeline', () => {
  it('ends at the latest end, an unfinished span at its start, in one pass', () => {
    assert.equal(timelineEnd([]), 0.001);
    assert.equal(
      timelineEnd([
        { startOffsetMs: 0, durationMs: 10 },
        { startOffsetMs: 5, durationMs: 20 },
        { startOffsetMs: 40, durationMs: null },
      ]),
      40,
    );
    // 200 000 spans: a spread into Math.max would overflow the stack.
    const many = Array.from({ length: 200_000 }, (_, i) => ({ startOffsetMs: i, durationMs: 1 }));
    assert.equal(timelineEnd(many), 200_000);
  });

  it('places a span’s bar, at least visible, an unfinished one to the end', () => {
    assert.deepEqual(barGeometry({ startOffsetMs: 25, durationMs: 50 }, 100), {
      left: 25,
      width: 50,
    });
    assert.equal(barGeometry({ startOffsetMs: 0, durationMs: 0 }, 100).width, 0.5);
    assert.deepEqual(barGeometry({ startOffsetMs: 60, durationMs: null }, 100), {
      left: 60,
      width: 40,
    });
  });

  it('counts valid assessments per span once, not per row', () => {
    const counts = assessmentCounts([
      { spanId: 'a', valid: true },
      { spanId: 'a', valid: true },
      { spanId: 'a', valid: false },
      { spanId: 'b', valid: true },
      { valid: true },
    ]);
    assert.deepEqual(
      [...counts],
      [
        ['a', 2],
        ['b', 1],
      ],
    );
  });
});
