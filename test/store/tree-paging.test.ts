/**
 * The tree's cost per page of "Load more" stays flat however many traces are loaded. The store
 * and the tree's logic run as shipped, against a real MLflow server whose database
 * python/bench_seed.py fills with trace infos through MLflow's own SQL store (fast, no spans, no
 * assessments). Small pages, small ranges and small blocks of ranges, so that a few hundred
 * traces make dozens of pages, many ranges and a few blocks. Structural, never timed: what is counted is the search requests the client
 * sends and what VS Code would list again, the nodes named to onDidChange and the children they
 * list.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { MlflowClient } from '../../src/mlflow/client';
import { asExperimentId, asTraceId, type TraceId } from '../../src/mlflow/ids';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { TraceStore, type StoreConnection } from '../../src/store/trace-store';
import type { TreeNode } from '../../src/tree/nodes';
import { TraceTreeModel } from '../../src/tree/tree-model';
import { pythonPath, repoRoot } from '../support/env';
import { PythonSdk } from '../support/python-sdk';
import { startServer } from '../support/servers';

const EXPERIMENT = 'paging';
const PAGE_SIZE = 5;
const RANGE_SIZE = 20;
const RANGES_PER_BLOCK = 3;
const TRACES = 240;
const PAGES = TRACES / PAGE_SIZE;

let server: MlflowServer;
let sdk: PythonSdk;
let client: MlflowClient;
/** Search requests the client has sent. */
let searches = 0;
let seeded: { experiment_id: string; seconds: number };
/** How long seeding took, with Python's start and mlflow's import. */
let seedingSeconds = 0;

class TestConnection implements StoreConnection {
  readonly state = { kind: 'connected' };
  readonly settings = {
    experiments: [EXPERIMENT],
    pageSize: PAGE_SIZE,
    trackingUri: { url: '' },
  };
  constructor(readonly client: MlflowClient) {
    this.settings.trackingUri.url = client.baseUrl;
  }
  noteFailure(error: unknown): void {
    throw error;
  }
}

before(async () => {
  server = await startServer();
  // Imports mlflow while the traces are seeded: it makes the newer traces a poll finds.
  sdk = new PythonSdk(server.url);
  client = new MlflowClient({
    baseUrl: server.url,
    onRequest: (entry) => {
      if (entry.path.endsWith('/traces/search')) searches++;
    },
  });
  const started = performance.now();
  const { stdout } = await promisify(execFile)(pythonPath(), [
    path.join(repoRoot(), 'python', 'bench_seed.py'),
    ...['--tracking-uri', server.url, '--experiment', EXPERIMENT],
    ...['--traces', String(TRACES), '--no-assessments'],
    // MLflow's SQL store on the server's own database: much faster than its REST API.
    ...['--store-uri', server.backendStoreUri],
  ]);
  seeded = JSON.parse(stdout) as typeof seeded;
  seedingSeconds = (performance.now() - started) / 1000;
});

after(async () => {
  sdk.close();
  await client.close();
  await server.stop();
});

function setUp() {
  const connection = new TestConnection(client);
  const store = new TraceStore(connection);
  const tree = new TraceTreeModel(store, connection, {
    rangeSize: RANGE_SIZE,
    rangesPerBlock: RANGES_PER_BLOCK,
  });
  return { store, tree };
}

const experimentId = () => asExperimentId(seeded.experiment_id);

/** The experiment's trace ids in the server's order, newest first, in one request. */
async function serverOrder(): Promise<TraceId[]> {
  const page = await client.searchTraces({ experimentIds: [experimentId()], maxResults: 500 });
  assert.equal(page.nextPageToken, undefined);
  return page.items.map((t) => t.traceId);
}

/** Every trace row under a row, in the order shown (ranges and blocks opened). */
async function shownTraces(tree: TraceTreeModel, node: TreeNode): Promise<string[]> {
  const ids: string[] = [];
  for (const row of await tree.getChildren(node)) {
    if (row.kind === 'trace') ids.push(row.traceId);
    else if (row.kind === 'traceRange' || row.kind === 'traceBlock')
      ids.push(...(await shownTraces(tree, row)));
  }
  return ids;
}

/** The rows VS Code lists again when a row is refreshed: its children, and below each open one. */
async function relisted(tree: TraceTreeModel, node: TreeNode): Promise<number> {
  const children = await tree.getChildren(node);
  let listed = children.length;
  for (const child of children)
    if ((child.kind === 'traceRange' || child.kind === 'traceBlock') && !child.folded)
      listed += await relisted(tree, child);
  return listed;
}

/** The row and the rows above it. */
function ancestors(tree: TraceTreeModel, node: TreeNode): TreeNode[] {
  const rows: TreeNode[] = [];
  for (let row: TreeNode | undefined = node; row; row = tree.getParent(row)) rows.push(row);
  return rows;
}

describe('paging the tree', () => {
  it(`costs the same per page after ${TRACES} traces as after the first ${PAGE_SIZE}`, async (t) => {
    t.diagnostic(
      `seeded ${TRACES} traces in ${seeded.seconds} s, ${seedingSeconds.toFixed(1)} s with Python's start`,
    );
    const order = await serverOrder();
    assert.equal(order.length, TRACES);
    const { store, tree } = setUp();
    const [experiment] = await tree.getChildren();
    assert.ok(experiment?.kind === 'experiment');
    searches = 0;
    const first = await tree.getChildren(experiment);
    assert.equal(first.length, PAGE_SIZE + 1);
    assert.equal(first.at(-1)?.kind, 'loadMore');
    assert.equal(searches, 1);
    const firstPage = first.filter((n) => n.kind === 'trace');

    let fired: (readonly TreeNode[] | undefined)[] = [];
    tree.onDidChange((nodes) => fired.push(nodes));
    const listedPerPage: number[] = [];
    for (let page = 2; page <= PAGES; page++) {
      fired = [];
      await store.loadMore(experimentId());
      assert.equal(searches, page, `one request for page ${page}`);
      // What VS Code would list again: the rows named, their children, and the children of
      // every row below them that is open (a range not folded), as VS Code does.
      assert.equal(fired.length, 1, `one change for page ${page}`);
      const named = fired[0];
      assert.ok(named, `page ${page} names rows, not the whole tree`);
      assert.ok(named.length <= 2, `page ${page} names ${named.length} rows`);
      let listed = named.length;
      for (const node of named) listed += await relisted(tree, node);
      listedPerPage.push(listed);
      // The page's traces are among the rows listed (in the range they landed in).
      const oldest = order[page * PAGE_SIZE - 1];
      const node = oldest && tree.traceNode(oldest);
      assert.ok(node, `page ${page}'s last trace has a node`);
      // Under a row named (its range, or a block or the experiment that lists a new range).
      const parent = tree.getParent(node);
      assert.ok(parent, `page ${page}'s last trace has a parent`);
      assert.ok(
        ancestors(tree, parent).some((row) => named.includes(row)),
        `page ${page}'s rows are under a row named`,
      );
      assert.ok((await tree.getChildren(parent)).includes(node));
    }
    // Bounded by the rows the experiment lists (its newest traces, its ranges, a row per block,
    // Load more), the open block and the open range, not by the traces loaded: folded ranges
    // and blocks are not listed again.
    const blocks = Math.ceil((TRACES / RANGE_SIZE - 1 - RANGES_PER_BLOCK) / RANGES_PER_BLOCK);
    const bound = 2 * RANGE_SIZE + 2 * RANGES_PER_BLOCK + blocks + 1;
    assert.ok(
      listedPerPage.every((n) => n <= bound),
      `rows listed per page: at most ${Math.max(...listedPerPage)} (${listedPerPage.join(' ')})`,
    );
    // Once ranges go into blocks, a new range costs a block's rows, not the experiment's: the
    // last pages list no more than the first. The last page is left out: it takes Load more
    // away, so the experiment and what is open below it are listed again once, at the end.
    t.diagnostic(`rows listed per page: ${listedPerPage.join(' ')}`);
    const firstTen = listedPerPage.slice(0, 10).reduce((a, b) => a + b, 0);
    const lastTen = listedPerPage.slice(-11, -1).reduce((a, b) => a + b, 0);
    assert.ok(lastTen <= firstTen, `rows listed: first ten pages ${firstTen}, last ${lastTen}`);

    // Everything loaded is shown once, in the server's order, under the newest RANGE_SIZE.
    const rows = await tree.getChildren(experiment);
    assert.equal(rows.filter((n) => n.kind === 'trace').length, RANGE_SIZE);
    const direct = rows.filter((n) => n.kind === 'traceRange');
    assert.equal(direct.length, RANGES_PER_BLOCK);
    const blockRows = rows.filter((n) => n.kind === 'traceBlock');
    assert.equal(blockRows.length, blocks);
    assert.equal(rows.at(-1)?.kind, 'traceBlock', 'no Load more after the last page');
    assert.deepEqual(await shownTraces(tree, experiment), order);
    // The rows of the first page are the same objects: expanded and selected rows stay so.
    assert.ok(firstPage.every((node, i) => rows[i] === node));
    // Only the newest range and block are open: the others folded as later ones came.
    const ranges = [...direct, ...blockRows.flatMap((b) => b.ranges)];
    assert.equal(ranges.length, TRACES / RANGE_SIZE - 1);
    assert.deepEqual(
      ranges.map((r) => r.folded),
      ranges.map((_, i) => i < ranges.length - 1),
    );
    assert.deepEqual(
      blockRows.map((b) => b.folded),
      blockRows.map((_, i) => i < blockRows.length - 1),
    );
    for (const [i, range] of ranges.entries()) {
      const block = blockRows[Math.floor((i - RANGES_PER_BLOCK) / RANGES_PER_BLOCK)];
      assert.equal(tree.getParent(range), i < RANGES_PER_BLOCK ? experiment : block);
      assert.equal(range.index, i + 1);
      assert.equal(range.traces.length, RANGE_SIZE);
      assert.equal(range.first, RANGE_SIZE * range.index + 1);
    }
    for (const block of blockRows) {
      assert.equal(tree.getParent(block), experiment);
      assert.ok(block.ranges.length <= RANGES_PER_BLOCK);
      assert.equal(block.first, block.ranges[0]?.first);
    }
    assert.deepEqual(tree.unratedCount(), { count: TRACES, loaded: TRACES });
    tree.dispose();
  });

  it('names only the Load more row when a page adds nothing but hidden traces', async () => {
    const { store, tree } = setUp();
    // The seeded traces have no assessments, so no failed judge: this filter hides them all.
    store.setFilter({ quick: new Set(['failedJudge']) });
    const [experiment] = await tree.getChildren();
    assert.ok(experiment);
    const [loadMore, ...rest] = await tree.getChildren(experiment);
    assert.ok(loadMore?.kind === 'loadMore' && rest.length === 0, 'only Load more is listed');
    const hidden = loadMore.hiddenCount;
    assert.ok(hidden > 0);
    const fired: (readonly TreeNode[] | undefined)[] = [];
    tree.onDidChange((nodes) => fired.push(nodes));
    await store.loadMore(experimentId());
    assert.ok(store.list(experimentId())?.nextPageToken, 'more pages to load');
    assert.ok(loadMore.hiddenCount > hidden, 'the page hid more traces');
    assert.deepEqual(fired, [[loadMore]]);
    tree.dispose();
  });

  it('keeps the ranges as they are when a poll merges newer traces in at the top', async () => {
    const { store, tree } = setUp();
    const [experiment] = await tree.getChildren();
    assert.ok(experiment);
    await tree.getChildren(experiment);
    // The newest RANGE_SIZE directly under the experiment, its ranges, then a block with a full
    // range and half of another.
    const traces = RANGE_SIZE * (1 + RANGES_PER_BLOCK) + RANGE_SIZE + RANGE_SIZE / 2;
    for (let page = 2; page <= traces / PAGE_SIZE; page++) await store.loadMore(experimentId());
    const before = await tree.getChildren(experiment);
    const block = before.find((n) => n.kind === 'traceBlock');
    assert.ok(block?.kind === 'traceBlock');
    const range = block.ranges[1];
    assert.ok(range);
    const inRange = [...range.traces];
    const fresh: TraceId[] = [];
    for (const input of ['newer 1', 'newer 2']) {
      const made = await sdk.call<{ trace_id: string }>('create_trace', {
        experiment: EXPERIMENT,
        input,
      });
      fresh.unshift(asTraceId(made.trace_id));
    }
    const fired: (readonly TreeNode[] | undefined)[] = [];
    tree.onDidChange((nodes) => fired.push(nodes));
    assert.equal(await store.pollNewest(experimentId()), 2);
    assert.deepEqual(fired, [[experiment]]);
    const after = await tree.getChildren(experiment);
    assert.deepEqual(
      after.slice(0, 2).map((n) => n.kind === 'trace' && n.traceId),
      fresh,
    );
    assert.deepEqual(range.traces, inRange, 'the range keeps its traces');
    const position = RANGE_SIZE * (2 + RANGES_PER_BLOCK) + 1;
    assert.equal(range.first, position + 2, 'and says where they are now');
    assert.equal(block.first, position - RANGE_SIZE + 2, 'as its block does');
    assert.equal(after.filter((n) => n.kind === 'trace').length, RANGE_SIZE + 2);
    // The next page still lands in the last range only.
    fired.length = 0;
    await store.loadMore(experimentId());
    assert.equal(fired.length, 1);
    assert.deepEqual(
      fired[0]?.map((n) => n.kind),
      ['traceRange'],
    );
    tree.dispose();
  });
});

describe('span ranges', () => {
  it('shows a span with more children than a row may list in ranges, with parents for reveal', async () => {
    // An agent of 300 spans: a root over 30 steps of 10 (bench_seed.py's shape), through
    // MLflow's tracing SDK; ranges of RANGE_SIZE make the root's 30 children 20 rows and a range.
    const { stdout } = await promisify(execFile)(pythonPath(), [
      path.join(repoRoot(), 'python', 'bench_seed.py'),
      ...['--tracking-uri', server.url, '--experiment', 'span-ranges'],
      ...['--big-trace', '300', '--payload-kb', '16'],
    ]);
    const made = JSON.parse(stdout) as { experiment_id: string; trace_id: string };
    const { tree } = setUp();
    const trace = await client.getTraceInfo(made.trace_id);
    const traceNode = tree.nodeForTrace(trace, asExperimentId(made.experiment_id));
    const group = (await tree.getChildren(traceNode)).find((n) => n.kind === 'spans');
    assert.ok(group);
    const [root] = await tree.getChildren(group);
    assert.ok(root?.kind === 'span');
    const rows = await tree.getChildren(root);
    assert.equal(rows.length, RANGE_SIZE + 1);
    const range = rows.at(-1);
    assert.ok(range?.kind === 'spanRange', `the last row is a range, not ${range?.kind}`);
    assert.deepEqual([range.start, range.end], [RANGE_SIZE, 30]);
    const inner = await tree.getChildren(range);
    assert.equal(inner.length, 30 - RANGE_SIZE);
    assert.ok(inner.every((n) => n.kind === 'span'));
    assert.ok(tree.getParent(inner[0] as TreeNode) === range, 'a span in a range has it as parent');
    assert.ok(tree.getParent(range) === root, 'a range has the span as parent');
    // The Spans row lists the same objects again (made once per trace).
    assert.equal((await tree.getChildren(group))[0], root);
    tree.dispose();
  });
});
