/** What the panels need from the rest of the extension. */
import type * as vscode from 'vscode';
import type { TraceId, TraceInfo } from '../mlflow';
import type { TraceStore } from '../store/trace-store';
import type { ErrorReporter } from '../ui/error-reporter';

export interface PanelContext {
  readonly extensionUri: vscode.Uri;
  readonly store: TraceStore;
  /** The reviewer identity forms prefill as the source of what is logged. */
  reviewer(): string;
  readonly log: vscode.LogOutputChannel;
  /** The server answers again (after a start, a reload, an outage): panels that failed retry. */
  readonly onDidConnect: vscode.Event<void>;
  /** The tracking URL the extension reads and writes now. */
  serverUrl(): string;
  /** The tracking URL changed (another server): panels of the old one stop acting. */
  readonly onDidChangeServer: vscode.Event<string>;
  /** Failures of actions started in a webview: reported as the commands' are. */
  readonly reporter: ErrorReporter;
  /**
   * "Submit and Next" moved the form to `next`: show it where `previous` was shown (its trace
   * panel, its row in the tree), so that the trace being rated is the one in view.
   */
  showTraceBeingRated(next: TraceInfo, previous: TraceId): Promise<void>;
  /** Fired when a trace panel's webview says it has drawn its trace (for measurements). */
  readonly traceRendered: vscode.EventEmitter<TraceRendered>;
  /** Starts what activation leaves for first use: a restored panel is a use. */
  start(): void;
}

export interface TraceRendered {
  traceId: string;
  /** From the panel's creation to its webview's first message (loading the page and bundle). */
  webviewReadyMs: number;
  /** In the webview, from the trace's message arriving to the page built (checking included). */
  renderMs: number;
  spans: number;
  /** Only the trace's info and assessments were sent: the webview kept its spans. */
  partial: boolean;
}
