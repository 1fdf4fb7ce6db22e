/** Small confirmations in the status bar, and copying to the clipboard with one. */
import * as vscode from 'vscode';

/** A short confirmation in the status bar, gone after a few seconds. */
export function notify(message: string, ms = 4000): void {
  vscode.window.setStatusBarMessage(message, ms);
}

export async function copyToClipboard(text: string): Promise<void> {
  await vscode.env.clipboard.writeText(text);
  notify(`Copied ${text}`, 3000);
}
