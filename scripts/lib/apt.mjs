// @ts-check
// Debian packages the tests need, installed with apt-get (as root, or through sudo).
import { execFileSync } from 'node:child_process';

/** @param {string[]} packages */
export function aptInstall(packages) {
  const asRoot = process.getuid?.() === 0;
  const run = (/** @type {string[]} */ args) =>
    execFileSync(asRoot ? 'apt-get' : 'sudo', asRoot ? args : ['apt-get', ...args], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  run(['update', '-qq']);
  run(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
}
