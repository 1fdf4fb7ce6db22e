// @ts-check
// `npm run mlflow:server [-- --basic-auth] [--seed] [--port N] [--data-dir DIR]`
// Starts a real MLflow server (the pinned version, SQLite) on a free loopback port, optionally
// seeded with the sample traces, prints its URL and runs until Ctrl-C, then stops it and every
// process it spawned. Without --data-dir the data lives in a temporary folder removed on exit.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensurePythonEnv } from './lib/python-env.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const { values: args } = parseArgs({
  options: {
    'basic-auth': { type: 'boolean', default: false },
    seed: { type: 'boolean', default: false },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
  },
});

execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { stdio: 'ignore' });
// The bundle has no type declarations; the cast gives it the types of its source.
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
const launcher = /** @type {typeof import('../src/mlflow-server/launcher')} */ (
  createRequire(import.meta.url)(path.join(ROOT, 'dist', 'mlflow-server.js'))
);

const python = ensurePythonEnv();
const admin = { username: 'admin', password: 'mtr-dev-Passw0rd!' };
const server = await launcher.startMlflowServer({
  python,
  ...(args.port ? { port: Number(args.port) } : {}),
  ...(args['data-dir'] ? { dataDir: path.resolve(args['data-dir']) } : {}),
  ...(args['basic-auth'] ? { basicAuth: admin } : {}),
});

if (args.seed) {
  console.log('Seeding sample traces with MLflow’s Python SDK…');
  execFileSync(python, [path.join(ROOT, 'python', 'seed.py'), '--tracking-uri', server.url], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      ...(args['basic-auth']
        ? { MLFLOW_TRACKING_USERNAME: admin.username, MLFLOW_TRACKING_PASSWORD: admin.password }
        : {}),
    },
  });
}

console.log(`MLflow server ready: ${server.url}  (data: ${server.dataDir})`);
if (args['basic-auth']) console.log(`Basic auth: ${admin.username} / ${admin.password}`);
console.log('Press Ctrl-C to stop.');

const stop = () => {
  void server.stop().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
