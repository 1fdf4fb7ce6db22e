/** Setting when-clause context keys and running the extension's own commands, by their typed ids. */
import * as vscode from 'vscode';
import { COMMANDS, SETTINGS_SECTION, type CommandName, type ContextKey } from './ids';

export function setContext(key: ContextKey, value: unknown): void {
  void vscode.commands.executeCommand('setContext', key, value);
}

/** Runs one of the extension's commands (for notification actions and the status bar's menu). */
export function runCommand(name: CommandName, ...args: unknown[]): Thenable<unknown> {
  return vscode.commands.executeCommand(COMMANDS[name], ...args);
}

/** VS Code's settings editor, filtered to this extension. */
export function openSettings(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.action.openSettings', SETTINGS_SECTION);
}
