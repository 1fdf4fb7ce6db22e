/**
 * A span with tens of thousands of children opens as bounded rows: the first RANGE_SIZE, then
 * ranges, nested when there would be more ranges than a row may list. Synthetic spans, no server;
 * the same through the tree model, and paging, against a real server: test/store/tree-paging.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asExperimentId, asTraceId } from '../../src/mlflow/ids';
import type { Span, TraceInfo } from '../../src/mlflow/types';
import { SpansGroupNode, type SpanNode, type SpanRangeNode } from '../../src/tree/nodes';
import { RANGE_SIZE, rangeLabel, rowsInRanges } from '../../src/tree/ranges';
import { buildSpanTree, spanRows } from '../../src/tree/tree-model';
import { bareSpan } from '../support/spans';

const EXPERIMENT_ID = asExperimentId('7');

describe('span ranges', () => {
  const trace: TraceInfo = {
    traceId: asTraceId('tr-0'),
    experimentId: EXPERIMENT_ID,
    requestTime: new Date(Date.UTC(2025, 0, 1)).toISOString(),
    state: 'OK',
    metadata: {},
    tags: {},
    assessments: [],
  };
  const span = (spanId: string, parentSpanId: string | null, start: number): Span =>
    bareSpan(spanId, parentSpanId, start, trace.traceId);

  /** Every span under `rows`, depth first, checking parents and that no row lists too many. */
  function walk(rows: (SpanNode | SpanRangeNode)[], parent: unknown, out: string[]): void {
    assert.ok(rows.length <= 2 * RANGE_SIZE, `a row lists ${rows.length}`);
    for (const row of rows) {
      assert.ok(row.parent === parent, `the parent of ${row.key}`);
      if (row.kind === 'span') {
        out.push(row.span.spanId);
        walk(row.rows, row, out);
      } else {
        assert.ok(row.rows.length <= RANGE_SIZE, `a range lists ${row.rows.length}`);
        walk(row.rows, row, out);
      }
    }
  }

  it('lists an agent of 32 000 spans under one parent in bounded rows', () => {
    const spans = [span('root', null, 0)];
    for (let i = 0; i < 32_000; i++) spans.push(span(`c${i}`, 'root', i + 1));
    for (let i = 0; i < 700; i++) spans.push(span(`g${i}`, 'c0', i + 1));
    const roots = buildSpanTree(spans, trace);
    assert.equal(roots.length, 1);
    const [root] = roots;
    assert.ok(root);
    assert.equal(root.children.length, 32_000);
    assert.equal(root.rows.length, RANGE_SIZE + Math.ceil((32_000 - RANGE_SIZE) / RANGE_SIZE));
    const range = root.rows[RANGE_SIZE];
    assert.ok(range?.kind === 'spanRange');
    assert.equal(range.start, RANGE_SIZE);
    assert.equal(rangeLabel(range.start, range.end), '501–1,000');
    const out: string[] = [];
    const group = new SpansGroupNode(trace);
    const rows = spanRows(roots, group);
    walk(rows, group, out);
    assert.deepEqual(out, [
      'root',
      'c0',
      ...Array.from({ length: 700 }, (_, i) => `g${i}`),
      ...Array.from({ length: 31_999 }, (_, i) => `c${i + 1}`),
    ]);
    // Range ids are unique in the trace.
    const keys = new Set<string>();
    const collect = (r: (SpanNode | SpanRangeNode)[]) => {
      for (const row of r) {
        if (row.kind === 'spanRange') {
          assert.ok(!keys.has(row.key), row.key);
          keys.add(row.key);
        }
        collect(row.rows);
      }
    };
    collect(rows);
    assert.ok(keys.size > 60);
  });

  it('nests ranges when there are more ranges than a row may list', () => {
    const count = RANGE_SIZE * RANGE_SIZE * 2;
    const items = Array.from({ length: count }, (_, i) => i);
    type Range = { start: number; end: number; rows: (number | Range)[] };
    const rows = rowsInRanges<number, Range>(items, RANGE_SIZE, (start, end, r) => ({
      start,
      end,
      rows: r,
    }));
    assert.ok(rows.length <= 2 * RANGE_SIZE);
    const seen: number[] = [];
    const visit = (r: (number | Range)[]) => {
      assert.ok(r.length <= 2 * RANGE_SIZE);
      for (const row of r)
        if (typeof row === 'number') seen.push(row);
        else visit(row.rows);
    };
    visit(rows);
    assert.equal(seen.length, count);
    assert.ok(seen.every((v, i) => v === i));
  });
});
