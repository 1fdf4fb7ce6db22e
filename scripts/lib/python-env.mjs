// @ts-check
// The Python virtual environment with the pinned mlflow (python/requirements*.txt). It lives in a
// cache folder outside the clone, keyed by a hash of the requirement files, so that a second run
// (or a fresh clone on the same machine) reuses it; a marker written last tells a complete
// install from an interrupted one.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Each environment: its requirement files, installed in this order (`--no-deps` where marked). */
const ENVIRONMENTS = {
  // mlflow itself goes in without its dependencies: see python/requirements-deps.txt for why.
  main: [
    { file: 'python/requirements-deps.txt', noDeps: false },
    { file: 'python/requirements.txt', noDeps: true },
  ],
  'old-server': [{ file: 'python/requirements-old-server.txt', noDeps: false }],
};

export function cacheRoot() {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'mlflow-trace-review');
}

/**
 * Returns the path of the environment's python, installing the environment first if needed.
 * @param {{ name?: keyof typeof ENVIRONMENTS, log?: (message: string) => void }} options
 */
export function ensurePythonEnv({ name = 'main', log = console.log } = {}) {
  const steps = ENVIRONMENTS[name];
  const hash = createHash('sha256');
  for (const step of steps) hash.update(readFileSync(path.join(ROOT, step.file)));
  const venv = path.join(cacheRoot(), `venv-${name}-${hash.digest('hex').slice(0, 12)}`);
  const python = path.join(venv, 'bin', 'python');
  const marker = path.join(venv, '.complete');
  if (existsSync(marker)) return python;

  log(`Setting up the '${name}' Python environment in ${venv} (first run only, about a minute)`);
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(path.dirname(venv), { recursive: true });
  execFileSync(findSystemPython(), ['-m', 'venv', venv], { stdio: 'inherit' });
  const pip = (/** @type {string[]} */ ...args) =>
    execFileSync(python, ['-m', 'pip', '--disable-pip-version-check', '--quiet', ...args], {
      stdio: 'inherit',
      cwd: ROOT,
    });
  for (const step of steps) pip('install', ...(step.noDeps ? ['--no-deps'] : []), '-r', step.file);
  const version = execFileSync(python, ['-c', 'import mlflow; print(mlflow.__version__)'], {
    encoding: 'utf8',
  }).trim();
  writeFileSync(marker, `mlflow ${version}\n`);
  log(`Python environment '${name}' ready: mlflow ${version}`);
  return python;
}

function findSystemPython() {
  for (const candidate of ['python3', 'python']) {
    try {
      const version = execFileSync(
        candidate,
        ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'],
        { encoding: 'utf8' },
      ).trim();
      const [major = 0, minor = 0] = version.split('.').map(Number);
      if (major === 3 && minor >= 10) return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'Python 3.10 or newer with the venv module is needed (Debian: apt-get install python3 python3-venv).',
  );
}

// `node scripts/lib/python-env.mjs` prints the interpreter's path (installing it if needed).
// `node scripts/lib/python-env.mjs [main|old-server]` prints the interpreter's path.
if (import.meta.filename === process.argv[1]) {
  const name = process.argv[2] === 'old-server' ? 'old-server' : 'main';
  console.log(ensurePythonEnv({ name, log: (m) => console.error(m) }));
}
