/** Processes of a server under test, found the way a person would: by their command line. */
import fs from 'node:fs';

/** The process groups of processes whose command line names `text` (a server and its workers). */
export function processGroupsNaming(text: string): number[] {
  const groups = fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        if (!fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) return [];
        // /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces.
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])];
      } catch {
        return [];
      }
    });
  return [...new Set(groups)];
}

/** Kills what `processGroupsNaming` finds, as a crash or `kill -9` would. */
export function killProcessGroupsNaming(text: string): number {
  const groups = processGroupsNaming(text);
  for (const group of groups) process.kill(-group, 'SIGKILL');
  return groups.length;
}
