/** Small confirmations in the status bar, and copying to the clipboard with one. */
import * as vscode from 'vscode';
import { plain } from '../shared/format';

/**
 * A short confirmation in the status bar, gone after a few seconds. `message` may hold our own
 * `$(icon)`: pass untrusted parts of it through `plain`.
 */
export function notify(message: string, ms = 4000): void {
  vscode.window.setStatusBarMessage(message, ms);
}

export async function copyToClipboard(text: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  notify(`Copied ${plain(text)}`, 3000);
}
