// @ts-check
// `npm test`: installs what is missing (npm packages, the Python environment with the pinned
// mlflow), then runs every check and test and ends with one line "N passed, N failed".
// Each check (types, lint, format, build, package) counts as one test; the Node test runner's own
// counts are added for the unit and integration tests. Exit code 0 only if nothing failed.
//
// `npm test -- <tier|file>...` runs less: tiers are checks, unit, store (the store and the tree's
// logic in plain Node against a real MLflow server: the fast tier), integration, e2e and vscode;
// a file is test/<tier>/<name>.test.ts. A chosen tier still gets the builds it needs (build and
// build tests for the node --test tiers, the package for e2e) but no other check. With no
// arguments everything runs, as in CI.
//
// The integration tests run twice: against MLflow on SQLite, then on PostgreSQL (a cluster of
// Debian's postgresql in a temporary folder, scripts/lib/postgres.mjs, stopped when they end).
// `integration:sqlite` or `integration:postgres` (or a test file with that ending) runs one only.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensurePythonEnv } from './lib/python-env.mjs';
import { ensureVscodeEnv } from './lib/vscode-env.mjs';
import { ensureNodeModules } from './lib/node-modules.mjs';
import { markTestRun, sweepLeftoverServers } from './lib/sweep.mjs';
import { ensurePostgres, makeTrackingTemplate, startPostgres } from './lib/postgres.mjs';
import { ensureNetworkTools } from './lib/network-tools.mjs';
import { ensureSqliteTemplate } from './lib/sqlite-template.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
markTestRun();
const BIN = path.join(ROOT, 'node_modules', '.bin');
// npm runs this from ROOT; a file named on the command line is relative to where npm was started.
const CALLER_DIR = process.env.INIT_CWD ?? process.cwd();
process.chdir(ROOT);

/** @typedef {'checks' | 'unit' | 'store' | 'integration' | 'e2e' | 'vscode'} Tier */
/** @type {Tier[]} */
const TIERS = ['checks', 'unit', 'store', 'integration', 'e2e', 'vscode'];
/** @type {Tier[]} The tiers that `node --test` runs, from out/test/<tier>/. */
const NODE_TIERS = ['unit', 'store', 'integration', 'e2e'];
/** @typedef {'sqlite' | 'postgres'} Backend */
/** @type {Backend[]} MLflow's backend stores the integration tests run against, in this order. */
const BACKENDS = ['sqlite', 'postgres'];
const BACKEND_NAMES = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
/** Integration test files whose servers' backend store makes no difference: run on SQLite only. */
const SQLITE_ONLY = ['network.test.js'];
/**
 * Test files the Node test runner runs at once (unit, store, integration): each starts its own
 * MLflow servers on free ports and spends much of its time waiting on them, so two at a time
 * fill two cores. The end-to-end journeys run one at a time.
 */
const CONCURRENCY = 2;
const USAGE =
  'usage: npm test [-- checks|unit|store|integration[:sqlite|:postgres]|e2e|vscode|test/<tier>/<name>.test.ts[:sqlite|:postgres] ...]';

/**
 * What to run: whole tiers, single test files (repository-relative, test/<tier>/….test.ts), and
 * the backends the integration tests run against.
 * @typedef {{ tiers: Set<Tier>, files: { tier: Tier, source: string }[], backends: Set<Backend> }} Plan
 */

/**
 * Each check: its name in the log, its command, and the tiers that need it when `checks` is not
 * chosen (the builds their tests run from).
 * @type {{ name: string, command: string, args: string[], neededBy: Tier[] }[]}
 */
const CHECKS = [
  {
    name: 'typecheck',
    command: path.join(BIN, 'tsc'),
    args: ['-p', '.', '--noEmit'],
    neededBy: [],
  },
  {
    name: 'typecheck webview',
    command: path.join(BIN, 'tsc'),
    args: ['-p', 'webview', '--noEmit'],
    neededBy: [],
  },
  { name: 'lint', command: path.join(BIN, 'eslint'), args: ['.'], neededBy: [] },
  {
    name: 'format',
    command: path.join(BIN, 'prettier'),
    args: ['--check', '.', '--log-level', 'warn'],
    neededBy: [],
  },
  { name: 'build', command: process.execPath, args: ['esbuild.mjs'], neededBy: NODE_TIERS },
  {
    name: 'build tests',
    command: process.execPath,
    args: ['scripts/build-tests.mjs'],
    neededBy: NODE_TIERS,
  },
  // The .vsix the end-to-end tests install: what ships is what is tested.
  { name: 'package', command: 'npm', args: ['run', '--silent', 'package'], neededBy: ['e2e'] },
];

const started = Date.now();
const say = (/** @type {string} */ message) =>
  console.log(`[test ${Math.round((Date.now() - started) / 1000)}s] ${message}`);
let passed = 0;
let failed = 0;
/** What failed in the Node tiers, with its error: printed again at the end, where a CI log's tail shows it. */
/** @type {string[]} */
const failureDigest = [];

const plan = parsePlan(process.argv.slice(2));
if (!plan) {
  console.log(USAGE);
  process.exit(1);
}
say(`running: ${describePlan(plan)}`);

/** The PostgreSQL cluster while the integration tests run on it; stopped also on Ctrl-C. */
/** @type {import('./lib/postgres.mjs').Postgres | undefined} */
let postgres;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    postgres?.stop({ mode: 'immediate' });
    sweepLeftoverServers();
    console.log(`interrupted (${signal})`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

try {
  ensureNodeModules({ log: say });
} catch {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const testEnv = prepareEnvironments(plan);

for (const { name, command, args } of checksFor(plan)) {
  say(name);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status === 0) passed++;
  else {
    failed++;
    console.log(`✖ ${name} failed (exit ${result.status})`);
  }
}

if (NODE_TIERS.some((tier) => touches(plan, tier))) {
  const testFiles = nodeTestFiles(plan);
  const integration = testFiles.filter((file) => file.startsWith('out/test/integration/'));
  // The network tests check TLS and proxies in front of MLflow, not its store: SQLite only.
  const onPostgres = integration.filter((file) => !SQLITE_ONLY.includes(path.basename(file)));
  // The first run: every tier, the integration tests on SQLite (unless only PostgreSQL is asked).
  const firstRun = plan.backends.has('sqlite')
    ? testFiles
    : testFiles.filter((file) => !integration.includes(file));
  if (firstRun.length > 0 || integration.length === 0) {
    const onSqlite = firstRun.some((file) => integration.includes(file));
    const env = { ...testEnv, MTR_BACKEND: 'sqlite' }; // whatever the shell says
    // The journeys drive a browser, and one needs port 5000: they run alone, one at a time.
    const e2e = firstRun.filter((file) => file.startsWith('out/test/e2e/'));
    // The slow tiers first: their files start early, and the quick unit tests fill in at the end.
    const slowestFirst = ['integration', 'store', 'unit'].map((tier) => `out/test/${tier}/`);
    const tierRank = (/** @type {string} */ file) =>
      slowestFirst.findIndex((prefix) => file.startsWith(prefix));
    const rest = firstRun
      .filter((file) => !e2e.includes(file))
      .sort((a, b) => tierRank(a) - tierRank(b));
    // (No files at all still runs once, which counts as a failure.)
    if (rest.length > 0 || e2e.length === 0) {
      const what = `${rest.length} files${onSqlite ? ' (integration on SQLite)' : ''}`;
      say(`node --test: ${what}, ${CONCURRENCY} at a time`);
      const counts = await runNodeTests(rest, env, 'node-tests.tap', CONCURRENCY);
      passed += counts.passed;
      failed += counts.failed;
    }
    if (e2e.length > 0) {
      say(`node --test: ${e2e.length} end-to-end files, one at a time`);
      const counts = await runNodeTests(e2e, env, 'node-tests-e2e.tap', 1);
      passed += counts.passed;
      failed += counts.failed;
    }
  }
  if (plan.backends.has('postgres') && onPostgres.length > 0) {
    const counts = await runOnPostgres(onPostgres, testEnv);
    passed += counts.passed;
    failed += counts.failed;
  }
}

if (touches(plan, 'vscode')) {
  say('extension-host tests (code-server + Chromium)');
  // A whole tier wins over single files of it.
  const only = plan.tiers.has('vscode') ? [] : vscodeTestFiles(plan);
  const vscodeCounts = await runVscodeTests(only);
  passed += vscodeCounts.passed;
  failed += vscodeCounts.failed;
}

const swept = sweepLeftoverServers();
if (swept > 0) {
  failed++;
  console.log(
    `✖ ${swept} mlflow, postgres, nginx or tinyproxy process(es) were left running by the tests and have been killed`,
  );
}

say('done');
if (failureDigest.length > 0)
  console.log(['failed in the Node tiers:', ...failureDigest].join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

/**
 * Reads the command line; no arguments means every tier. Prints what is wrong and returns
 * undefined for an argument that is neither a tier nor a test file.
 * @param {string[]} args
 * @returns {Plan | undefined}
 */
function parsePlan(args) {
  if (args.length === 0) return { tiers: new Set(TIERS), files: [], backends: new Set(BACKENDS) };
  /** @type {Plan} */
  const result = { tiers: new Set(), files: [], backends: new Set() };
  for (const fullArg of args) {
    // "integration:postgres", "test/integration/client.test.ts:sqlite": that backend only.
    const backend = BACKENDS.find((name) => fullArg.endsWith(`:${name}`));
    const arg = backend ? fullArg.slice(0, -(backend.length + 1)) : fullArg;
    if (backend) result.backends.add(backend);
    const tier = TIERS.find((name) => name === arg);
    if (tier) {
      if (backend && tier !== 'integration') {
        console.log(`npm test: only the integration tests have backends: ${fullArg}`);
        return undefined;
      }
      result.tiers.add(tier);
      continue;
    }
    const file = testFileOf(arg);
    if (!file) {
      console.log(`npm test: not a tier or a test file: ${fullArg}`);
      return undefined;
    }
    if (backend && file.tier !== 'integration') {
      console.log(`npm test: only the integration tests have backends: ${fullArg}`);
      return undefined;
    }
    if (file.tier === 'vscode' && file.source.endsWith('.bench.test.ts')) {
      console.log(`npm test: ${arg} needs the benchmarks' servers: run it with npm run bench`);
      return undefined;
    }
    result.files.push(file);
  }
  // No backend named: both.
  if (result.backends.size === 0) for (const backend of BACKENDS) result.backends.add(backend);
  return result;
}

/**
 * Finds a test file given relative to where npm was started, or to the repository.
 * @param {string} arg
 * @returns {{ tier: Tier, source: string } | undefined}
 */
function testFileOf(arg) {
  const found = [path.resolve(CALLER_DIR, arg), path.resolve(ROOT, arg)].find((candidate) =>
    existsSync(candidate),
  );
  if (!found) return undefined;
  const source = path.relative(ROOT, found).split(path.sep).join('/');
  const tier = /^test\/(unit|store|integration|e2e|vscode)\/[^/]+\.test\.ts$/.exec(source)?.[1];
  return tier ? { tier: /** @type {Tier} */ (tier), source } : undefined;
}

/**
 * @param {Plan} plan
 * @returns {string} e.g. "unit, test/vscode/5-panels.test.ts"
 */
function describePlan(plan) {
  const tiers = TIERS.filter((tier) => plan.tiers.has(tier));
  const described = [...tiers, ...plan.files.map((file) => file.source)].join(', ');
  if (!touches(plan, 'integration')) return described;
  const backends = BACKENDS.filter((backend) => plan.backends.has(backend));
  return `${described} (integration on ${backends.map((b) => BACKEND_NAMES[b]).join(' and ')})`;
}

/**
 * Whether the plan runs any test of this tier, the whole tier or one file of it.
 * @param {Plan} plan
 * @param {Tier} tier
 */
function touches(plan, tier) {
  return plan.tiers.has(tier) || plan.files.some((file) => file.tier === tier);
}

/**
 * The checks to run: all of them for the checks tier, else only the builds the tests need.
 * The extension-host runner does its own builds, so the vscode tier needs none here.
 * @param {Plan} plan
 */
function checksFor(plan) {
  if (plan.tiers.has('checks')) return CHECKS;
  return CHECKS.filter((check) => check.neededBy.some((tier) => touches(plan, tier)));
}

/**
 * Installs (once) and finds what the chosen tiers use, as environment variables for the tests.
 * The unit tests need none of it, so that `npm test -- unit` stays quick on a fresh machine.
 * @param {Plan} plan
 * @returns {Record<string, string>}
 */
function prepareEnvironments(plan) {
  /** @type {Record<string, string>} */
  const env = { MTR_ROOT: ROOT };
  if (touches(plan, 'store') || touches(plan, 'integration') || touches(plan, 'e2e')) {
    env.MTR_PYTHON = ensurePythonEnv({ log: say });
    env.MTR_SQLITE_TEMPLATE = ensureSqliteTemplate(env.MTR_PYTHON);
  }
  if (touches(plan, 'integration')) {
    env.MTR_OLD_SERVER_PYTHON = ensurePythonEnv({ name: 'old-server', log: say });
    // nginx, tinyproxy and openssl for test/integration/network.test.ts (Debian's, installed
    // with apt-get when missing).
    const tools = ensureNetworkTools({ log: say });
    env.MTR_NGINX = tools.nginx;
    env.MTR_TINYPROXY = tools.tinyproxy;
    env.MTR_OPENSSL = tools.openssl;
    env.MTR_NGINX_STREAM_MODULE = tools.nginxStreamModule;
  }
  // The extension-host runner (vscode tier) installs its own; the e2e tests need it from here.
  if (touches(plan, 'e2e')) {
    const vscodeEnv = ensureVscodeEnv({ log: say });
    env.MTR_NODE24 = vscodeEnv.node24;
    env.MTR_CODE_SERVER_ENTRY = vscodeEnv.codeServerEntry;
    env.MTR_CHROMIUM = vscodeEnv.chromium;
  }
  return env;
}

/**
 * The built test files for node --test: every file of the whole tiers, then the single files.
 * @param {Plan} plan
 */
function nodeTestFiles(plan) {
  const whole = NODE_TIERS.filter((tier) => plan.tiers.has(tier)).flatMap((tier) => {
    const dir = `out/test/${tier}`;
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.test.js'))
          .map((f) => path.join(dir, f))
      : [];
  });
  const single = plan.files
    .filter((file) => file.tier !== 'vscode')
    .map((file) => file.source.replace(/^test\//, 'out/test/').replace(/\.ts$/, '.js'));
  return [...new Set([...whole, ...single])];
}

/**
 * The names of the single extension-host test files as built (5-panels.test.js).
 * @param {Plan} plan
 */
function vscodeTestFiles(plan) {
  return plan.files
    .filter((file) => file.tier === 'vscode')
    .map((file) => path.basename(file.source, '.ts') + '.js');
}

/**
 * Runs scripts/vscode-tests.mjs (Mocha in a real extension host), streams its output and takes
 * the counts from its "N passed, N failed" line. `only` names single test files to run, if any.
 * @param {string[]} only
 * @returns {Promise<{passed: number, failed: number}>}
 */
function runVscodeTests(only) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env };
  delete env.MTR_VSCODE_TEST_FILE; // a stray one from the shell would narrow a full run
  if (only.length > 0) env.MTR_VSCODE_TEST_FILE = only.join(',');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/vscode-tests.mjs'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    });
    let output = '';
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('exit', (code) => {
      const summary = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)].at(-1);
      const counts = { passed: Number(summary?.[1] ?? 0), failed: Number(summary?.[2] ?? 0) };
      // A crash or a timeout before Mocha's summary still has to show as a failure.
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      resolve(counts);
    });
  });
}

/**
 * The integration tests a second time, against MLflow on PostgreSQL: starts a cluster, runs them
 * with MTR_BACKEND=postgres (test/support/backend.ts makes a database per server) and stops it,
 * whatever happened. A cluster that does not start counts as one failure.
 * @param {string[]} files
 * @param {Record<string, string>} env
 * @returns {Promise<{passed: number, failed: number}>}
 */
async function runOnPostgres(files, env) {
  const begun = Date.now();
  /** @type {Record<string, string>} */
  let template;
  try {
    postgres = startPostgres({ bin: ensurePostgres({ log: say }), log: say });
    template = makeTrackingTemplate(postgres, env.MTR_PYTHON ?? '');
  } catch (error) {
    postgres?.stop();
    postgres = undefined;
    console.log(`✖ PostgreSQL for the integration tests: ${String(error)}`);
    return { passed: 0, failed: 1 };
  }
  try {
    say(
      `node --test: ${files.length} files (integration on ${postgres.version}), ${CONCURRENCY} at a time`,
    );
    const counts = await runNodeTests(
      files,
      { ...env, ...postgres.environment(), ...template, MTR_BACKEND: 'postgres' },
      'node-tests-postgres.tap',
      CONCURRENCY,
    );
    const seconds = Math.round((Date.now() - begun) / 1000);
    say(
      `integration on PostgreSQL: ${counts.passed} passed, ${counts.failed} failed in ${seconds} s`,
    );
    return counts;
  } finally {
    postgres.stop();
    postgres = undefined;
  }
}

/**
 * Runs the Node test runner, `concurrency` files at a time, streams its report and returns its
 * counts.
 * @param {string[]} files
 * @param {Record<string, string>} env
 * @param {string} tapName the TAP report's file in test-output/
 * @param {number} concurrency
 * @returns {Promise<{passed: number, failed: number}>}
 */
function runNodeTests(files, env, tapName, concurrency) {
  if (files.length === 0) return Promise.resolve({ passed: 0, failed: 1 });
  const tapFile = `test-output/${tapName}`;
  mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
  rmSync(path.join(ROOT, tapFile), { force: true });
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        '--test',
        `--test-concurrency=${concurrency}`,
        '--test-timeout=300000',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        `--test-reporter-destination=${tapFile}`,
        ...files,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } },
    );
    child.on('exit', (code) => {
      const tap = existsSync(tapFile) ? readFileSync(tapFile, 'utf8') : '';
      const count = (/** @type {string} */ label) =>
        Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
      // Cancelled, skipped and todo tests prove nothing: they count as failures.
      let fail = count('fail') + count('cancelled') + count('skipped') + count('todo');
      // A crash or a hang that the runner did not count still has to show as a failure.
      if (code !== 0 && fail === 0) fail = 1;
      failureDigest.push(...failuresIn(tap));
      resolve({ passed: count('pass'), failed: fail });
    });
  });
}

/**
 * The failed tests of a TAP report, each with the first lines of its error (the report nests
 * suites: a suite that failed because a test in it did is left out, its test is named).
 * @param {string} tap
 * @returns {string[]}
 */
function failuresIn(tap) {
  const lines = tap.split('\n');
  /** @type {string[]} */
  const digest = [];
  lines.forEach((line, i) => {
    const failure = /^(\s*)not ok \d+ - (.*)$/.exec(line);
    if (!failure) return;
    const indent = failure[1] ?? '';
    const block = [];
    for (let j = i + 1; j < lines.length && block.length < 40; j++) {
      const next = lines[j] ?? '';
      if (!next.startsWith(`${indent}  `)) break;
      block.push(next.trim());
    }
    if (block.some((l) => l.startsWith("failureType: 'subtestsFailed'"))) return;
    const error = block.findIndex((l) => l.startsWith('error:'));
    const shown = error < 0 ? [] : block.slice(error, error + 8);
    digest.push(`✖ ${failure[2]}`, ...shown.map((l) => `    ${l}`));
  });
  return digest;
}
