/**
 * A webview panel's host side, generic over its own protocol (shared/protocol/): the HTML with its
 * CSP, every message from the webview checked before it reaches a handler, and a gate for what the
 * host posts. Nothing is posted before the webview says `ready`: messages wait in order and go
 * when it does. A hidden panel's webview is discarded (no `retainContextWhenHidden`), so hiding
 * closes the gate again until the new webview says `ready`. A handler's failure goes to the same
 * error reporter as the commands', with "Try Again" repeating the message.
 */
import * as vscode from 'vscode';
import { parseMessage, type Protocol } from '../shared/protocol/common';
import type { ErrorReporter } from '../ui/error-reporter';
import type { Logger } from '../util/logger';
import { webviewHtml, webviewOptions, type WebviewKind } from './webview-html';

type Message = { type: string };

export interface PanelHostOptions<ToWebview extends Message, FromWebview extends Message> {
  readonly extensionUri: vscode.Uri;
  readonly kind: WebviewKind;
  readonly protocol: Protocol<ToWebview, FromWebview>;
  readonly log: Logger;
  readonly reporter: ErrorReporter;
  /** Each time a webview (new, or re-created after being hidden) says `ready`. */
  onReady(): void | Promise<void>;
  /** Every other message, checked. A failure is reported, with "Try Again" sending it again. */
  onMessage(message: Exclude<FromWebview, { type: 'ready' }>): Promise<void>;
}

export class PanelHost<ToWebview extends Message, FromWebview extends Message>
  implements vscode.Disposable
{
  private readonly disposables: vscode.Disposable[] = [];
  /** Run once when the panel goes, however it goes (closed by the person or by code). */
  private readonly disposeListeners: (() => void)[] = [];
  private readonly pending: ToWebview[] = [];
  private ready = false;
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly options: PanelHostOptions<ToWebview, FromWebview>,
  ) {
    const { extensionUri, kind } = options;
    panel.webview.options = webviewOptions(extensionUri);
    panel.webview.html = webviewHtml(panel.webview, extensionUri, kind, panel.title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => {
        void this.receive(data);
      }),
      panel.onDidChangeViewState((e) => {
        if (!e.webviewPanel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        this.disposed = true;
        this.cleanUp();
      }),
    );
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Whether the webview listens now (else what is posted waits for its `ready`). */
  get isReady(): boolean {
    return this.ready && !this.disposed;
  }

  post(message: ToWebview): void {
    if (this.disposed) return;
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.pending.push(message);
  }

  onDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  dispose(): void {
    this.cleanUp();
    if (!this.disposed) {
      this.disposed = true;
      this.panel.dispose();
    }
  }

  /** The dispose listeners first (they forget this panel), then our own subscriptions. */
  private cleanUp(): void {
    for (const listener of this.disposeListeners.splice(0)) listener();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.pending.length = 0;
  }

  private async receive(data: unknown): Promise<void> {
    const { kind, protocol, log } = this.options;
    const parsed = parseMessage(protocol.fromWebview, data);
    if (!parsed.ok) {
      log.warn(`Rejected a message from the ${kind} webview: ${parsed.reason}`);
      return;
    }
    const message = parsed.message;
    if (isReady(message)) {
      await this.openGate();
      return;
    }
    await this.handle(message as Exclude<FromWebview, { type: 'ready' }>);
  }

  private async openGate(): Promise<void> {
    try {
      await this.options.onReady();
    } catch (error) {
      this.options.reporter.report(error, () => this.openGate());
    }
    this.ready = true;
    for (const message of this.pending.splice(0)) this.post(message);
  }

  private async handle(message: Exclude<FromWebview, { type: 'ready' }>): Promise<void> {
    try {
      await this.options.onMessage(message);
    } catch (error) {
      this.options.reporter.report(error, () => this.handle(message));
    }
  }
}

function isReady(message: Message): boolean {
  return message.type === 'ready';
}
