// @ts-check
// A real VS Code for tests and the demo: code-server (Code-OSS with its Node extension host) on
// Node 24, and Debian's Chromium driven by playwright-core. See ../shared/vscode-harness.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Quiet workbench: no welcome page, tips, updates, telemetry or AI features. */
const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.ignoreRecommendations': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** @param {string} chromiumPath */
export async function launchChromium(chromiumPath) {
  // Chromium writes crash reports and caches under XDG folders: keep them out of $HOME.
  const xdg = fs.mkdtempSync(path.join(os.tmpdir(), 'mtr-chromium-'));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: CHROMIUM_ARGS,
    env: { ...process.env, XDG_CONFIG_HOME: xdg, XDG_CACHE_HOME: xdg },
  });
  browser.on('disconnected', () => fs.rmSync(xdg, { recursive: true, force: true }));
  return browser;
}

export function freePort() {
  return /** @type {Promise<number>} */ (
    new Promise((resolve, reject) => {
      const server = net.createServer();
      server.unref();
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => resolve(port));
      });
    })
  );
}

/**
 * Starts code-server with a throw-away data folder.
 * @param {{ node24: string, codeServerEntry: string, env?: Record<string, string>,
 *   settings?: Record<string, unknown>, installVsix?: string[], smokeDriver?: boolean,
 *   workspaceTrust?: boolean, extensionsDir?: string, port?: number,
 *   extensionStorage?: { id: string, dir: string } }} options `extensionStorage`: a folder kept
 *   as that extension's global storage (the rest of the data folder is new each time)
 */
export async function startCodeServer(options) {
  const { node24, codeServerEntry } = options;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtr-cs-'));
  const userDir = path.join(dataDir, 'user');
  fs.mkdirSync(path.join(userDir, 'User'), { recursive: true });
  if (options.extensionStorage) {
    const { id, dir } = options.extensionStorage;
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(userDir, 'User', 'globalStorage'), { recursive: true });
    fs.symlinkSync(path.resolve(dir), path.join(userDir, 'User', 'globalStorage', id), 'dir');
  }
  fs.writeFileSync(
    path.join(userDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        ...SETTINGS,
        'security.workspace.trust.enabled': options.workspaceTrust ?? false,
        ...options.settings,
      },
      null,
      1,
    ),
  );
  const extensionsDir = options.extensionsDir ?? path.join(dataDir, 'ext');
  /** @type {Record<string, string | undefined>} */
  const env = {
    ...process.env,
    ...options.env,
    PATH: `${path.dirname(node24)}:${process.env.PATH ?? ''}`,
    EXTENSIONS_GALLERY: '{}',
  };
  for (const key of ['XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME']) {
    env[key] = path.join(dataDir, 'xdg', key);
  }
  const common = [
    '--user-data-dir',
    userDir,
    '--extensions-dir',
    extensionsDir,
    '--config',
    path.join(dataDir, 'config.yaml'),
  ];
  for (const vsix of options.installVsix ?? []) {
    await runOnce(
      node24,
      [codeServerEntry, ...common, '--install-extension', vsix, '--force'],
      env,
    );
  }
  const port = options.port ?? (await freePort());
  const args = [
    codeServerEntry,
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...common,
  ];
  if (options.smokeDriver !== false) args.push('--vscode-option', 'enable-smoke-test-driver');
  const child = spawn(node24, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout.on('data', (d) => (log += String(d)));
  child.stderr.on('data', (d) => (log += String(d)));
  /** @type {{ exited: number | string | null }} */
  const status = { exited: null };
  child.on('exit', (code, signal) => (status.exited = code ?? signal));
  const base = `http://127.0.0.1:${port}`;
  const stop = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (status.exited !== null) {
      stop();
      throw new Error(`code-server exited (${String(status.exited)}) during start:\n${log}`);
    }
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not answer ${base}/healthz within 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { base, host: `127.0.0.1:${port}`, child, stop, log: () => log };
}

/**
 * The workbench URL; payload entries make the extension-development keys work (smoke driver).
 * @param {{ base: string, host: string }} server
 * @param {{ folder?: string, devPaths?: string[], testsPath?: string, extEnv?: Record<string, string> }} options
 */
export function workbenchUrl(server, { folder, devPaths = [], testsPath, extEnv }) {
  const remote = (/** @type {string} */ p) => `vscode-remote://${server.host}${p}`;
  /** @type {[string, string][]} */
  const payload = devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]);
  if (testsPath) payload.push(['extensionTestsPath', remote(testsPath)]);
  if (extEnv) payload.push(['extensionEnvironment', JSON.stringify(extEnv)]);
  payload.push(['skipWelcome', 'true']);
  const query = new URLSearchParams();
  if (folder) query.set('folder', folder);
  query.set('payload', JSON.stringify(payload));
  return `${server.base}/?${query.toString()}`;
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {Record<string, string | undefined>} env
 */
function runOnce(command, args, env) {
  return /** @type {Promise<void>} */ (
    new Promise((resolve, reject) => {
      const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += String(d)));
      child.stderr.on('data', (d) => (out += String(d)));
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`${args.join(' ')} → ${code}\n${out}`)),
      );
    })
  );
}

/**
 * The frame of the visible webview whose page says data-view=`view` (webviews sit two iframes
 * deep in the workbench), waiting up to `timeoutMs` for it.
 * @param {import('playwright-core').Page} page
 * @param {string} view
 * @param {number} [timeoutMs]
 */
export async function findWebviewFrame(page, view, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames().reverse()) {
      const found = await frame
        .evaluate(
          `document.body.dataset.view === ${JSON.stringify(view)} && document.visibilityState === 'visible'`,
        )
        .then((value) => value === true)
        .catch(() => false);
      if (found) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no visible ${view} webview`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
