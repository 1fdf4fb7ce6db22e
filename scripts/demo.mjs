// @ts-check
// `npm run demo [-- --port N]`: everything needed to try the extension, in one command.
// Installs what is missing (npm packages come with `npm install`; the Python environment with the
// pinned mlflow; Node 24, code-server and Chromium's dependencies), starts a local MLflow server
// with its data in .demo/mlflow (seeded once with the sample traces), packages the extension and
// installs the .vsix into a real VS Code (code-server) opened on a sample workspace with the
// sample app's source, and prints the address to open. Ctrl-C stops everything it started.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureNodeModules } from './lib/node-modules.mjs';
import { ensurePythonEnv } from './lib/python-env.mjs';
import { ensureVscodeEnv } from './lib/vscode-env.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const DEMO = path.join(ROOT, '.demo');
const { values: args } = parseArgs({ options: { port: { type: 'string' } } });
const say = (/** @type {string} */ m) => console.log(`[demo] ${m}`);

ensureNodeModules({ log: say });
// npm packages are imported only once they are installed.
const { startCodeServer } = await import('./code-server-harness/code-server.mjs');
const python = ensurePythonEnv({ log: say });
const vscodeEnv = ensureVscodeEnv({ log: say });

say('packaging the extension (npm run package)');
execFileSync('npm', ['run', '--silent', 'package'], {
  cwd: ROOT,
  stdio: ['ignore', 'ignore', 'inherit'],
});
const vsix = path.join(ROOT, 'dist', 'mlflow-trace-review.vsix');

// The bundle has no type declarations; the cast gives it the types of its source.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const launcher = /** @type {typeof import('../src/mlflow-server/launcher')} */ (
  createRequire(import.meta.url)(path.join(ROOT, 'dist', 'mlflow-server.js'))
);

say('starting MLflow');
const mlflowData = path.join(DEMO, 'mlflow');
const mlflow = await launcher.startMlflowServer({ python, dataDir: mlflowData });
const seededMarker = path.join(mlflowData, '.seeded');
if (!existsSync(seededMarker)) {
  say('seeding sample traces with MLflow’s Python SDK (first run only)');
  execFileSync(python, [path.join(ROOT, 'python', 'seed.py'), '--tracking-uri', mlflow.url], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  writeFileSync(seededMarker, new Date().toISOString());
}

// The sample workspace: the app's source, its virtual environment (.venv, with mlflow), and a
// terminal where `.venv/bin/python sample_app.py` traces to the demo server.
const workspace = path.join(DEMO, 'workspace');
mkdirSync(workspace, { recursive: true });
copyFileSync(path.join(ROOT, 'python', 'sample_app.py'), path.join(workspace, 'sample_app.py'));
rmSync(path.join(workspace, '.venv'), { force: true });
symlinkSync(path.dirname(path.dirname(python)), path.join(workspace, '.venv'));

say('starting VS Code (code-server) with the packaged extension');
const codeServer = await startCodeServer({
  node24: vscodeEnv.node24,
  codeServerEntry: vscodeEnv.codeServerEntry,
  installVsix: [vsix],
  smokeDriver: false,
  ...(args.port ? { port: Number(args.port) } : {}),
  settings: {
    'mlflowTraceReview.trackingUri': mlflow.url,
    'terminal.integrated.env.linux': { MLFLOW_TRACKING_URI: mlflow.url },
  },
});

const address = `${codeServer.base}/?folder=${encodeURIComponent(workspace)}`;
console.log(`
  MLflow Trace Review demo
  ─────────────────────────
  VS Code:  ${address}
  MLflow:   ${mlflow.url}  (its own UI; data in ${path.relative(ROOT, mlflowData)})

  In VS Code, open "MLflow Traces" in the activity bar. To make a new trace, run in its terminal:
      .venv/bin/python sample_app.py "Will it rain in Lyon?"
  then "MLflow: Review Latest Trace" (F1, or Ctrl+Alt+R outside the terminal).

  Press Ctrl-C to stop everything.
`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  say('stopping');
  codeServer.stop();
  void mlflow.stop({ keepData: true }).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
