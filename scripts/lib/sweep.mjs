// @ts-check
// Finds mlflow server processes that this test run started and did not stop (a crash, a killed
// run). The launcher runs the server, and so every worker it forks, in a folder whose name starts
// with DATA_DIR_PREFIX: the working directory gives them away. Each run marks its environment
// (inherited by everything it starts), so that one run never kills another run's servers.
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const MARKER = '/mtr-mlflow-'; // src/mlflow-server/launcher.ts: DATA_DIR_PREFIX
const RUN_VARIABLE = 'MTR_TEST_RUN';

/** Marks this process's environment; call before starting anything the sweep should find. */
export function markTestRun() {
  process.env[RUN_VARIABLE] ??= `${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Kills every such process of this run; returns how many there were. */
export function sweepLeftoverServers() {
  const mark = `${RUN_VARIABLE}=${process.env[RUN_VARIABLE] ?? ''}`;
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readlinkSync(`/proc/${entry}/cwd`).includes(MARKER)) continue;
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(mark)) continue;
    } catch {
      continue; // gone already, or not ours to read
    }
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}
