// @ts-check
// A SQLite database with MLflow's tables (python/init_tracking_db.py, the code `mlflow server`
// runs at its first start), kept in the cache beside the Python environment that made it: the
// tests' servers on SQLite each start on a copy of it (test/support/servers.ts) instead of each
// running every migration again.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cacheRoot } from './python-env.mjs';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * The template's path, made first if missing. Keyed by the environment's folder, whose name holds
 * the hash of the pinned requirements (so a new mlflow makes a new one).
 * @param {string} python the interpreter of the environment with the pinned mlflow
 */
export function ensureSqliteTemplate(python) {
  const venv = path.basename(path.dirname(path.dirname(python)));
  const template = path.join(cacheRoot(), `sqlite-template-${venv}.db`);
  if (existsSync(template)) return template;
  const work = mkdtempSync(path.join(os.tmpdir(), 'mtr-sqlite-template-'));
  try {
    const made = path.join(work, 'mlflow.db');
    execFileSync(python, [path.join(ROOT, 'python', 'init_tracking_db.py'), `sqlite:///${made}`], {
      cwd: work,
      stdio: 'pipe',
      env: { ...process.env, PYTHONSAFEPATH: '1' },
    });
    // Whole or not at all: another run may be reading it.
    renameSync(made, template);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return template;
}
