#!/usr/bin/env node
// @ts-check
/// <reference lib="dom" />
// Stand-in "VS Code executable" for @vscode/test-electron (`vscodeExecutablePath`): takes the
// desktop CLI arguments, runs the tests in code-server's Node extension host with headless
// Chromium showing the workbench, and exits with the extension host's exit code.
//
// The tests can ask for things only the browser side can do by logging a line
// `[mtr-bridge] {"id": ..., "action": "screenshot", "name": ...}` or `"action": "keys"` with
// steps; the shim does it and writes BRIDGE_DIR/<id>.done (see test/vscode/support/bridge.ts).
// Env: MTR_NODE24, MTR_CODE_SERVER_ENTRY, MTR_CHROMIUM, MTR_BRIDGE_DIR, MTR_SHIM_TIMEOUT_S;
// MTR_EXTENSION_STORAGE: a folder kept as the developed extension's global storage across runs
// (the bench's runs after the first find the code cache the first one made).
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { findWebviewFrame, launchChromium, startCodeServer, workbenchUrl } from './code-server.mjs';

// A whole suite in one extension host: the main one runs ~200 tests, several minutes on 2 cores.
const TIMEOUT_S = Number(process.env.MTR_SHIM_TIMEOUT_S ?? 1500);
const BRIDGE_DIR = process.env.MTR_BRIDGE_DIR ?? '';
const started = Date.now();
const say = (/** @type {string} */ m) =>
  console.log(`[code-shim ${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);

/** @type {string[]} */
const devPaths = [];
/** @type {string | undefined} */
let testsPath;
/** @type {string | undefined} */
let folder;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i] ?? '';
  const value = (/** @type {string} */ name) =>
    arg.startsWith(`--${name}=`)
      ? arg.slice(name.length + 3)
      : arg === `--${name}`
        ? argv[++i]
        : undefined;
  let v;
  if ((v = value('extensionDevelopmentPath')) !== undefined) devPaths.push(path.resolve(v));
  else if ((v = value('extensionTestsPath')) !== undefined) testsPath = path.resolve(v);
  else if (
    (v = value('extensions-dir')) !== undefined ||
    (v = value('user-data-dir')) !== undefined
  ) {
    // A fresh data folder per run instead.
  } else if (!arg.startsWith('-')) folder = path.resolve(arg);
}
if (!testsPath || devPaths.length === 0) {
  console.error('code-shim: needs --extensionDevelopmentPath and --extensionTestsPath');
  process.exit(2);
}
if (!fs.existsSync(testsPath) && fs.existsSync(`${testsPath}.js`)) testsPath += '.js';

/** @type {Awaited<ReturnType<typeof startCodeServer>> | undefined} */
let server;
/** @type {import('playwright-core').Browser | undefined} */
let browser;
/** @type {import('playwright-core').Page | undefined} */
let page;
let finished = false;
let dialogs = 0;
/** Requests from the tests for the browser side (each one a round trip the tests wait for). */
let bridgeRequests = 0;
/** Content Security Policy refusals reported in any frame (a webview's CSP stopping script). */
let cspViolations = 0;
/** Requests the browser made to hosts other than this machine (an image from a trace, say). */
/** @type {string[]} */
const externalRequests = [];

async function finish(/** @type {number} */ code, /** @type {string} */ why) {
  if (finished) return;
  finished = true;
  say(`${why}; exit ${code} (${bridgeRequests} bridge requests)`);
  if (code !== 0 && page && BRIDGE_DIR) {
    await page.screenshot({ path: path.join(BRIDGE_DIR, 'failure.png') }).catch(() => undefined);
  }
  await browser?.close().catch(() => undefined);
  if (code !== 0 && server)
    console.error(`--- code-server log (tail) ---\n${server.log().slice(-3000)}`);
  server?.stop();
  process.exit(code);
}
setTimeout(() => void finish(124, `timed out after ${TIMEOUT_S} s`), TIMEOUT_S * 1000).unref();
process.on('SIGINT', () => void finish(130, 'SIGINT'));
process.on('SIGTERM', () => void finish(143, 'SIGTERM'));

/** @param {{ id: string, action: string, name?: string, view?: string, steps?: Record<string, string>[], findWithinMs?: number }} request */
async function bridge(request) {
  if (!page) return;
  bridgeRequests++;
  const done = path.join(BRIDGE_DIR, `${request.id}.done`);
  try {
    /** @type {unknown} */
    let result = null;
    if (request.action === 'screenshot') {
      await page.screenshot({ path: path.join(BRIDGE_DIR, `${request.name ?? request.id}.png`) });
    } else if (request.action === 'keys') {
      for (const step of request.steps ?? []) {
        if (step.waitFor === 'quickInput') {
          await page.locator('.quick-input-widget').waitFor({ state: 'visible', timeout: 20_000 });
        } else if (step.waitForText) {
          await page
            .locator('.quick-input-widget', { hasText: step.waitForText })
            .waitFor({ state: 'visible', timeout: 20_000 });
        } else if (step.type !== undefined) {
          // Typed keys go to whatever has the focus: wait until the quick input's box has it,
          // or the first letters land elsewhere on a busy machine ("Name" became "me").
          // Seldom, on a busy machine, the box shows without the focus (seen once in 2-commands):
          // then a click in the box, as a person would do.
          const focused = page.locator('.quick-input-widget input:focus');
          const hasFocus = await focused
            .waitFor({ state: 'attached', timeout: 5_000 })
            .then(() => true)
            .catch(() => false);
          if (!hasFocus) {
            await page.locator('.quick-input-widget input').first().click({ timeout: 5_000 });
            await focused.waitFor({ state: 'attached', timeout: 15_000 });
          }
          await page.keyboard.type(step.type);
        } else if (step.press) {
          await page.keyboard.press(step.press);
        }
      }
    } else if (request.action === 'webview') {
      result = await inWebview(
        page,
        request.view ?? 'trace',
        request.steps ?? [],
        request.findWithinMs,
      );
    } else if (request.action === 'workbench') {
      result = await inWorkbench(page, request.steps ?? []);
    } else if (request.action === 'dialogs') {
      result = dialogs;
    } else if (request.action === 'security') {
      result = { dialogs, cspViolations, externalRequests };
    }
    reply(done, { ok: true, result });
  } catch (error) {
    await page
      .screenshot({ path: path.join(BRIDGE_DIR, `${request.id}-failed.png`) })
      .catch(() => undefined);
    reply(done, { ok: false, error: String(error) });
  }
}

/**
 * Writes a bridge reply whole: the test polls for the file and would read half of a large one.
 * @param {string} done
 * @param {unknown} message
 */
function reply(done, message) {
  fs.writeFileSync(`${done}.part`, JSON.stringify(message));
  fs.renameSync(`${done}.part`, done);
}

/**
 * Steps inside the webview whose page says data-view=`view` (webviews sit two iframes deep).
 * Returns the texts read by `text` steps.
 * @param {import('playwright-core').Page} page
 * @param {string} view
 * @param {Record<string, string>[]} steps
 * @param {number} [findWithinMs] how long to wait for the webview to be shown
 */
async function inWebview(page, view, steps, findWithinMs) {
  const frame = await findWebviewFrame(page, view, findWithinMs);
  /** @type {string[][]} */
  const texts = [];
  for (const step of steps) {
    const target = step.selector ? frame.locator(step.selector).first() : undefined;
    if (step.waitFor && target) {
      await target.waitFor({ state: 'visible', timeout: 20_000 });
      if (step.hasText)
        await frame
          .locator(step.selector ?? '', { hasText: step.hasText })
          .first()
          .waitFor({ timeout: 20_000 });
    } else if (step.click && target) await target.click();
    else if (step.fill !== undefined && target) await target.fill(step.fill);
    else if (step.press && target) await target.press(step.press);
    else if (step.press) await page.keyboard.press(step.press);
    else if (step.text && step.selector)
      texts.push(await frame.locator(step.selector).allTextContents());
    else if (step.value && target) texts.push([await target.inputValue()]);
    else if (step.contrast && target)
      texts.push(await target.evaluate(measureContrast, step.color));
    else if (step.global) texts.push([String(await frame.evaluate(readGlobal, step.global))]);
  }
  return texts;
}

/**
 * Steps in the workbench itself (quick inputs, notifications, dialogs, the status bar): waits for
 * an element, presses keys, and reads what elements show. Returns one list per `inspect` step.
 * @param {import('playwright-core').Page} page
 * @param {Record<string, string>[]} steps
 */
async function inWorkbench(page, steps) {
  /** @type {unknown[][]} */
  const found = [];
  for (const step of steps) {
    if (step.waitFor)
      await page
        .locator(step.waitFor, step.hasText ? { hasText: step.hasText } : {})
        .first()
        .waitFor({ state: 'visible', timeout: 20_000 });
    else if (step.press) await page.keyboard.press(step.press);
    else if (step.inspect) found.push(await page.locator(step.inspect).evaluateAll(describeShown));
  }
  return found;
}

/**
 * Runs in the workbench: what each element shows, and what in it could act: links (with their
 * targets), images, and codicons.
 * @param {Element[]} elements
 */
function describeShown(elements) {
  return elements.map((element) => ({
    text: element.textContent,
    links: [...element.querySelectorAll('a[href]')].map((a) => a.getAttribute('href') ?? ''),
    images: element.querySelectorAll('img').length,
    codicons: [...element.querySelectorAll('[class*="codicon-"]')].flatMap((icon) =>
      [...icon.classList].filter((name) => name.startsWith('codicon-')),
    ),
  }));
}

/**
 * Runs in the webview: a global of its page (a marker hostile content would set).
 * @param {string} name
 */
function readGlobal(name) {
  return /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (globalThis))[name];
}

/**
 * Runs in the webview: the WCAG contrast ratio of an element's text (or of `color`, a CSS colour
 * such as var(--vscode-focusBorder)) against the background it is drawn on. A web component's
 * colours are read from the first element of its shadow root. Returns [ratio, fg, bg].
 * @param {Element} element
 * @param {string | undefined} color
 */
function measureContrast(element, color) {
  /* global document, getComputedStyle, ShadowRoot */
  /** @param {string} css */
  const rgba = (css) => {
    const [r = 0, g = 0, b = 0, a = 1] = (css.match(/[\d.]+/g) ?? []).map(Number);
    return { r, g, b, a: css.startsWith('rgba') ? a : 1 };
  };
  /** @param {{r:number,g:number,b:number}} c */
  const luminance = (c) => {
    const channel = (/** @type {number} */ v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  };
  const inner =
    [...(element.shadowRoot?.children ?? [])].find((e) => !['STYLE', 'LINK'].includes(e.tagName)) ??
    element;
  let fgCss = getComputedStyle(inner).color;
  if (color) {
    const probe = document.createElement('span');
    probe.style.color = color;
    element.appendChild(probe);
    fgCss = getComputedStyle(probe).color;
    probe.remove();
  }
  // The background: the first opaque one from the element outwards, blended over the page's.
  /** @type {{r:number,g:number,b:number,a:number}[]} */
  const layers = [];
  /** @type {Element | null} */
  let node = inner;
  while (node) {
    const bg = rgba(getComputedStyle(node).backgroundColor);
    if (bg.a > 0) layers.push(bg);
    if (bg.a >= 1) break;
    const root = node.getRootNode();
    node = node.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
  }
  let bg = { r: 255, g: 255, b: 255 };
  for (const layer of layers.reverse())
    bg = {
      r: layer.r * layer.a + bg.r * (1 - layer.a),
      g: layer.g * layer.a + bg.g * (1 - layer.a),
      b: layer.b * layer.a + bg.b * (1 - layer.a),
    };
  const fgRaw = rgba(fgCss);
  const fg = {
    r: fgRaw.r * fgRaw.a + bg.r * (1 - fgRaw.a),
    g: fgRaw.g * fgRaw.a + bg.g * (1 - fgRaw.a),
    b: fgRaw.b * fgRaw.a + bg.b * (1 - fgRaw.a),
  };
  const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  const hex = (/** @type {{r:number,g:number,b:number}} */ c) =>
    '#' + [c.r, c.g, c.b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
  return [(((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05)).toFixed(2), hex(fg), hex(bg)];
}

/** @param {unknown} value */
function asBridgeRequest(value) {
  return /** @type {{ id: string, action: string, name?: string, view?: string, steps?: Record<string, string>[], findWithinMs?: number }} */ (
    value
  );
}

try {
  const node24 = process.env.MTR_NODE24 ?? '';
  const codeServerEntry = process.env.MTR_CODE_SERVER_ENTRY ?? '';
  server = await startCodeServer({
    node24,
    codeServerEntry,
    workspaceTrust: process.env.MTR_WORKSPACE_TRUST === '1',
    // Extensions installed beside the one under development (the bench's minimal extension).
    installVsix: (process.env.MTR_INSTALL_VSIX ?? '').split(path.delimiter).filter(Boolean),
    ...(process.env.MTR_EXTENSION_STORAGE
      ? {
          extensionStorage: {
            id: extensionId(devPaths[0] ?? ''),
            dir: process.env.MTR_EXTENSION_STORAGE,
          },
        }
      : {}),
  });
  server.child.on('exit', (code) => void finish(code || 1, `code-server exited early (${code})`));
  say(`code-server up on ${server.base}`);
  browser = await launchChromium(process.env.MTR_CHROMIUM ?? '/usr/bin/chromium');
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.exposeFunction(
    'codeAutomationLog',
    (/** @type {string} */ type, /** @type {unknown[]} */ args) => {
      const text = format(...args);
      const match = /^\[mtr-bridge\] (.*)$/s.exec(text);
      if (match?.[1]) {
        void bridge(asBridgeRequest(JSON.parse(match[1])));
        return;
      }
      if (
        /AccountPolicyGate|Creating a socket|reconnection-grace-time|Service Worker|AgentHost|additional builtin extensions|connection token/.test(
          text,
        )
      )
        return;
      if (type === 'error' || type === 'warn') console.error(text);
      else console.log(text);
    },
  );
  await page.exposeFunction(
    'codeAutomationExit',
    (/** @type {number} */ code) => void finish(code, 'extension host exited'),
  );
  page.on('crash', () => void finish(3, 'browser page crashed'));
  // A dialog would mean that script from a trace ran somewhere: count them, dismiss them.
  page.on('dialog', (dialog) => {
    dialogs++;
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations++;
  });
  page.on('request', (request) => {
    const { protocol, hostname } = new URL(request.url());
    // Webview resources come through *.vscode-resource.vscode-cdn.net, which the workbench's
    // service worker answers from this machine.
    const local =
      hostname === '127.0.0.1' ||
      hostname === 'localhost' ||
      hostname === '[::1]' ||
      hostname.endsWith('.vscode-resource.vscode-cdn.net');
    if ((protocol === 'http:' || protocol === 'https:') && !local)
      externalRequests.push(request.url());
  });
  await page.goto(workbenchUrl(server, { folder, devPaths, testsPath }));
  say('workbench open; tests running in the extension host');
} catch (error) {
  console.error(error);
  await finish(1, 'harness error');
}

/** `publisher.name` of the extension in `folder` (its global storage folder's name). */
function extensionId(/** @type {string} */ folder) {
  const manifest = /** @type {unknown} */ (
    JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'))
  );
  const { publisher, name } = /** @type {{ publisher: string, name: string }} */ (manifest);
  return `${publisher}.${name}`;
}
