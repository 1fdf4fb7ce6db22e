// @ts-check
// Finds mlflow server processes that tests started and did not stop (a crash, a killed run).
// The launcher runs the server, and so every worker it forks, in its data folder, whose name
// starts with DATA_DIR_PREFIX: the working directory gives them away.
import { readdirSync, readlinkSync } from 'node:fs';

const MARKER = '/mtr-mlflow-'; // src/mlflow-server/launcher.ts: DATA_DIR_PREFIX

/** Kills every such process; returns how many there were. */
export function sweepLeftoverServers() {
  let killed = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let cwd = '';
    try {
      cwd = readlinkSync(`/proc/${entry}/cwd`);
    } catch {
      continue; // gone already, or not ours to read
    }
    if (!cwd.includes(MARKER)) continue;
    try {
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // gone already
    }
  }
  return killed;
}
