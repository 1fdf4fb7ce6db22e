// @ts-check
// `npm test`: installs what is missing (npm packages, the Python environment with the pinned
// mlflow), then runs every check and test and ends with one line "N passed, N failed".
// Each check (types, lint, format, build, package) counts as one test; the Node test runner's own
// counts are added for the unit and integration tests. Exit code 0 only if nothing failed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensurePythonEnv } from './lib/python-env.mjs';
import { ensureVscodeEnv } from './lib/vscode-env.mjs';
import { ensureNodeModules } from './lib/node-modules.mjs';
import { sweepLeftoverServers } from './lib/sweep.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'node_modules', '.bin');
process.chdir(ROOT);

const started = Date.now();
const say = (/** @type {string} */ message) =>
  console.log(`[test ${Math.round((Date.now() - started) / 1000)}s] ${message}`);
let passed = 0;
let failed = 0;

try {
  ensureNodeModules({ log: say });
} catch {
  console.log('0 passed, 1 failed');
  process.exit(1);
}
const python = ensurePythonEnv({ log: say });
const oldServerPython = ensurePythonEnv({ name: 'old-server', log: say });
const vscodeEnv = ensureVscodeEnv({ log: say });

for (const [name, command, args] of /** @type {[string, string, string[]][]} */ ([
  ['typecheck', path.join(BIN, 'tsc'), ['-p', '.', '--noEmit']],
  ['typecheck webview', path.join(BIN, 'tsc'), ['-p', 'webview', '--noEmit']],
  ['lint', path.join(BIN, 'eslint'), ['.']],
  ['format', path.join(BIN, 'prettier'), ['--check', '.', '--log-level', 'warn']],
  ['build', process.execPath, ['esbuild.mjs']],
  ['build tests', process.execPath, ['scripts/build-tests.mjs']],
  // The .vsix the end-to-end tests install: what ships is what is tested.
  ['package', 'npm', ['run', '--silent', 'package']],
])) {
  say(name);
  const result = spawnSync(command, args, { stdio: 'inherit' });
  if (result.status === 0) passed++;
  else {
    failed++;
    console.log(`✖ ${name} failed (exit ${result.status})`);
  }
}

const testFiles = ['out/test/unit', 'out/test/integration', 'out/test/e2e'].flatMap((dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.test.js'))
        .map((f) => path.join(dir, f))
    : [],
);
say(`node --test: ${testFiles.length} files`);
const counts = await runNodeTests(testFiles, {
  MTR_PYTHON: python,
  MTR_OLD_SERVER_PYTHON: oldServerPython,
  MTR_ROOT: ROOT,
  MTR_NODE24: vscodeEnv.node24,
  MTR_CODE_SERVER_ENTRY: vscodeEnv.codeServerEntry,
  MTR_CHROMIUM: vscodeEnv.chromium,
});
passed += counts.passed;
failed += counts.failed;

say('extension-host tests (code-server + Chromium)');
const vscodeCounts = await runVscodeTests();
passed += vscodeCounts.passed;
failed += vscodeCounts.failed;

const swept = sweepLeftoverServers();
if (swept > 0) {
  failed++;
  console.log(
    `✖ ${swept} mlflow server process(es) were left running by the tests and have been killed`,
  );
}

say('done');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);

/**
 * Runs scripts/vscode-tests.mjs (Mocha in a real extension host), streams its output and takes
 * the counts from its "N passed, N failed" line.
 * @returns {Promise<{passed: number, failed: number}>}
 */
function runVscodeTests() {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/vscode-tests.mjs'], {
      stdio: ['ignore', 'pipe', 'inherit'],
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
 * Runs the Node test runner (one file at a time: each starts its own mlflow server, and this
 * machine has two cores), streams its report and returns its counts.
 * @param {string[]} files
 * @param {Record<string, string>} env
 * @returns {Promise<{passed: number, failed: number}>}
 */
function runNodeTests(files, env) {
  if (files.length === 0) return Promise.resolve({ passed: 0, failed: 1 });
  mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
  rmSync(path.join(ROOT, 'test-output', 'node-tests.tap'), { force: true });
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--enable-source-maps',
        '--test',
        '--test-concurrency=1',
        '--test-timeout=300000',
        '--test-reporter=spec',
        '--test-reporter-destination=stdout',
        '--test-reporter=tap',
        '--test-reporter-destination=test-output/node-tests.tap',
        ...files,
      ],
      { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } },
    );
    child.on('exit', (code) => {
      const tap = existsSync('test-output/node-tests.tap')
        ? readFileSync('test-output/node-tests.tap', 'utf8')
        : '';
      const count = (/** @type {string} */ label) =>
        Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
      // Cancelled, skipped and todo tests prove nothing: they count as failures.
      let fail = count('fail') + count('cancelled') + count('skipped') + count('todo');
      // A crash or a hang that the runner did not count still has to show as a failure.
      if (code !== 0 && fail === 0) fail = 1;
      resolve({ passed: count('pass'), failed: fail });
    });
  });
}
