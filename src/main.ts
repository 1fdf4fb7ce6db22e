/**
 * What VS Code loads (package.json `main`): loads the extension's bundle (dist/extension.js) with
 * V8's code cache kept in the extension's global storage (util/code-cache.ts), then activates it.
 * Nothing else belongs here: this file is compiled on every activation.
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import type * as Extension from './extension';
import { loadWithCodeCache } from './util/code-cache';

/** After activation and the view's first drawing: the functions compiled by then are cached. */
const SAVE_CACHE_AFTER_MS = 10_000;

let extension: typeof Extension | undefined;

export function activate(context: vscode.ExtensionContext): Extension.ExtensionApi {
  const loaded = loadWithCodeCache<typeof Extension>(
    path.join(__dirname, 'extension.js'),
    path.join(context.globalStorageUri.fsPath, 'code-cache'),
  );
  extension = loaded.exports;
  const api = extension.activate(context, loaded.cache);
  if (loaded.cache !== 'used') {
    const timer = setTimeout(() => {
      loaded.save();
    }, SAVE_CACHE_AFTER_MS);
    // The window may close first: the next one makes the cache then.
    timer.unref();
    context.subscriptions.push({ dispose: () => clearTimeout(timer) });
  }
  return api;
}

export function deactivate(): void {
  extension?.deactivate();
}
