// @ts-check
// A throw-away PostgreSQL for the integration tests' second backend: Debian's server binaries
// (package `postgresql`, installed with apt-get when missing), a cluster made by initdb in a new
// temporary folder, listening only on a Unix socket in that folder (no TCP port at all), and
// stopped with `pg_ctl stop -m fast` when the tests end. The tests make one database per MLflow
// server (test/support/servers.ts) through the variables that `environment()` returns.
//
// initdb and postgres refuse to run as root: as root, they run as Debian's `postgres` user (which
// the package creates) through setpriv, which changes nothing else (the environment, and so the
// test run's mark that the sweep looks for, is kept).
import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aptInstall } from './apt.mjs';

/** The temporary folders start with this, so that the sweep finds a postmaster left running. */
export const POSTGRES_DIR_PREFIX = 'mtr-postgres-';
/** The superuser role initdb makes, and the OS user the server runs as when we are root. */
const SUPERUSER = 'postgres';
const PROGRAMS = ['initdb', 'pg_ctl', 'postgres', 'createdb'];
const ROOT = path.resolve(import.meta.dirname, '..', '..');

/**
 * The folder with PostgreSQL's server programs (initdb, pg_ctl, postgres, createdb), installing
 * Debian's `postgresql` first if there is none. Debian keeps them off PATH, in
 * /usr/lib/postgresql/<major>/bin; the newest major there wins.
 * @param {{ log?: (message: string) => void }} options
 */
export function ensurePostgres({ log = console.log } = {}) {
  const found = findBinDir();
  if (found) return found;
  log('Installing Debian package: postgresql');
  aptInstall(['postgresql']);
  const installed = findBinDir();
  if (!installed) throw new Error('postgresql is installed but initdb and pg_ctl are not found');
  return installed;
}

/** @returns {string | undefined} */
function findBinDir() {
  const hasAll = (/** @type {string} */ dir) =>
    PROGRAMS.every((name) => existsSync(path.join(dir, name)));
  const debian = '/usr/lib/postgresql';
  const majors = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const major of majors) {
    const dir = path.join(debian, major, 'bin');
    if (hasAll(dir)) return dir;
  }
  // Elsewhere (another distribution, a source build): initdb on PATH, its siblings beside it.
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    if (hasAll(dir)) return dir;
  }
  return undefined;
}

/**
 * @typedef {object} Postgres
 * @property {string} socketDir The folder of the server's Unix socket (and of the whole cluster).
 * @property {string} version e.g. "PostgreSQL 15.18"
 * @property {() => Record<string, string>} environment What the tests need to make databases.
 * @property {(options?: { mode?: 'fast' | 'immediate' }) => void} stop Stops the server and
 *   removes the folder; safe to call twice.
 */

/**
 * Makes a new cluster in a temporary folder and starts it on a Unix socket there.
 * @param {{ bin: string, log?: (message: string) => void }} options
 * @returns {Postgres}
 */
export function startPostgres({ bin, log = console.log }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), POSTGRES_DIR_PREFIX));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'postgres.log');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  /** Runs one of the server programs, as `postgres` when we are root. */
  const run = (/** @type {string} */ program, /** @type {string[]} */ args) => {
    const command = path.join(bin, program);
    return asRoot
      ? execFileSync(
          'setpriv',
          [`--reuid=${SUPERUSER}`, `--regid=${SUPERUSER}`, '--clear-groups', command, ...args],
          { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        )
      : execFileSync(command, args, {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  };
  let stopped = false;
  const stop = ({ mode = /** @type {'fast' | 'immediate'} */ ('fast') } = {}) => {
    if (stopped) return;
    stopped = true;
    try {
      if (existsSync(path.join(dataDir, 'postmaster.pid'))) {
        run('pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w', '-t', '30']);
      }
    } catch (error) {
      log(`pg_ctl stop failed: ${String(error)}`);
      if (mode === 'fast') {
        stopped = false;
        stop({ mode: 'immediate' });
        return;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', [
      '-D',
      dataDir,
      '-U',
      SUPERUSER,
      '--auth=trust', // only through the socket, in a folder no one else may enter (0700)
      '--encoding=UTF8',
      '--locale=C.UTF-8',
      '--no-sync',
      '--no-instructions',
    ]);
    // Settings in the file rather than on pg_ctl's command line, which goes through a shell.
    const quoted = (/** @type {string} */ value) => `'${value.replaceAll("'", "''")}'`;
    appendFileSync(
      path.join(dataDir, 'postgresql.conf'),
      [
        '',
        '# mlflow-trace-review tests (scripts/lib/postgres.mjs)',
        "listen_addresses = ''",
        `unix_socket_directories = ${quoted(dir)}`,
        // Throw-away data: durability costs time and proves nothing here.
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        '',
      ].join('\n'),
    );
    run('pg_ctl', ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60']);
  } catch (error) {
    const detail =
      error && typeof error === 'object' && 'stderr' in error ? String(error.stderr) : '';
    stop({ mode: 'immediate' });
    throw new Error(`PostgreSQL did not start in ${dir}: ${String(error)}\n${detail}`);
  }
  const version = run('postgres', ['--version'])
    .trim()
    .replace(/^postgres \(PostgreSQL\) /, 'PostgreSQL ');
  log(`${version} on the Unix socket in ${dir}`);
  return {
    socketDir: dir,
    version,
    environment: () => ({
      MTR_POSTGRES_BIN: bin,
      MTR_POSTGRES_HOST: dir,
      MTR_POSTGRES_USER: SUPERUSER,
    }),
    stop,
  };
}

/**
 * A database with MLflow's tables (python/init_tracking_db.py, the code `mlflow server` runs at
 * its first start), made once per run: the tests' servers each get a copy of it (`createdb -T`,
 * test/support/backend.ts) and start on existing tables, instead of each running every migration
 * again. Returns the variable that names it for the tests.
 * @param {Postgres} postgres
 * @param {string} python the interpreter of the environment with the pinned mlflow
 * @returns {Record<string, string>}
 */
export function makeTrackingTemplate(postgres, python) {
  const name = 'mtr_tracking_template';
  const {
    MTR_POSTGRES_BIN: bin,
    MTR_POSTGRES_HOST: host,
    MTR_POSTGRES_USER: user,
  } = postgres.environment();
  execFileSync(path.join(bin ?? '', 'createdb'), ['-h', host ?? '', '-U', user ?? '', name], {
    stdio: 'pipe',
  });
  execFileSync(
    python,
    [
      path.join(ROOT, 'python', 'init_tracking_db.py'),
      `postgresql://${user}@/${name}?host=${host}`,
    ],
    { cwd: os.tmpdir(), stdio: 'pipe', env: { ...process.env, PYTHONSAFEPATH: '1' } },
  );
  return { MTR_POSTGRES_TEMPLATE: name };
}
