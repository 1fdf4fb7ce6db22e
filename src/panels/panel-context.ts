/** What the panels need from the rest of the extension. */
import type * as vscode from 'vscode';
import type { LabelSchema, LabelSchemaKind, TraceId, TraceInfo } from '../mlflow';
import type { RenderCause, RenderedPart } from '../shared/protocol/trace';
import type { TraceQueueEntry } from '../store/trace-queues';
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
  /** Shows the session panel of the session `traceId` is a turn of. */
  openSession(traceId: TraceId): Promise<unknown>;
  /** Opens the code that made the span (Go to Source, src/code/). */
  goToSource(traceId: TraceId, spanId: string): Promise<unknown>;
  /** "recorded at a1b2c3d, 4 commits behind" when the trace's commit is not HEAD (src/code/). */
  sourceCommit(trace: TraceInfo): Promise<string | undefined>;
  /** Opens the traced function's file at the trace's commit against today's. */
  compareCommit(trace: TraceInfo): Promise<void>;
  /** The experiment's questions (label schemas) of a kind; none before MLflow 3.14. */
  questionsOf(experimentId: string | undefined, kind: LabelSchemaKind): Promise<LabelSchema[]>;
  /** The review queues that hold the trace, with its status in each. */
  queuesOfTrace(trace: TraceInfo): Promise<TraceQueueEntry[]>;
  /** "Add to Review Queue…" for one trace; undefined when nothing was added (cancelled, failed). */
  addToQueue(traceId: TraceId): Promise<unknown>;
}

export interface TraceRendered {
  traceId: string;
  /** From the panel's creation to its webview's first message (loading the page and bundle). */
  webviewReadyMs: number;
  /** From the panel's creation to the trace's message posted to the webview. */
  traceSentMs: number;
  /** In the webview, from the trace's message arriving to the page built (checking included). */
  renderMs: number;
  spans: number;
  /** Only the trace's info and assessments were sent: the webview kept its spans. */
  partial: boolean;
  /**
   * What made the webview draw: the host's message (`trace`, `traceUpdate`, `spanDetails`) or
   * the person (`select`, `raw`, `history`), or a change of server (`elsewhere`).
   */
  cause: RenderCause;
  /** The parts of the page redrawn (`page`: all of it); the rest stayed as it was. */
  redrawn: RenderedPart[];
  /**
   * The size (UTF-8 JSON) of the host's message that carried what was drawn: 0 when the webview
   * drew from what it had.
   */
  messageBytes: number;
  /** Span rows in the webview's DOM (the list draws those in view and a margin). */
  rows: number;
  /** Where the span list and the page were scrolled once drawn (pixels from the top). */
  scroll: { list: number; page: number };
}
