// @ts-check
// `npm run bench [-- --sizes 100,1000,10000 --runs 5 --write-runs 3 --reviews 200]`: the extension's speed and
// cost beside MLflow's own Python client and the bare wire, in one run against one real MLflow
// server on this machine. Prints a table (medians of several runs, and the ratios) and writes
// test-output/bench/results.json. Not a test: nothing here passes or fails on a time.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { fixtureVsix } from './lib/fixture-vsix.mjs';
import { ensureNodeModules } from './lib/node-modules.mjs';
import { ensurePythonEnv } from './lib/python-env.mjs';
import { ensureVscodeEnv } from './lib/vscode-env.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'test-output', 'bench');
const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,10000' },
    runs: { type: 'string', default: '5' },
    // Ours and the bare wire against each other, alternating: the server's own time varies by
    // a third from one request to the next, so five runs cannot tell 10% apart.
    'client-runs': { type: 'string', default: '15' },
    'write-runs': { type: 'string', default: '3' },
    'page-size': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    // Traces the panel goes through, and forms submitted with Submit and Next, in each host run.
    reviews: { type: 'string', default: '200' },
    'huge-spans': { type: 'string', default: '32000' },
    // A CPU profile of the extension host while the 1 000-span trace first opens, in the first
    // run (which it slows: read that run's panel figure as profiled, not as measured).
    'profile-panel': { type: 'boolean', default: false },
    // The same of our activation (loading extension.js and activate()), in the first run.
    'profile-activation': { type: 'boolean', default: false },
    'host-only': { type: 'boolean', default: false },
    // The client against the bare wire and Python alone (no extension host, no 32 000-span trace).
    'client-only': { type: 'boolean', default: false },
  },
});
const SIZES = args.sizes.split(',').map(Number);
const RUNS = Number(args.runs);
const CLIENT_RUNS = Number(args['client-runs']);
const WRITE_RUNS = Number(args['write-runs']);
const PAGE_SIZE = Number(args['page-size']);
const CONCURRENCY = Number(args.concurrency);
const REVIEWS = Number(args.reviews);
const HUGE_SPANS = Number(args['huge-spans']);
const HOST_ONLY = args['host-only'];
const CLIENT_ONLY = args['client-only'];
/** The tree's page size (the default of mlflowTraceReview.pageSize). */
const TREE_PAGE_SIZE = 50;
const WRITES = 1000;
/** Set once a run has been profiled (--profile-panel and --profile-activation profile the first). */
let profiled = false;
const started = Date.now();
const say = (/** @type {string} */ m) =>
  console.log(`[bench ${Math.round((Date.now() - started) / 1000)}s] ${m}`);

ensureNodeModules({ log: say });
// npm packages are imported only once they are installed.
const { runTests } = await import('@vscode/test-electron');
const { Agent, request } = await import('undici');
const python = ensurePythonEnv({ log: say });
const vscodeEnv = ensureVscodeEnv({ log: say });
say('production build (the bundles measured and loaded are the ones that ship)');
execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: ROOT, stdio: 'ignore' });
execFileSync(process.execPath, ['scripts/build-tests.mjs'], { cwd: ROOT, stdio: 'inherit' });
const load = createRequire(import.meta.url);
// The bundles have no type declarations; the casts give them the types of their sources.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const launcher = /** @type {typeof import('../src/mlflow-server/launcher')} */ (
  load(path.join(ROOT, 'dist', 'mlflow-server.js'))
);
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const { MlflowClient } = /** @type {typeof import('../src/mlflow')} */ (
  load(path.join(ROOT, 'dist', 'mlflow-client.js'))
);

/** Keep-alive connections for the bare-wire listing, as our client keeps its own. */
const wireAgent = new Agent({ keepAliveTimeout: 30_000 });
fs.rmSync(OUT, { recursive: true, force: true });
fs.mkdirSync(OUT, { recursive: true });
const results = {
  machine: machine(),
  mlflow: '',
  runs: RUNS,
  writeRuns: WRITE_RUNS,
  pageSize: PAGE_SIZE,
  concurrency: CONCURRENCY,
  /** @type {{ traces: number, pageSize: number, seconds: number[] } | undefined} Paging as the tree does, through the client alone. */
  clientPaging: undefined,
  /** @type {{ traces: number, assessments: number, seconds: number, tracesPerSecond: number }[]} */
  seeding: [],
  /** @type {Record<string, unknown>[]} */ listing: [],
  /** @type {{ spans: number, payloadBytes: number, seconds: Record<string, number>, cpuMs: Record<string, number> } | undefined} */
  bigTrace: undefined,
  /** @type {{ feedbacks: number, seconds: Record<string, number> }[]} */ writing: [],
  /** @type {Record<string, number>} */ bundles: {},
  /** @type {Record<string, { median: number, max: number }>} */ extensionHost: {},
  extensionHostFailedRuns: 0,
};
for (const file of ['main.js', 'extension.js', 'undici.js', 'webview.js']) {
  results.bundles[file] = fs.statSync(path.join(ROOT, 'dist', file)).size;
}

const server = await launcher.startMlflowServer({ python });
try {
  const client = new MlflowClient({ baseUrl: server.url, timeoutMs: 120_000 });
  results.mlflow = await client.getServerVersion();
  /** @type {Record<number, string>} */
  const experimentOf = {};
  for (const n of SIZES) {
    say(`seeding ${n} traces with assessments`);
    const seeded = seed([
      ...['--experiment', `bench-${n}`, '--traces', String(n)],
      // MLflow's SQL store on the server's own database: 2–3× as fast as its REST API.
      ...['--store-uri', `sqlite:///${path.join(server.dataDir, 'mlflow.db')}`],
    ]);
    experimentOf[n] = seeded.experiment_id;
    results.seeding.push({
      traces: n,
      assessments: seeded.assessments ?? 0,
      seconds: seeded.seconds,
      tracesPerSecond: n / seeded.seconds,
    });
  }
  say('seeding one trace of 1000 spans and 4 MB of payload');
  const big = seed(['--experiment', 'bench-big', '--big-trace', '1000', '--payload-kb', '4096']);
  // Only the extension host opens it (seeding 32 000 spans takes minutes).
  const huge = CLIENT_ONLY ? undefined : seedHuge();

  const largest = Math.max(...SIZES);
  // --host-only: the extension host's figures alone (the client's are left out).
  if (!HOST_ONLY) {
    for (const n of SIZES) {
      say(`listing ${n} traces: ours, bare wire (${CLIENT_RUNS} runs each), Python (${RUNS})`);
      const experimentId = experimentOf[n] ?? '';
      const [ours, wire] = await timePair(
        CLIENT_RUNS,
        () => listOurs(client, experimentId),
        () => listWire(server.url, experimentId),
      );
      const py = pythonClient([
        'list',
        '--experiment-id',
        experimentId,
        '--page-size',
        String(PAGE_SIZE),
        '--runs',
        String(RUNS),
      ]);
      results.listing.push({
        ...row(
          n,
          { ours: median(ours.seconds), wire: median(wire.seconds), python: median(py.seconds) },
          ours.count,
        ),
        cpuMs: { ours: median(ours.cpuMs), wire: median(wire.cpuMs) },
      });
    }

    say(
      `fetching the trace of 1000 spans: ours, bare wire (${CLIENT_RUNS} runs each), Python (${RUNS})`,
    );
    const bigId = big.trace_id ?? '';
    const [fetchOurs, fetchWire] = await timePair(
      CLIENT_RUNS,
      async () => {
        await client.getTraceInfo(bigId);
        return (await client.getTraceSpans(bigId)).length;
      },
      async () => {
        await wire(wireAgent, `${server.url}/api/3.0/mlflow/traces/${bigId}`);
        const text = await wire(
          wireAgent,
          `${server.url}/ajax-api/3.0/mlflow/get-trace-artifact?request_id=${bigId}`,
        );
        return text.length;
      },
    );
    const fetchPython = pythonClient(['get', '--trace-id', bigId, '--runs', String(RUNS)]);
    results.bigTrace = {
      spans: fetchOurs.count,
      payloadBytes: fetchWire.count,
      cpuMs: { ours: median(fetchOurs.cpuMs), wire: median(fetchWire.cpuMs) },
      seconds: {
        ours: median(fetchOurs.seconds),
        wire: median(fetchWire.seconds),
        python: median(fetchPython.seconds),
      },
    };

    const writeTarget = SIZES.find((n) => n >= WRITES) ?? SIZES.at(-1) ?? 0;
    const traceIds = (await listOursIds(client, experimentOf[writeTarget] ?? '')).slice(0, WRITES);
    const idsFile = path.join(OUT, 'trace-ids.json');
    fs.writeFileSync(idsFile, JSON.stringify(traceIds));
    say(
      `writing ${traceIds.length} feedbacks: ours and bare wire (one at a time, ${CONCURRENCY} at a time), Python (${WRITE_RUNS} runs each)`,
    );
    const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
    const ourWrite = (/** @type {string} */ id, /** @type {string} */ name) =>
      client.logFeedback({
        traceId: id,
        name,
        value: true,
        source: { sourceType: 'HUMAN', sourceId: 'bench@example.com' },
      });
    const wireWrite = (/** @type {string} */ id, /** @type {string} */ name) =>
      wire(agent, `${server.url}/api/3.0/mlflow/traces/${id}/assessments`, {
        assessment: {
          trace_id: id,
          assessment_name: name,
          source: { source_type: 'HUMAN', source_id: 'bench@example.com' },
          feedback: { value: true },
        },
      });
    let run = 0;
    /** Ours and the bare wire, alternating, each warmed with a few writes first: seconds, medians. */
    const writePair = async (/** @type {number} */ concurrency) => {
      const writeAll = (
        /** @type {(id: string, name: string) => Promise<unknown>} */ one,
        /** @type {string} */ name,
        /** @type {string[]} */ ids,
      ) => {
        const label = `${name}_${concurrency}_${run++}`;
        return inParallel(ids, concurrency, (id) => one(id, label)).then(() => ids.length);
      };
      const warmIds = traceIds.slice(0, 50);
      const [ours, wire] = await timePair(
        WRITE_RUNS,
        () => writeAll(ourWrite, 'ours', traceIds),
        () => writeAll(wireWrite, 'wire', traceIds),
        [
          () => writeAll(ourWrite, 'ours_warm', warmIds),
          () => writeAll(wireWrite, 'wire_warm', warmIds),
        ],
      );
      return { ours: median(ours.seconds), wire: median(wire.seconds) };
    };
    const oneAtATime = await writePair(1);
    const concurrent = await writePair(CONCURRENCY);
    const writing = {
      ours: oneAtATime.ours,
      oursConcurrent: concurrent.ours,
      wire: oneAtATime.wire,
      wireConcurrent: concurrent.wire,
      python: median(
        pythonClient(['write', '--trace-ids', idsFile, '--runs', String(WRITE_RUNS)]).seconds,
      ),
    };
    await agent.close();
    results.writing.push({ feedbacks: traceIds.length, seconds: writing });

    say(
      `paging ${largest} traces ${TREE_PAGE_SIZE} at a time through our client alone, as the tree does (${RUNS} runs)`,
    );
    const clientPaging = await timeRuns(RUNS, () =>
      listOurs(client, experimentOf[largest] ?? '', TREE_PAGE_SIZE),
    );
    results.clientPaging = {
      traces: clientPaging.count,
      pageSize: TREE_PAGE_SIZE,
      seconds: clientPaging.seconds,
    };
  }
  if (!CLIENT_ONLY)
    say(
      `extension host: activation, first page and memory over ${largest} traces, a 1000-span panel (${RUNS} runs, a fresh code-server each)`,
    );
  /** @type {Record<string, number[]>} */
  const hostRuns = {};
  for (let i = 0; i < (CLIENT_ONLY ? 0 : RUNS); i++) {
    const run = await extensionHostFigures(server.url, experimentOf[largest] ?? '', {
      MTR_BENCH_BIG_TRACE: big.trace_id ?? '',
      MTR_BENCH_HUGE_TRACE: huge?.trace_id ?? '',
      MTR_BENCH_REVIEWS: String(REVIEWS),
    });
    // A run that failed part-way is left out of the medians, and counted.
    if (!run.completed) {
      results.extensionHostFailedRuns++;
      continue;
    }
    for (const [key, value] of Object.entries(run.figures)) (hostRuns[key] ??= []).push(value);
    // Each run's telling figures, so that a bad run is seen beside the others.
    const g = (/** @type {string} */ key) => (run.figures[key] ?? NaN).toFixed(0);
    say(
      `run ${i + 1}: activation ${g('activationOverMinimalMs')} ms over the minimal one's (code cache used: ${g('codeCacheUsed')}); tree listed by VS Code ${g('treeListedByVsCode')}; paging ${g('pageThroughAllMs')} ms until VS Code drew each page (${g('providerPageThroughAllMs')} ms until the provider had its rows; last 10 pages ${g('lastTenPagesMeanMs')} ms each; VS Code asked ${g('treeItemsAskedPerPage')} rows, ${g('treeListingsPerPage')} listings per page), client alone in the host ${g('clientInHostPageThroughAllMs')} ms, a minimal tree's drawing ${g('floorPageThroughAllMs')} ms, heap after paging ${g('heapAfterPagingMb')} MB, panel ${g('panelOursMs')} ms beyond the webview, Submit and Next ${g('submitAndNextMeanMs')} ms`,
    );
  }
  results.extensionHost = Object.fromEntries(
    Object.entries(hostRuns).map(([key, values]) => [
      key,
      { median: median(values), max: Math.max(...values) },
    ]),
  );
} finally {
  await wireAgent.close();
  await server.stop();
}

fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(results, null, 1));
printTable();
say(`figures in ${path.relative(ROOT, path.join(OUT, 'results.json'))}`);

// ---- the measured work ------------------------------------------------------------------------

/** @param {InstanceType<typeof MlflowClient>} client @param {string} experimentId */
async function listOurs(client, experimentId, pageSize = PAGE_SIZE) {
  let count = 0;
  /** @type {string | undefined} */
  let pageToken;
  do {
    const page = await client.searchTraces({
      experimentIds: [experimentId],
      maxResults: pageSize,
      ...(pageToken ? { pageToken } : {}),
    });
    count += page.items.length;
    pageToken = page.nextPageToken;
  } while (pageToken);
  return count;
}

/** @param {InstanceType<typeof MlflowClient>} client @param {string} experimentId */
async function listOursIds(client, experimentId) {
  /** @type {string[]} */
  const ids = [];
  /** @type {string | undefined} */
  let pageToken;
  do {
    const page = await client.searchTraces({
      experimentIds: [experimentId],
      maxResults: PAGE_SIZE,
      ...(pageToken ? { pageToken } : {}),
    });
    ids.push(...page.items.map((t) => t.traceId));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return ids;
}

/** The same requests as listOurs, read as text: no JSON parsing, no validation. */
/** @param {string} baseUrl @param {string} experimentId */
async function listWire(baseUrl, experimentId) {
  let pages = 0;
  /** @type {string | undefined} */
  let token;
  do {
    const text = await wire(wireAgent, `${baseUrl}/api/3.0/mlflow/traces/search`, {
      locations: [
        { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
      ],
      max_results: PAGE_SIZE,
      order_by: ['timestamp_ms DESC'],
      ...(token ? { page_token: token } : {}),
    });
    token = /"next_page_token":\s*"([^"]+)"/.exec(text)?.[1];
    pages++;
  } while (token);
  return pages;
}

/**
 * One bare-wire request: the response's text, no parsing or validation. A body makes it a POST.
 * @param {import('undici').Dispatcher} dispatcher @param {string} url @param {unknown} [body]
 */
async function wire(dispatcher, url, body) {
  const response = await request(
    url,
    body === undefined
      ? { dispatcher }
      : {
          method: 'POST',
          dispatcher,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
  );
  const text = await response.body.text();
  if (response.statusCode !== 200)
    throw new Error(`${url} → ${response.statusCode}: ${text.slice(0, 200)}`);
  return text;
}

/** @param {string[]} items @param {number} limit @param {(item: string) => Promise<unknown>} work */
async function inParallel(items, limit, work) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] ?? '');
    }),
  );
}

/**
 * Times `a` and `b` `runs` times each, alternating which goes first, after one unmeasured run of
 * each (or of `warmUp`'s pair): neither gets the cold code, nor the server's cold caches, alone.
 * @param {number} runs @param {() => Promise<number>} a @param {() => Promise<number>} b
 * @param {[() => Promise<number>, () => Promise<number>]} [warmUp]
 * Also the CPU time this process spent on each (milliseconds): the server's time is not in it, so
 * ours minus the wire's is our own work, steadier than any wall-clock ratio.
 * @returns {Promise<[Timed, Timed]>}
 * @typedef {{ seconds: number[], cpuMs: number[], count: number }} Timed
 */
async function timePair(runs, a, b, warmUp = [a, b]) {
  await warmUp[0]();
  await warmUp[1]();
  const times = { a: /** @type {number[]} */ ([]), b: /** @type {number[]} */ ([]) };
  const cpu = { a: /** @type {number[]} */ ([]), b: /** @type {number[]} */ ([]) };
  const counts = { a: 0, b: 0 };
  const timeOne = async (/** @type {'a' | 'b'} */ which) => {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    counts[which] = await (which === 'a' ? a : b)();
    const used = process.cpuUsage(cpu0);
    times[which].push((performance.now() - t0) / 1000);
    cpu[which].push((used.user + used.system) / 1000);
  };
  for (let i = 0; i < runs; i++) {
    for (const which of i % 2 === 0
      ? /** @type {const} */ (['a', 'b'])
      : /** @type {const} */ (['b', 'a']))
      await timeOne(which);
  }
  return [
    { seconds: times.a, cpuMs: cpu.a, count: counts.a },
    { seconds: times.b, cpuMs: cpu.b, count: counts.b },
  ];
}

/** @param {number} runs @param {() => Promise<number>} work */
async function timeRuns(runs, work) {
  /** @type {number[]} */
  const seconds = [];
  let count = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    count = await work();
    seconds.push((performance.now() - t0) / 1000);
  }
  return { seconds, count };
}

/** @param {string[]} extra @returns {{ experiment_id: string, assessments?: number, seconds: number, trace_id?: string }} */
function seed(extra) {
  const out = execFileSync(
    python,
    [path.join(ROOT, 'python', 'bench_seed.py'), '--tracking-uri', server.url, ...extra],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return parseJson(out);
}

/** The trace of `--huge-spans` spans the panel and the tree's Spans node open. */
function seedHuge() {
  say(`seeding one trace of ${HUGE_SPANS} spans and 8 MB of payload`);
  return seed([
    ...['--experiment', 'bench-huge', '--big-trace', String(HUGE_SPANS), '--payload-kb', '8192'],
  ]);
}

/** @param {string[]} extra @returns {{ seconds: number[], count: number }} */
function pythonClient(extra) {
  const out = execFileSync(
    python,
    [
      path.join(ROOT, 'python', 'bench_client.py'),
      extra[0] ?? '',
      '--tracking-uri',
      server.url,
      ...extra.slice(1),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return parseJson(out);
}

/**
 * What our own Python scripts print; its shape is theirs.
 * @template T
 * @param {string} text
 * @returns {T}
 */
function parseJson(text) {
  const value = /** @type {unknown} */ (JSON.parse(text));
  return /** @type {T} */ (value);
}

/**
 * Runs the bench suite (test/vscode/*.bench.test.ts) in code-server's extension host, beside a
 * minimal extension (test/vscode/fixtures/minimal-extension) whose activation is the floor.
 * @param {string} trackingUri @param {string} experimentId @param {Record<string, string>} traces
 * @returns {Promise<{ completed: boolean, figures: Record<string, number> }>}
 */
async function extensionHostFigures(trackingUri, experimentId, traces) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'mtr-bench-workspace-'));
  fs.mkdirSync(path.join(workspace, '.vscode'));
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({
      'mlflowTraceReview.experiments': [experimentId],
      'mlflowTraceReview.autoRefreshSeconds': 0,
    }),
  );
  const out = path.join(OUT, 'extension-host.json');
  try {
    const code = await runTests({
      vscodeExecutablePath: path.join(ROOT, 'scripts', 'code-server-harness', 'code-shim.mjs'),
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'out', 'test', 'vscode', 'index.js'),
      launchArgs: [workspace],
      extensionTestsEnv: {
        MTR_SUITE: 'bench',
        MLFLOW_TRACKING_URI: trackingUri,
        MTR_BENCH_EXPERIMENT: experimentId,
        MTR_INSTALL_VSIX: fixtureVsix('minimal-extension', OUT),
        ...traces,
        MTR_BENCH_OUT: out,
        ...(args['profile-panel'] && !profiled
          ? { MTR_BENCH_PROFILE: path.join(OUT, 'panel-open.cpuprofile') }
          : {}),
        ...(args['profile-activation'] && !profiled
          ? { MTR_BENCH_PROFILE_ACTIVATION: path.join(OUT, 'activation.cpuprofile') }
          : {}),
        MTR_BRIDGE_DIR: OUT,
        // Kept across the runs, as a person's is across windows: the first run makes the
        // extension's code cache (src/main.ts), the others load with it.
        MTR_EXTENSION_STORAGE: path.join(OUT, 'extension-storage'),
        MTR_NODE24: vscodeEnv.node24,
        MTR_CODE_SERVER_ENTRY: vscodeEnv.codeServerEntry,
        MTR_CHROMIUM: vscodeEnv.chromium,
      },
    }).catch(() => 1);
    profiled = true;
    if (code !== 0) say(`the extension-host run failed (exit ${code}); its figures are left out`);
    const figures = fs.existsSync(out)
      ? /** @type {Record<string, number>} */ (JSON.parse(fs.readFileSync(out, 'utf8')))
      : {};
    return { completed: code === 0, figures };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

// ---- reporting --------------------------------------------------------------------------------

/** @param {number[]} values */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** @param {number} n @param {{ ours: number, wire: number, python: number }} s @param {number} count */
function row(n, s, count) {
  return {
    traces: n,
    listed: count,
    seconds: s,
    usPerTrace: {
      ours: (s.ours / n) * 1e6,
      wire: (s.wire / n) * 1e6,
      python: (s.python / n) * 1e6,
    },
    oursVsPython: s.ours / s.python,
    oursVsWire: s.ours / s.wire,
  };
}

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${os.type()} ${os.release()}, Node ${process.version}`;
}

function printTable() {
  const f = (/** @type {number} */ x, d = 1) => x.toFixed(d);
  const lines = [
    `Machine: ${results.machine}; MLflow ${results.mlflow}; medians of ${RUNS} runs (ours and the bare wire: ${CLIENT_RUNS}; writes: ${WRITE_RUNS}); page size ${PAGE_SIZE}`,
    '',
    "Seeding (python/bench_seed.py, MLflow's SQL store on the server's database, 4 threads)",
    ...results.seeding.map(
      (s) =>
        `  ${s.traces} traces + ${s.assessments} assessments: ${f(s.seconds)} s (${f(s.tracesPerSecond)} traces/s)`,
    ),
    '',
    'Listing every trace info, page by page      ours       bare wire   Python     ours/Python  ours/wire',
    ...results.listing.map((r) => {
      const row =
        /** @type {{ traces: number, usPerTrace: Record<string, number>, oursVsPython: number, oursVsWire: number }} */ (
          r
        );
      return `  ${String(row.traces).padStart(6)} traces (µs per trace)            ${f(row.usPerTrace.ours ?? 0).padStart(8)}   ${f(row.usPerTrace.wire ?? 0).padStart(8)}   ${f(row.usPerTrace.python ?? 0).padStart(8)}   ${f(row.oursVsPython, 2).padStart(8)}   ${f(row.oursVsWire, 2).padStart(8)}`;
    }),
    "  this process's CPU per listing (ms; the server's time is not in it): ours − wire is our own work",
    ...results.listing.map((r) => {
      const { traces, cpuMs } = /** @type {{ traces: number, cpuMs: Record<string, number> }} */ (
        r
      );
      return `  ${String(traces).padStart(6)} traces   ours ${f(cpuMs.ours ?? 0)}   wire ${f(cpuMs.wire ?? 0)}   ours − wire ${f((cpuMs.ours ?? 0) - (cpuMs.wire ?? 0))}`;
    }),
    '',
    ...(results.bigTrace ? bigTraceLines(results.bigTrace) : []),
    `Writing ${results.writing[0]?.feedbacks ?? WRITES} feedbacks (seconds)`,
    ...results.writing.flatMap((w) => {
      const s = w.seconds;
      return [
        `  ours, one at a time      ${f(s.ours ?? 0, 2)}   (bare wire ${f(s.wire ?? 0, 2)}; ours/wire ${f((s.ours ?? 0) / (s.wire ?? 1), 2)})`,
        `  ours, ${CONCURRENCY} at a time        ${f(s.oursConcurrent ?? 0, 2)}   (bare wire ${f(s.wireConcurrent ?? 0, 2)}; ours/wire ${f((s.oursConcurrent ?? 0) / (s.wireConcurrent ?? 1), 2)})`,
        `  Python log_feedback loop ${f(s.python ?? 0, 2)}   (ours one at a time / Python ${f((s.ours ?? 0) / (s.python ?? 1), 2)}; ours ${CONCURRENCY} at a time / Python ${f((s.oursConcurrent ?? 0) / (s.python ?? 1), 2)})`,
      ];
    }),
    '',
    `Extension host (code-server, production bundles; ${RUNS - results.extensionHostFailedRuns} of ${RUNS} runs completed)`,
    ...Object.entries(results.bundles).map(
      ([file, bytes]) => `  dist/${file}: ${f(bytes / 1024)} KB`,
    ),
    `  ${'figure'.padEnd(36)} ${'median'.padStart(10)} ${'max'.padStart(10)}  max/median`,
    ...Object.entries(results.extensionHost).map(
      ([k, v]) =>
        `  ${k.padEnd(36)} ${f(v.median).padStart(10)} ${f(v.max).padStart(10)}  ${f(v.max / (v.median || 1), 2).padStart(10)}`,
    ),
    '',
    "Issue 17's goals (met: yes/no)",
    ...goalLines(),
  ];
  console.log(`\n${lines.join('\n')}\n`);
}

/** Each goal of issue 17 beside its figure from this run. */
function goalLines() {
  const host = (/** @type {string} */ key) =>
    results.extensionHost[key] ?? { median: NaN, max: NaN };
  // NaN when this run did not page with the client in the bench's process (--host-only).
  const clientMs = median(results.clientPaging?.seconds ?? []) * 1000 || NaN;
  const listing = results.listing.map(
    (r) => /** @type {{ traces: number, oursVsWire: number }} */ (r),
  );
  const big = results.bigTrace?.seconds ?? {};
  const writes = results.writing[0]?.seconds ?? {};
  /** @type {[string, number, number | undefined, string?][]} what, figure, at most (none: a reference), unit */
  const goals = [
    ['paging: last 10 pages / first 10 (median of runs)', host('lastTenOverFirstTen').median, 1.3],
    // The same ratio of the same pages through the client alone in the host, QUIET_MS apart:
    // the server's answer deep in the list is in both. And of the provider's time alone.
    [
      '  (the client alone: last 10 / first 10)',
      host('clientLastTenOverFirstTen').median,
      undefined,
    ],
    [
      "  (the provider's time alone: last 10 / first 10)",
      host('providerLastTenOverFirstTen').median,
      undefined,
    ],
    // The same requests from the same host at the same pace (7-extension-host.bench.test.ts).
    [
      'paging: tree / client alone in the host, all pages',
      host('treeOverClientInHost').median,
      1.2,
    ],
    // The best any tree provider could do: the client alone plus a minimal provider's drawing of
    // a page (one listing of its new rows), in the same host: for reference.
    [
      '  (floor: client alone + a minimal tree, / client alone)',
      host('floorOverClientInHost').median,
      undefined,
    ],
    // The client in this process, pages back to back with no code-server running: for reference.
    [
      '  (tree / client alone in the bench process)',
      host('pageThroughAllMs').median / clientMs,
      undefined,
    ],
    [
      'no bad runs: paging, slowest run / median',
      host('pageThroughAllMs').max / host('pageThroughAllMs').median,
      1.5,
    ],
    [
      'no bad runs: panel, slowest run / median',
      host('panelOpenToRenderedMs').max / host('panelOpenToRenderedMs').median,
      1.5,
    ],
    [
      'memory: heap over before activation, worst run',
      host('heapOverBeforeActivationMb').max,
      100,
      'MB',
    ],
    ['panel: opened → drawn minus webview start', host('panelOursMs').median, 300, 'ms'],
    ['panel: reopened (cached) minus webview start', host('panelReopenOursMs').median, 150, 'ms'],
    [
      'activation: ours minus a minimal extension',
      host('activationOverMinimalMs').median,
      50,
      'ms',
    ],
    ['activation: server checks started', host('serverChecksAtActivation').max, 0],
    ['bundle: extension.js', (results.bundles['extension.js'] ?? 0) / 1024, 400, 'KB'],
    ['bundle: webview.js', (results.bundles['webview.js'] ?? 0) / 1024, 300, 'KB'],
    ...listing.map(
      (r) =>
        /** @type {[string, number, number]} */ ([
          `client: listing ${r.traces} / bare wire`,
          r.oursVsWire,
          1.1,
        ]),
    ),
    ['client: the 4.3 MB trace / bare wire', (big.ours ?? NaN) / (big.wire ?? NaN), 1.15],
    [
      'client: writes 8 at a time / bare wire',
      (writes.oursConcurrent ?? NaN) / (writes.wireConcurrent ?? NaN),
      1.1,
    ],
  ];
  return goals
    .filter(([, figure, limit]) => limit !== undefined || Number.isFinite(figure))
    .map(([what, figure, limit, unit = '']) => {
      const met =
        limit === undefined
          ? '(reference)'
          : `(at most ${limit}) ${figure <= limit ? 'yes' : 'no'}`;
      return `  ${what.padEnd(52)} ${figure.toFixed(2).padStart(9)} ${unit.padEnd(2)} ${met}`;
    });
}

/** @param {{ spans: number, payloadBytes: number, seconds: Record<string, number>, cpuMs: Record<string, number> }} big */
function bigTraceLines({ spans, payloadBytes, seconds: s, cpuMs }) {
  const ms = (/** @type {number | undefined} */ x) => ((x ?? 0) * 1000).toFixed(0);
  return [
    `Fetching one trace of ${spans} spans, ${(payloadBytes / 2 ** 20).toFixed(1)} MB (info, then spans; ms)`,
    `  ours ${ms(s.ours)}   bare wire ${ms(s.wire)}   Python get_trace ${ms(s.python)}   ours/Python ${((s.ours ?? 0) / (s.python ?? 1)).toFixed(2)}   ours/wire ${((s.ours ?? 0) / (s.wire ?? 1)).toFixed(2)}`,
    `  this process's CPU: ours ${(cpuMs.ours ?? 0).toFixed(1)}   wire ${(cpuMs.wire ?? 0).toFixed(1)}   ours − wire ${((cpuMs.ours ?? 0) - (cpuMs.wire ?? 0)).toFixed(1)}`,
    '',
  ];
}
