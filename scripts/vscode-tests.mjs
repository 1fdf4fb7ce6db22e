// @ts-check
// The extension-host tests: a real MLflow server seeded with MLflow's SDK (plus a basic-auth
// server and an MLflow 2 server for the error states), then Mocha inside code-server's extension
// host through @vscode/test-electron, with our shim standing in for the VS Code executable.
// Prints the Mocha summary and ends with "N passed, N failed". Screenshots: test-output/vscode/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { fixtureVsix } from './lib/fixture-vsix.mjs';
import { ensurePythonEnv } from './lib/python-env.mjs';
import { ensureVscodeEnv } from './lib/vscode-env.mjs';
import { ensureNetworkTools } from './lib/network-tools.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const OUTPUT = path.join(ROOT, 'test-output', 'vscode');
const started = Date.now();
const say = (/** @type {string} */ m) =>
  console.log(`[vscode-tests ${Math.round((Date.now() - started) / 1000)}s] ${m}`);

/**
 * The suites, each a Mocha run in a fresh code-server (test/vscode/index.ts picks the files by
 * MTR_SUITE): what the log says, extra environment, the workspace's settings, the test fixture
 * extensions (test/vscode/fixtures/) installed beside ours.
 * @type {{ name: string, what: string, env: Record<string, string>,
 *   settings: Record<string, unknown>, install?: string[] }[]}
 */
const SUITES = [
  {
    name: 'main',
    what: 'Mocha in the extension host (code-server + Chromium)',
    env: {},
    settings: {},
    // A Python debugger (debugpy's adapter) for 9-run-traces.test.ts's debug session.
    install: ['python-debugger'],
  },
  {
    name: 'untrusted',
    what: 'the untrusted-workspace suite (workspace trust on)',
    env: { MTR_WORKSPACE_TRUST: '1' },
    // What a hostile repository could commit: none of it may take effect before trust.
    settings: {
      'mlflowTraceReview.trackingUri': 'http://workspace-server.invalid:5000',
      'mlflowTraceReview.reviewer': 'someone-else@example.com',
      'mlflowTraceReview.autoRefreshSeconds': 0.001,
      'mlflowTraceReview.requestTimeoutSeconds': 2.01,
      'python.defaultInterpreterPath': '.venv/bin/python',
    },
  },
  {
    name: 'reload',
    what: 'the reload suite (a draft across a window reload)',
    env: {},
    settings: {},
  },
];
// `npm test -- test/vscode/5-panels.test.ts` names built files here (5-panels.test.js, several
// separated by commas): only the suites that hold them run, and index.ts loads only those files.
const onlyFiles = (process.env.MTR_VSCODE_TEST_FILE ?? '').split(',').filter(Boolean);
const suites = SUITES.filter(
  (suite) => onlyFiles.length === 0 || onlyFiles.some((file) => suiteOf(file) === suite.name),
);
if (suites.length === 0) {
  console.log(`MTR_VSCODE_TEST_FILE names no test of these suites: ${onlyFiles.join(', ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const python = ensurePythonEnv({ log: say });
const oldPython = ensurePythonEnv({ name: 'old-server', log: say });
const vscodeEnv = ensureVscodeEnv({ log: say });
// nginx, tinyproxy and openssl for 3-network.test.ts, which starts its own.
const networkTools = ensureNetworkTools({ log: say });
execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'ignore' });
execFileSync(process.execPath, ['scripts/build-tests.mjs'], { cwd: ROOT, stdio: 'inherit' });
// The bundle has no type declarations; the cast gives it the types of its source.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const launcher = /** @type {typeof import('../src/mlflow-server/launcher')} */ (
  createRequire(import.meta.url)(path.join(ROOT, 'dist', 'mlflow-server.js'))
);

fs.rmSync(OUTPUT, { recursive: true, force: true });
fs.mkdirSync(OUTPUT, { recursive: true });
const admin = { username: 'admin', password: 'mtr-test-Passw0rd!' };
/** @type {Awaited<ReturnType<typeof launcher.startMlflowServer>>[]} */
const servers = [];
let exitCode = 1;
try {
  say('starting MLflow servers');
  const [main, auth, old] = await Promise.all([
    launcher.startMlflowServer({ python }),
    launcher.startMlflowServer({ python, basicAuth: admin }),
    launcher.startMlflowServer({ python: oldPython }),
  ]);
  servers.push(main, auth, old);
  say('seeding sample traces with MLflow’s SDK');
  const seed = execFileSync(
    python,
    [path.join(ROOT, 'python', 'seed.py'), '--tracking-uri', main.url],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const stoppedPort = await launcher.freeLoopbackPort();
  /** @type {Record<string, string>} */
  const testEnv = {
    MLFLOW_TRACKING_URI: main.url,
    MTR_SEED: seed,
    MTR_PYTHON: python,
    MTR_ROOT: ROOT,
    MTR_AUTH_URL: auth.url,
    MTR_AUTH_USER: admin.username,
    MTR_AUTH_PASSWORD: admin.password,
    MTR_OLD_URL: old.url,
    MTR_STOPPED_URL: `http://127.0.0.1:${stoppedPort}`,
    MTR_BRIDGE_DIR: OUTPUT,
    MTR_NODE24: vscodeEnv.node24,
    MTR_CODE_SERVER_ENTRY: vscodeEnv.codeServerEntry,
    MTR_CHROMIUM: vscodeEnv.chromium,
    MTR_NGINX: networkTools.nginx,
    MTR_TINYPROXY: networkTools.tinyproxy,
    MTR_OPENSSL: networkTools.openssl,
    MTR_NGINX_STREAM_MODULE: networkTools.nginxStreamModule,
  };

  if (onlyFiles.length > 0) testEnv.MTR_VSCODE_TEST_FILE = onlyFiles.join(',');

  let allPassed = true;
  for (const suite of suites) {
    say(`running ${suite.what}`);
    const vsixes = (suite.install ?? []).map((name) => fixtureVsix(name, OUTPUT));
    /** @type {Record<string, string>} */
    const installs = vsixes.length > 0 ? { MTR_INSTALL_VSIX: vsixes.join(path.delimiter) } : {};
    const code = await runSuite(
      suite.name,
      { ...testEnv, ...suite.env, ...installs },
      suite.settings,
    );
    if (code !== 0) allPassed = false;
  }
  exitCode = allPassed ? 0 : 1;
} finally {
  await Promise.all(servers.map((s) => s.stop()));
}
say(`screenshots in ${path.relative(ROOT, OUTPUT)}`);
// One line for all the runs; a run that died before Mocha's summary counts as a failure.
let passed = 0;
let failed = 0;
for (const suite of suites) {
  const file = path.join(OUTPUT, `results-${suite.name}.json`);
  if (!fs.existsSync(file)) {
    failed++;
    continue;
  }
  const counts = readCounts(fs.readFileSync(file, 'utf8'));
  passed += counts.passed;
  failed += counts.failed;
}
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode);

/**
 * The suite a built test file belongs to, by its name, as test/vscode/index.ts decides it.
 * @param {string} file
 */
function suiteOf(file) {
  return /\.(untrusted|reload|bench)\.test\.js$/.exec(file)?.[1] ?? 'main';
}

/** @param {string} text */
function readCounts(text) {
  const value = /** @type {unknown} */ (JSON.parse(text));
  return /** @type {{ passed: number, failed: number }} */ (value);
}

/**
 * One Mocha run in a fresh code-server, in a fresh workspace folder with these settings.
 * @param {string} suite
 * @param {Record<string, string>} env
 * @param {Record<string, unknown>} workspaceSettings
 */
async function runSuite(suite, env, workspaceSettings) {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'mtr-workspace-'));
  fs.writeFileSync(path.join(workspace, 'app.py'), '# a sample app\n');
  fs.mkdirSync(path.join(workspace, '.vscode'));
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify(workspaceSettings),
  );
  try {
    return await runTests({
      vscodeExecutablePath: path.join(ROOT, 'scripts', 'code-server-harness', 'code-shim.mjs'),
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: path.join(ROOT, 'out', 'test', 'vscode', 'index.js'),
      launchArgs: [workspace],
      extensionTestsEnv: { ...env, MTR_SUITE: suite },
    }).catch((/** @type {unknown} */ error) => {
      console.error(error);
      return 1;
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}
