import * as vscode from 'vscode';

/**
 * The extension's entry point. The tree, commands and panels are registered here as they are
 * built; for now it creates the log channel every later part writes its requests to.
 */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('MLflow Trace Review', { log: true });
  context.subscriptions.push(log);
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
