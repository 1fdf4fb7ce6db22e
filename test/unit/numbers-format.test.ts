/**
 * Durations, money and token counts as people read them: one rounding for the tree, its hovers
 * and the trace panel (src/shared/format.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatCallMetrics,
  formatCost,
  formatDuration,
  formatTokens,
  formatTokensLong,
  formatTokensShort,
  spanDurationMs,
} from '../../src/shared/format';

describe('formatDuration', () => {
  it('shows nothing for what is not a duration', () => {
    for (const ms of [undefined, null, Number.NaN, Infinity, -Infinity, -1, -0.0001])
      assert.equal(formatDuration(ms), '', String(ms));
  });
  it('shows zero as 0 ms', () => {
    assert.equal(formatDuration(0), '0 ms');
  });
  it('shows under a millisecond in µs, and "< 1 µs" below that (never "0 ms")', () => {
    assert.equal(formatDuration(0.0001), '< 1 µs');
    assert.equal(formatDuration(0.0004), '< 1 µs');
    assert.equal(formatDuration(0.0005), '1 µs');
    assert.equal(formatDuration(0.25), '250 µs');
    assert.equal(formatDuration(0.9994), '999 µs');
  });
  it('shows milliseconds below a second, rounded, without reading "1000 ms"', () => {
    assert.equal(formatDuration(0.9996), '1 ms');
    assert.equal(formatDuration(1), '1 ms');
    assert.equal(formatDuration(12.4), '12 ms');
    assert.equal(formatDuration(250), '250 ms');
    assert.equal(formatDuration(999.4), '999 ms');
    assert.equal(formatDuration(999.6), '1.00 s');
  });
  it('shows seconds with two decimals below a minute, without reading "60.00 s"', () => {
    assert.equal(formatDuration(1000), '1.00 s');
    assert.equal(formatDuration(1234), '1.23 s');
    assert.equal(formatDuration(1500), '1.50 s');
    assert.equal(formatDuration(12_345), '12.35 s');
    assert.equal(formatDuration(59_994), '59.99 s');
    assert.equal(formatDuration(59_996), '1 min 0 s');
  });
  it('shows minutes and seconds, then hours and minutes', () => {
    assert.equal(formatDuration(60_000), '1 min 0 s');
    assert.equal(formatDuration(125_000), '2 min 5 s');
    assert.equal(formatDuration(3_599_400), '59 min 59 s');
    assert.equal(formatDuration(3_599_600), '1 h 0 min');
    assert.equal(formatDuration(12_000_000), '3 h 20 min');
  });
  it('shows huge durations whole', () => {
    assert.equal(formatDuration(1e10), '2,777 h 47 min');
    assert.match(formatDuration(Number.MAX_SAFE_INTEGER), /^[\d,]+ h \d+ min$/);
  });
  it('keeps a span’s sub-millisecond part (bigint nanoseconds)', () => {
    const start = 1_700_000_000_000_000_000n;
    assert.equal(
      spanDurationMs({ startTimeUnixNano: start, endTimeUnixNano: start + 250_000n }),
      0.25,
    );
    assert.equal(spanDurationMs({ startTimeUnixNano: start, endTimeUnixNano: null }), undefined);
    assert.equal(
      formatDuration(
        spanDurationMs({ startTimeUnixNano: start, endTimeUnixNano: start + 1_499_999_999n }),
      ),
      '1.50 s',
    );
  });
});

describe('formatCost', () => {
  it('shows nothing for what is not an amount', () => {
    for (const usd of [undefined, null, Number.NaN, Infinity, -Infinity, -0.5])
      assert.equal(formatCost(usd), '', String(usd));
  });
  it('shows zero as $0', () => {
    assert.equal(formatCost(0), '$0');
  });
  it('shows MLflow’s sums without float noise, to three significant digits', () => {
    assert.equal(formatCost(0.000010199999999999999), '$0.0000102');
    assert.equal(formatCost(4.4999999999999996e-5), '$0.000045');
    assert.equal(formatCost(0.0012), '$0.0012');
    assert.equal(formatCost(0.00123456), '$0.00123');
    assert.equal(formatCost(0.1 + 0.2), '$0.30');
    assert.equal(formatCost(0.5), '$0.50');
    assert.equal(formatCost(0.999), '$0.999');
    assert.equal(formatCost(0.000999999), '$0.001');
  });
  it('shows what rounds to nothing as "< $0.000001"', () => {
    assert.equal(formatCost(0.000001), '$0.000001');
    assert.equal(formatCost(0.00000099), '< $0.000001');
    assert.equal(formatCost(1e-12), '< $0.000001');
    assert.equal(formatCost(Number.MIN_VALUE), '< $0.000001');
  });
  it('shows dollars with cents, grouped', () => {
    assert.equal(formatCost(0.9996), '$1.00');
    assert.equal(formatCost(1), '$1.00');
    assert.equal(formatCost(12.345), '$12.35');
    assert.equal(formatCost(1234.5), '$1,234.50');
    assert.equal(formatCost(1e12), '$1,000,000,000,000.00');
  });
});

describe('token counts', () => {
  it('are grouped by thousands, whole', () => {
    assert.equal(formatTokens(0), '0');
    assert.equal(formatTokens(999), '999');
    assert.equal(formatTokens(1234), '1,234');
    assert.equal(formatTokens(1_234_567), '1,234,567');
    assert.equal(formatTokens(12.6), '13');
    assert.equal(formatTokens(1e21), '1,000,000,000,000,000,000,000');
  });
  it('show nothing when they are not counts', () => {
    for (const n of [undefined, null, Number.NaN, Infinity, -1])
      assert.equal(formatTokens(n), '', String(n));
  });
  it('read "in→out tok" in a row, else the total', () => {
    assert.equal(formatTokensShort({ input: 120, output: 45, total: 165 }), '120→45 tok');
    assert.equal(formatTokensShort({ input: 12_000, output: 4_500 }), '12,000→4,500 tok');
    assert.equal(formatTokensShort({ total: 165 }), '165 tok');
    assert.equal(formatTokensShort({ input: 120 }), '120 in tok');
    assert.equal(formatTokensShort({ output: 45 }), '45 out tok');
    assert.equal(formatTokensShort({ input: 0, output: 0, total: 0 }), '0→0 tok');
    assert.equal(formatTokensShort({}), '');
    assert.equal(formatTokensShort(undefined), '');
    assert.equal(formatTokensShort({ input: -1, output: Number.NaN }), '');
  });
  it('read "in · out · total" in a header', () => {
    assert.equal(
      formatTokensLong({ input: 1200, output: 45, total: 1245 }),
      '1,200 in · 45 out · 1,245 total',
    );
    assert.equal(formatTokensLong({ total: 7 }), '7 total');
    assert.equal(formatTokensLong({ input: -3, total: 7 }), '7 total');
    assert.equal(formatTokensLong({}), '');
    assert.equal(formatTokensLong(undefined), '');
  });
});

describe('an LLM call’s metrics on one line', () => {
  it('reads model · tokens · cost, each part only if known', () => {
    assert.equal(
      formatCallMetrics({
        model: 'gpt-4o-mini',
        tokens: { input: 120, output: 45, total: 165 },
        cost: 0.0012,
      }),
      'gpt-4o-mini · 120→45 tok · $0.0012',
    );
    assert.equal(formatCallMetrics({ model: 'gpt-4o-mini' }), 'gpt-4o-mini');
    assert.equal(formatCallMetrics({ cost: 0.000010199999999999999 }), '$0.0000102');
    assert.equal(formatCallMetrics({}), '');
  });
});
