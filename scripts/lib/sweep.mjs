// @ts-check
// Finds mlflow server processes that this test run started and did not stop (a crash, a killed
// run). The launcher runs the server, and so every worker it forks, in a folder whose name starts
// with DATA_DIR_PREFIX: the working directory gives them away. Each run marks its environment
// (inherited by everything it starts), so that one run never kills another run's servers.
// A PostgreSQL postmaster of the run (scripts/lib/postgres.mjs) is found the same way: it runs in
// its cluster's folder, which starts with POSTGRES_DIR_PREFIX. Its own processes overwrite their
// environment with their titles, so only the postmaster shows the mark; they end when it does.
// The network tests' nginx and tinyproxy (test/support/network-servers.ts) run in folders named
// NETWORK_DIR_PREFIX + the run's mark: nginx overwrites its environment with its titles (the
// master too), so the folder's name is what tells this run's. Its workers end with their master
// when it is told to stop (SIGTERM), as the postmaster's do.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { NETWORK_DIR_PREFIX } from './network-tools.mjs';
import { POSTGRES_DIR_PREFIX } from './postgres.mjs';

const MARKER = '/mtr-mlflow-'; // src/mlflow-server/launcher.ts: DATA_DIR_PREFIX
const POSTGRES_MARKER = `/${POSTGRES_DIR_PREFIX}`;
const NETWORK_MARKER = `/${NETWORK_DIR_PREFIX}`;
const RUN_VARIABLE = 'MTR_TEST_RUN';

/** Marks this process's environment; call before starting anything the sweep should find. */
export function markTestRun() {
  process.env[RUN_VARIABLE] ??= `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Kills every such process of this run; returns how many there were. */
export function sweepLeftoverServers() {
  const mark = `${RUN_VARIABLE}=${process.env[RUN_VARIABLE] ?? ''}`;
  let killed = 0;
  /** @type {number[]} */
  const postmasters = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let postgres = false;
    let network = false;
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      postgres = cwd.includes(POSTGRES_MARKER);
      network = cwd.includes(`${NETWORK_MARKER}${process.env[RUN_VARIABLE] ?? ''}-`);
      if (network) {
        // Its own run's folder; a zombie (exited, not yet reaped) needs nothing.
        if (/\) Z /.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue;
      } else {
        if (!cwd.includes(MARKER) && !postgres) continue;
        if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(mark)) continue;
      }
    } catch {
      continue; // gone already, or not ours to read
    }
    try {
      // A postmaster told to quit stops its own processes (immediate shutdown); SIGKILL would
      // leave them to notice on their own.
      process.kill(Number(entry), postgres ? 'SIGQUIT' : network ? 'SIGTERM' : 'SIGKILL');
      if (postgres || network) postmasters.push(Number(entry));
      killed++;
    } catch {
      // gone already
    }
  }
  for (const pid of postmasters) if (!exitedWithin(pid, 5000)) killQuietly(pid);
  return killed;
}

/** Waits (blocking: the sweep runs last) until the process is gone; false if it is not. */
function exitedWithin(/** @type {number} */ pid, /** @type {number} */ ms) {
  const deadline = Date.now() + ms;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
      // A zombie still answers signal 0; its state in /proc/PID/stat says it is done.
      if (/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))) return true;
    } catch {
      return true;
    }
    Atomics.wait(sleeper, 0, 0, 50);
  }
  return false;
}

function killQuietly(/** @type {number} */ pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
