/**
 * Helpers for suites in the extension host: the extension's API, the seeded traces, bounded
 * waits, and the bridge to the browser side (screenshots, key presses) run by the code shim.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import type { TreeNode } from '../../../src/tree/nodes';
import { errorMessage } from '../../../src/util/error-message';

export const EXTENSION_ID = 'mlflow-trace-review.mlflow-trace-review';
export const VIEW_ID = 'mlflowTraceReview.traces';

export interface Seed {
  experiments: { guide: string; samples: string };
  traces: Record<
    'guide' | 'agent' | 'rag' | 'chat' | 'error' | 'untrusted' | 'artifact_spans',
    string
  >;
}

export function seed(): Seed {
  return JSON.parse(env('MTR_SEED')) as Seed;
}

export function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests with scripts/vscode-tests.mjs`);
  return value;
}

export async function extensionApi(): Promise<ExtensionApi> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this extension host`);
  return extension.activate();
}

/**
 * Polls `probe` every `intervalMs` until it returns something truthy; fails with `what` after
 * `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 20_000,
  intervalMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${errorMessage(last)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The tree's rows under `node` (or the roots) with their labels, as VS Code would draw them. */
export async function rows(
  api: ExtensionApi,
  node?: TreeNode,
  tree: Pick<ExtensionApi['tree'], 'getChildren' | 'getTreeItem'> = api.tree,
): Promise<{ node: TreeNode; label: string; description: string; contextValue: string }[]> {
  const children = await tree.getChildren(node);
  return children.map((child) => {
    const item = tree.getTreeItem(child);
    const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
    const description = typeof item.description === 'string' ? item.description : '';
    return { node: child, label, description, contextValue: item.contextValue ?? '' };
  });
}

let bridgeCounter = 0;

/** Asks the code shim to do something in the browser, waits until it is done, returns its result. */
async function bridge(request: Record<string, unknown>): Promise<unknown> {
  const id = `bridge-${process.pid}-${++bridgeCounter}`;
  const done = path.join(env('MTR_BRIDGE_DIR'), `${id}.done`);
  console.log(`[mtr-bridge] ${JSON.stringify({ id, ...request })}`);
  const text = await waitFor(
    `the browser to do ${JSON.stringify(request)}`,
    () => (fs.existsSync(done) ? fs.readFileSync(done, 'utf8') : undefined),
    60_000,
    // A look for a file is cheap, and the suites make a thousand or more of these calls: at
    // 100 ms, waiting for the reply cost the main suite about a minute.
    5,
  );
  fs.rmSync(done, { force: true });
  const reply = JSON.parse(text) as { ok: boolean; result?: unknown; error?: string };
  if (!reply.ok) throw new Error(`The browser could not do it: ${reply.error ?? ''}`);
  return reply.result;
}

export type WebviewStep =
  | { waitFor: true; selector: string; hasText?: string }
  | { click: true; selector: string }
  | { fill: string; selector: string }
  | { press: string; selector?: string }
  | { text: true; selector: string }
  | { value: true; selector: string }
  /** [WCAG contrast ratio, foreground, background] of the element's text, or of `color`. */
  | { contrast: true; selector: string; color?: string }
  /** The value of a global of the webview's page, as a string ("undefined" when unset). */
  | { global: string };

/** Steps inside the visible trace or form webview; returns the texts of `text` steps. */
export async function inWebview(
  view: 'trace' | 'form' | 'session' | 'review',
  ...steps: WebviewStep[]
): Promise<string[][]> {
  return (await bridge({ action: 'webview', view, steps })) as string[][];
}

/** As inWebview, but fails after `findWithinMs` when no such webview is shown (one closing). */
export async function inWebviewIfShown(
  view: 'trace' | 'form' | 'session' | 'review',
  findWithinMs: number,
  ...steps: WebviewStep[]
): Promise<string[][]> {
  return (await bridge({ action: 'webview', view, steps, findWithinMs })) as string[][];
}

export type WorkbenchStep =
  | { waitFor: string; hasText?: string }
  | { press: string }
  /** Reads every element the selector finds (a quick pick's rows, a notification). */
  | { inspect: string };

/** What an element of the workbench shows, and what in it could act. */
export interface Shown {
  text: string;
  /** The href of every link in it. */
  links: string[];
  images: number;
  /** Its icons' classes, such as codicon-zap. */
  codicons: string[];
}

/** Steps in the workbench (quick inputs, notifications, dialogs, the status bar). */
export async function inWorkbench(...steps: WorkbenchStep[]): Promise<Shown[][]> {
  return (await bridge({ action: 'workbench', steps })) as Shown[][];
}

/** How many browser dialogs (alert, confirm) have opened: script from a trace would make one. */
export async function dialogCount(): Promise<number> {
  return (await bridge({ action: 'dialogs' })) as number;
}

/** What the browser saw that only hostile content would cause. */
export async function securityCounts(): Promise<{
  dialogs: number;
  cspViolations: number;
  externalRequests: string[];
}> {
  return (await bridge({ action: 'security' })) as {
    dialogs: number;
    cspViolations: number;
    externalRequests: string[];
  };
}

/** A screenshot of the whole workbench, saved as test-output/vscode/<name>.png. */
export async function screenshot(name: string): Promise<void> {
  await bridge({ action: 'screenshot', name });
}

export type KeyStep =
  { waitFor: 'quickInput' } | { waitForText: string } | { type: string } | { press: string };

/** Real key presses in the workbench (for quick picks and input boxes). */
export async function keys(...steps: KeyStep[]): Promise<void> {
  await bridge({ action: 'keys', steps });
}

/** Opens the MLflow Traces view in the activity bar. */
export async function showView(): Promise<void> {
  await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
}

/** Runs one of the extension's commands (ids without the `mlflowTraceReview.` prefix). */
export function run<T>(command: string, arg?: unknown): Thenable<T> {
  return vscode.commands.executeCommand<T>(`mlflowTraceReview.${command}`, arg);
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace
    .getConfiguration('mlflowTraceReview')
    .update(key, value, vscode.ConfigurationTarget.Global);
}

/** Closes every tab, pinned ones too (which "Close All Editors" leaves). */
export async function closeAllTabs(): Promise<void> {
  // Closing the tabs of several groups at once can leave one open (seen once with a form in a
  // second group): what is left is closed again, a few times at most.
  const open = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs);
  for (let attempt = 0; attempt < 3 && open().length > 0; attempt++) {
    await vscode.window.tabGroups.close(open());
    await waitFor('the tabs to close', () => open().length === 0, 2_000).catch(() => undefined);
  }
}

/** How many editor tabs hold one of the extension's panels of this kind. */
export function panelTabs(kind: 'trace' | 'form' | 'session' | 'review'): number {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter(
      (tab) =>
        tab.input instanceof vscode.TabInputWebview &&
        tab.input.viewType.endsWith(`mlflowTraceReview.${kind}`),
    ).length;
}
