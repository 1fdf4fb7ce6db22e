/**
 * What both panels share: the HTML with its CSP, and a message channel that checks every message
 * from the webview against the protocol before it reaches a handler (rejects are logged).
 */
import * as vscode from 'vscode';
import { fromWebview, parseMessage, type FromWebview, type ToWebview } from '../shared/protocol';
import { errorMessage } from '../util/error-message';
import { webviewHtml, webviewOptions, type WebviewKind } from './webview-html';

export const TRACE_VIEW_TYPE = 'mlflowTraceReview.trace';
export const FORM_VIEW_TYPE = 'mlflowTraceReview.form';

export class PanelHost implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    kind: WebviewKind,
    private readonly log: vscode.LogOutputChannel,
    onMessage: (message: FromWebview) => Promise<void>,
  ) {
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, kind, panel.title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => {
        const parsed = parseMessage(fromWebview, data);
        if (!parsed.ok) {
          this.log.warn(`Rejected a message from the ${kind} webview: ${parsed.reason}`);
          return;
        }
        onMessage(parsed.message).catch((error: unknown) => {
          this.log.error(
            `The ${kind} panel failed to handle "${parsed.message.type}": ${errorMessage(error)}`,
          );
        });
      }),
      panel.onDidDispose(() => {
        this.disposed = true;
        this.dispose();
      }),
    );
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  post(message: ToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  onDispose(listener: () => void): void {
    this.disposables.push(this.panel.onDidDispose(listener));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    if (!this.disposed) {
      this.disposed = true;
      this.panel.dispose();
    }
  }
}
