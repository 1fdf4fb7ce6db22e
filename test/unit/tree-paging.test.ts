/**
 * The tree's cost per page of "Load more" stays flat however many traces are loaded, and a span
 * with tens of thousands of children opens as bounded rows. The store and the tree's logic run
 * as shipped; only the server is a stand-in (an in-memory list paged by offset), so that 200
 * pages take no time and each request can be counted. Structural, never timed: what is counted
 * is what VS Code would list again, the nodes named to onDidChange and the children they list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MlflowClient } from '../../src/mlflow/client';
import { asExperimentId, asTraceId } from '../../src/mlflow/ids';
import type { Experiment, Span, TraceInfo } from '../../src/mlflow/types';
import { TraceStore } from '../../src/store/trace-store';
import {
  SpansGroupNode,
  type SpanNode,
  type SpanRangeNode,
  type TreeNode,
} from '../../src/tree/nodes';
import { RANGE_SIZE, rangeLabel, rowsInRanges } from '../../src/tree/ranges';
import { buildSpanTree, spanRows, TraceTreeModel } from '../../src/tree/tree-model';

const EXPERIMENT: Experiment = {
  experimentId: asExperimentId('7'),
  name: 'big',
  lifecycleStage: 'active',
  tags: {},
};
const PAGE_SIZE = 50;
const PAGES = 200;

function traceAt(i: number): TraceInfo {
  return {
    traceId: asTraceId(`tr-${i}`),
    experimentId: EXPERIMENT.experimentId,
    requestTime: new Date(Date.UTC(2025, 0, 1) - i * 1000).toISOString(),
    state: 'OK',
    metadata: {},
    tags: {},
    assessments: [],
  };
}

/** A server of `count` traces, newest first, paged by offset; counts its searches. */
class FakeServer {
  searches = 0;
  traces: TraceInfo[];
  constructor(count: number) {
    this.traces = Array.from({ length: count }, (_, i) => traceAt(i));
  }
  client(): MlflowClient {
    const fake = {
      searchExperiments: () => Promise.resolve({ items: [EXPERIMENT] }),
      searchTraces: (input: { maxResults: number; pageToken?: string }) => {
        this.searches++;
        const start = input.pageToken ? Number(input.pageToken) : 0;
        const end = start + input.maxResults;
        return Promise.resolve({
          items: this.traces.slice(start, end),
          ...(end < this.traces.length ? { nextPageToken: String(end) } : {}),
        });
      },
    };
    return fake as unknown as MlflowClient;
  }
}

function setUp(count: number) {
  const server = new FakeServer(count);
  const connection = {
    client: server.client(),
    state: { kind: 'connected' },
    settings: {
      experiments: [],
      pageSize: PAGE_SIZE,
      trackingUri: { url: 'http://127.0.0.1:5000' },
    },
    noteFailure: (error: unknown) => {
      throw error;
    },
  };
  const store = new TraceStore(connection);
  const tree = new TraceTreeModel(store, connection);
  return { server, store, tree };
}

/** Every trace row under the experiment, in the order shown (ranges opened). */
async function shownTraces(tree: TraceTreeModel, experiment: TreeNode): Promise<string[]> {
  const ids: string[] = [];
  for (const row of await tree.getChildren(experiment)) {
    if (row.kind === 'trace') ids.push(row.traceId);
    else if (row.kind === 'traceRange')
      for (const inner of await tree.getChildren(row))
        if (inner.kind === 'trace') ids.push(inner.traceId);
  }
  return ids;
}

describe('paging the tree', () => {
  it('costs the same per page after 10 000 traces as after the first 50', async () => {
    const { server, store, tree } = setUp(PAGES * PAGE_SIZE);
    const [experiment] = await tree.getChildren();
    assert.ok(experiment?.kind === 'experiment');
    const first = await tree.getChildren(experiment);
    assert.equal(first.length, PAGE_SIZE + 1);
    assert.equal(first.at(-1)?.kind, 'loadMore');
    assert.equal(server.searches, 1);
    const firstPage = first.filter((n) => n.kind === 'trace');

    let fired: (readonly TreeNode[] | undefined)[] = [];
    tree.onDidChange((nodes) => fired.push(nodes));
    const listedPerPage: number[] = [];
    for (let page = 2; page <= PAGES; page++) {
      fired = [];
      await store.loadMore(EXPERIMENT.experimentId);
      assert.equal(server.searches, page, `one request for page ${page}`);
      // What VS Code would list again: the rows named, and the children of each.
      assert.equal(fired.length, 1, `one change for page ${page}`);
      const named = fired[0];
      assert.ok(named, `page ${page} names rows, not the whole tree`);
      assert.ok(named.length <= 2, `page ${page} names ${named.length} rows`);
      let listed = named.length;
      for (const node of named) listed += (await tree.getChildren(node)).length;
      listedPerPage.push(listed);
      // The page's traces are among the rows listed (in the range they landed in).
      const newest = server.traces[page * PAGE_SIZE - 1];
      const node = newest && tree.traceNode(newest.traceId);
      assert.ok(node, `page ${page}'s last trace has a node`);
      // Under a row named, or under a range new to VS Code that a row named lists.
      const parent = tree.getParent(node);
      assert.ok(parent, `page ${page}'s last trace has a parent`);
      const grandparent = tree.getParent(parent);
      assert.ok(
        named.includes(parent) || (grandparent && named.includes(grandparent)),
        `page ${page}'s rows are under a row named`,
      );
      assert.ok((await tree.getChildren(parent)).includes(node));
    }
    // Bounded by the size of a range (and the ranges the experiment lists), not the total.
    const bound = 2 * RANGE_SIZE + 2;
    assert.ok(
      listedPerPage.every((n) => n <= bound),
      `rows listed per page: at most ${Math.max(...listedPerPage)}`,
    );
    const firstTen = listedPerPage.slice(0, 10).reduce((a, b) => a + b, 0);
    const lastTen = listedPerPage.slice(-10).reduce((a, b) => a + b, 0);
    assert.ok(
      lastTen <= 1.3 * firstTen,
      `rows listed: first ten pages ${firstTen}, last ${lastTen}`,
    );

    // Everything loaded is shown once, in the server's order, under the newest RANGE_SIZE.
    const rows = await tree.getChildren(experiment);
    assert.equal(rows.filter((n) => n.kind === 'trace').length, RANGE_SIZE);
    const ranges = rows.filter((n) => n.kind === 'traceRange');
    assert.equal(ranges.length, (PAGES * PAGE_SIZE) / RANGE_SIZE - 1);
    assert.equal(rows.at(-1)?.kind, 'traceRange', 'no Load more after the last page');
    assert.deepEqual(
      await shownTraces(tree, experiment),
      server.traces.map((t) => t.traceId),
    );
    // The rows of the first page are the same objects: expanded and selected rows stay so.
    assert.ok(firstPage.every((node, i) => rows[i] === node));
    for (const range of ranges) {
      assert.equal(tree.getParent(range), experiment);
      assert.equal(range.traces.length, RANGE_SIZE);
      assert.equal(range.first, RANGE_SIZE * range.index + 1);
    }
    assert.deepEqual(tree.unratedCount(), {
      count: PAGES * PAGE_SIZE,
      loaded: PAGES * PAGE_SIZE,
    });
    tree.dispose();
  });

  it('names only the Load more row when a page adds nothing but hidden traces', async () => {
    const { store, tree } = setUp(3 * PAGE_SIZE);
    const [experiment] = await tree.getChildren();
    assert.ok(experiment);
    await tree.getChildren(experiment);
    const list = store.list(EXPERIMENT.experimentId);
    assert.ok(list);
    const fired: (readonly TreeNode[] | undefined)[] = [];
    tree.onDidChange((nodes) => fired.push(nodes));
    // As a local filter does: the page's traces are counted as hidden, none is added.
    list.hiddenCount = 7;
    store['changed'].fire({ kind: 'list', experimentId: EXPERIMENT.experimentId });
    assert.equal(fired.length, 1);
    assert.deepEqual(
      fired[0]?.map((n) => n.kind),
      ['loadMore'],
    );
    tree.dispose();
  });

  it('keeps the ranges as they are when a poll merges newer traces in at the top', async () => {
    const { server, store, tree } = setUp(30 * PAGE_SIZE);
    const [experiment] = await tree.getChildren();
    assert.ok(experiment);
    await tree.getChildren(experiment);
    for (let page = 2; page <= 12; page++) await store.loadMore(EXPERIMENT.experimentId);
    const before = await tree.getChildren(experiment);
    const range = before.find((n) => n.kind === 'traceRange');
    assert.ok(range?.kind === 'traceRange');
    const inRange = [...range.traces];
    const fresh = [traceAt(-2), traceAt(-1)];
    server.traces.unshift(...fresh);
    const fired: (readonly TreeNode[] | undefined)[] = [];
    tree.onDidChange((nodes) => fired.push(nodes));
    assert.equal(await store.pollNewest(EXPERIMENT.experimentId), 2);
    assert.deepEqual(fired, [[experiment]]);
    const after = await tree.getChildren(experiment);
    assert.deepEqual(
      after.slice(0, 2).map((n) => n.kind === 'trace' && n.traceId),
      fresh.map((t) => t.traceId),
    );
    assert.deepEqual(range.traces, inRange, 'the range keeps its traces');
    assert.equal(range.first, RANGE_SIZE + 3, 'and says where they are now');
    assert.equal(after.filter((n) => n.kind === 'trace').length, RANGE_SIZE + 2);
    // The next page still lands in the last range only.
    fired.length = 0;
    await store.loadMore(EXPERIMENT.experimentId);
    assert.equal(fired.length, 1);
    assert.deepEqual(
      fired[0]?.map((n) => n.kind),
      ['traceRange'],
    );
    tree.dispose();
  });
});

describe('span ranges', () => {
  const trace = traceAt(0);
  const span = (spanId: string, parentSpanId: string | null, start: number): Span => ({
    traceId: trace.traceId,
    spanId,
    parentSpanId,
    name: spanId,
    startTimeUnixNano: BigInt(start),
    endTimeUnixNano: null,
    status: { code: 'STATUS_CODE_OK', message: '' },
    attributes: {},
    events: [],
  });

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

  it('shows the ranges through the tree model, with their parents for reveal', async () => {
    const spans = [span('root', null, 0)];
    for (let i = 0; i < 1_200; i++) spans.push(span(`c${i}`, 'root', i + 1));
    const connection = {
      client: {
        getTraceSpansSized: () => Promise.resolve({ spans, bytes: 1 }),
      } as unknown as MlflowClient,
      state: { kind: 'connected' },
      settings: { experiments: [], pageSize: 1, trackingUri: { url: 'http://x' } },
      noteFailure: () => undefined,
    };
    const tree = new TraceTreeModel(new TraceStore(connection), connection);
    const traceNode = tree.nodeForTrace(trace, EXPERIMENT.experimentId);
    const group = (await tree.getChildren(traceNode)).find((n) => n.kind === 'spans');
    assert.ok(group);
    const [root] = await tree.getChildren(group);
    assert.ok(root?.kind === 'span');
    const rows = await tree.getChildren(root);
    assert.deepEqual(
      rows.slice(RANGE_SIZE).map((n) => n.kind === 'spanRange' && [n.start, n.end]),
      [
        [500, 1000],
        [1000, 1200],
      ],
    );
    const last = rows.at(-1);
    assert.ok(last);
    const inner = await tree.getChildren(last);
    assert.equal(inner.length, 200);
    assert.ok(tree.getParent(inner[0] as TreeNode) === last, 'a span in a range has it as parent');
    assert.ok(tree.getParent(last) === root, 'a range has the span as parent');
    // The Spans row lists the same objects again (made once per trace).
    assert.equal((await tree.getChildren(group))[0], root);
    tree.dispose();
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
