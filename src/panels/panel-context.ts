/** What the panels need from the rest of the extension. */
import type * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import type { TraceStore } from '../store/trace-store';

export interface PanelContext {
  readonly extensionUri: vscode.Uri;
  readonly connection: Connection;
  readonly store: TraceStore;
  readonly log: vscode.LogOutputChannel;
}
