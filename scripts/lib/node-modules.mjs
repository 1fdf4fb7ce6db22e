// @ts-check
// Installs the npm packages with `npm ci` when node_modules is missing or was installed from a
// different package-lock.json. Uses only Node's built-ins, so the entry scripts can call it
// before they import any npm package (which is why they import those dynamically).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** @param {{ log: (message: string) => void }} options */
export function ensureNodeModules({ log }) {
  const lock = readFileSync(path.join(ROOT, 'package-lock.json'));
  const sha = createHash('sha256').update(lock).digest('hex');
  const stamp = path.join(ROOT, 'node_modules', '.mtr-lock-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === sha) return;
  log('npm ci');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  writeFileSync(stamp, sha);
}
