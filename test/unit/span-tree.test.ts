/** The span tree from ids that need not be sound: repeats, cycles, chains thousands deep. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceInfo } from '../../src/mlflow/types';
import { spanKeys, spanTree, spansInTreeOrder } from '../../src/shared/span-tree';
import { buildSpanTree } from '../../src/tree/tree-model';
import type { SpanNode } from '../../src/tree/nodes';
import { asAssessmentId, asTraceId } from '../../src/mlflow/ids';
import { bareSpan } from '../support/spans';

interface S {
  spanId: string;
  parentSpanId: string | null;
  start: number;
}
const s = (spanId: string, parentSpanId: string | null, start = 0): S => ({
  spanId,
  parentSpanId,
  start,
});
const order = (spans: S[]) =>
  spansInTreeOrder(spans, (x) => x.start).map(({ span, depth }) => `${span.spanId}@${depth}`);

function chain(length: number): S[] {
  return Array.from({ length }, (_, i) => s(`s${i}`, i === 0 ? null : `s${i - 1}`, i));
}

describe('span tree', () => {
  it('orders children by start under their parents', () => {
    assert.deepEqual(order([s('c', 'a', 2), s('a', null, 0), s('b', 'a', 1)]), [
      'a@0',
      'b@1',
      'c@1',
    ]);
  });
  it('keeps the first of a repeated id in place; a later one is a root without children', () => {
    const spans = [s('a', null, 0), s('b', 'a', 1), s('b', 'a', 2), s('c', 'b', 3)];
    assert.deepEqual(order(spans), ['a@0', 'b@1', 'c@2', 'b@0']);
  });
  it('ends when a repeated id names itself as parent', () => {
    assert.deepEqual(order([s('a', null, 0), s('a', 'a', 1)]), ['a@0', 'a@0']);
  });
  it('makes the spans of a cycle roots, and keeps what hangs under them', () => {
    const spans = [s('a', 'b', 0), s('b', 'a', 1), s('c', 'a', 2), s('d', 'd', 3)];
    const tree = spanTree(spans, (x) => x.start);
    assert.deepEqual(
      tree.roots.map((x) => x.spanId),
      ['a', 'b', 'd'],
    );
    assert.deepEqual(order(spans), ['a@0', 'c@1', 'b@0', 'd@0']);
  });
  it('places every span exactly once', () => {
    const spans = [s('a', 'c', 0), s('b', 'a', 1), s('c', 'b', 2), s('d', 'c', 3), s('a', 'd', 4)];
    const out = order(spans);
    assert.equal(out.length, spans.length);
  });
  it('keys each span apart, a repeated id too, without taking another span’s own id', () => {
    const spans = [s('a', null), s('a#2', null), s('a', null), s('a', 'a'), s('b', null)];
    const keys = spanKeys(spans);
    assert.deepEqual(
      spans.map((x) => keys.get(x)),
      ['a', 'a#2', 'a#3', 'a#4', 'b'],
    );
    assert.equal(new Set(keys.values()).size, spans.length);
  });
  it('walks a chain 10 000 spans deep without recursion', () => {
    const out = order(chain(10_000));
    assert.equal(out.length, 10_000);
    assert.equal(out[9_999], 's9999@9999');
  });
  it('walks a cycle 10 000 spans long', () => {
    const spans = chain(10_000);
    spans[0] = s('s0', 's9999', 0);
    assert.equal(order(spans).length, 10_000);
  });
});

describe("the tree view's span rows", () => {
  const span = bareSpan;
  const trace: TraceInfo = {
    traceId: asTraceId('tr-1'),
    requestTime: '2025-01-01T00:00:00Z',
    state: 'OK',
    metadata: {},
    tags: {},
    assessments: [
      {
        kind: 'feedback',
        assessmentId: asAssessmentId('a-1'),
        traceId: asTraceId('tr-1'),
        name: 'q',
        source: { sourceType: 'HUMAN' },
        spanId: 'b',
        createTime: 't',
        lastUpdateTime: 't',
        metadata: {},
        valid: true,
        value: 1,
      },
    ],
  };
  function rows(nodes: SpanNode[]): string[] {
    const out: string[] = [];
    const stack = [...nodes].reverse();
    for (let n = stack.pop(); n; n = stack.pop()) {
      out.push(`${n.key}:${n.assessments.length}`);
      stack.push(...[...n.children].reverse());
    }
    return out;
  }
  it('builds a chain 10 000 spans deep', () => {
    const spans = Array.from({ length: 10_000 }, (_, i) =>
      span(`s${i}`, i === 0 ? null : `s${i - 1}`, i),
    );
    const roots = buildSpanTree(spans, trace);
    assert.equal(rows(roots).length, 10_000);
  });
  it('gives a repeated id its own row key, and its assessments to the first only', () => {
    const spans = [span('a', null, 0), span('b', 'a', 1), span('b', 'a', 2), span('b', 'b', 3)];
    const keys = rows(buildSpanTree(spans, trace));
    assert.deepEqual(keys, ['a:0', 'b:1', 'b#2:0', 'b#3:0']);
  });
  it('ends on a cycle of parent ids', () => {
    const spans = [span('a', 'b', 0), span('b', 'a', 1)];
    assert.deepEqual(rows(buildSpanTree(spans, trace)), ['a:0', 'b:1']);
  });
});
