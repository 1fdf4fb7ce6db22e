/**
 * The trace panel: one per trace, opened from the tree, a command or a trace id. It shows what
 * the store knows and follows its changes; actions on assessments call the store and the forms
 * directly, with the trace the panel holds. Restored after a reload from its state (the trace id).
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import {
  asAssessmentId,
  asTraceId,
  MlflowNetworkError,
  type Span,
  type TraceId,
  type TraceInfo,
} from '../mlflow';
import { describeAssessment, traceName, truncate } from '../shared/format';
import { assertNever } from '../shared/protocol/common';
import {
  TRACE_PROTOCOL,
  type AssessmentAction,
  type TraceFromWebview,
  type TraceToWebview,
  type TraceView,
} from '../shared/protocol/trace';
import { ErrorWithActions } from '../ui/error-reporter';
import { WEBVIEW_TYPES } from '../ui/ids';
import { copyToClipboard, notify } from '../ui/notify';
import { errorMessage } from '../util/error-message';
import type { FormPanels } from './form-panel';
import type { PanelContext } from './panel-context';
import { PanelHost } from './panel-host';
import { toTraceView } from './trace-view';

/** What a trace webview saves: its trace, and the server it came from (older panels lack it). */
const savedState = z.object({ traceId: z.string(), server: z.string().optional() });

export class TracePanels implements vscode.Disposable {
  private readonly open = new Map<TraceId, TracePanel>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: PanelContext,
    private readonly forms: FormPanels,
  ) {
    this.subscriptions.push(
      ctx.store.onDidChange((change) => {
        if (change.kind === 'trace') this.open.get(change.trace.traceId)?.update(change.trace);
      }),
      // A panel restored before its server answered (a reload while a local server starts)
      // shows its trace as soon as the server is back.
      ctx.onDidConnect(() => {
        for (const panel of this.open.values()) if (!panel.hasTrace) void panel.load();
      }),
      // Panels of another server say so and stop acting; back on their server, they reload.
      ctx.onDidChangeServer(() => {
        for (const panel of this.open.values()) void panel.load();
      }),
      vscode.window.registerWebviewPanelSerializer(WEBVIEW_TYPES.trace, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const parsed = savedState.safeParse(state);
          if (!parsed.success) {
            panel.dispose();
            return;
          }
          await this.adopt(panel, asTraceId(parsed.data.traceId), parsed.data.server);
        },
      }),
    );
  }

  /** Shows the trace's panel, making it if needed. */
  async show(
    traceId: TraceId,
    where: { column?: vscode.ViewColumn; preserveFocus?: boolean } = {},
  ): Promise<vscode.WebviewPanel> {
    const column = where.column ?? vscode.ViewColumn.Active;
    const existing = this.open.get(traceId);
    if (existing) {
      // Where it is, unless a column was asked for (it is not pulled over a form).
      existing.host.panel.reveal(
        where.column ?? existing.host.panel.viewColumn,
        where.preserveFocus,
      );
      return existing.host.panel;
    }
    const panel = vscode.window.createWebviewPanel(WEBVIEW_TYPES.trace, 'Trace', {
      viewColumn: column,
      preserveFocus: where.preserveFocus ?? false,
    });
    await this.adopt(panel, traceId);
    return panel;
  }

  /**
   * The trace after `previous` is the one being rated now: its panel takes the place of the
   * previous trace's (same column, the previous one closed), or opens beside the form; the
   * focus stays where the person is rating.
   */
  async replace(previous: TraceId, next: TraceId): Promise<void> {
    const old = this.open.get(previous);
    const column = old?.host.panel.viewColumn ?? vscode.ViewColumn.Beside;
    await this.show(next, { column, preserveFocus: true });
    if (previous !== next) old?.host.dispose();
  }

  dispose(): void {
    for (const panel of this.open.values()) panel.host.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private async adopt(
    panel: vscode.WebviewPanel,
    traceId: TraceId,
    server = this.ctx.serverUrl(),
  ): Promise<void> {
    const tracePanel = new TracePanel(this.ctx, this.forms, panel, traceId, server);
    this.open.set(traceId, tracePanel);
    tracePanel.host.onDispose(() => this.open.delete(traceId));
    await tracePanel.load();
  }
}

class TracePanel {
  readonly host: PanelHost<TraceToWebview, TraceFromWebview>;
  private latest: TraceInfo | undefined;
  /** What the webview was sent last: shown again, read-only, while on another server. */
  private lastView: TraceView | undefined;
  private readonly createdAt = performance.now();
  private webviewReadyMs = 0;
  /** How many spans the last trace sent to the webview had. */
  private spanCount = 0;

  constructor(
    private readonly ctx: PanelContext,
    private readonly forms: FormPanels,
    panel: vscode.WebviewPanel,
    private readonly traceId: TraceId,
    /** The tracking URL this trace lives on: the panel acts only while the extension reads it. */
    private readonly server: string,
  ) {
    panel.title = `Trace ${traceId.slice(0, 11)}…`;
    this.host = new PanelHost(panel, {
      extensionUri: ctx.extensionUri,
      kind: 'trace',
      protocol: TRACE_PROTOCOL,
      log: ctx.log,
      reporter: ctx.reporter,
      onReady: () => this.onReady(),
      onMessage: (message) => this.onMessage(message),
    });
  }

  /** A form opened from this panel gives the focus back to it. */
  private readonly returnHere = (): Thenable<void> => {
    if (!this.host.isDisposed) this.host.panel.reveal(this.host.panel.viewColumn, false);
    return Promise.resolve();
  };

  get hasTrace(): boolean {
    return this.latest !== undefined;
  }

  /** Whether the extension now reads another server than this trace's. */
  get isElsewhere(): boolean {
    return this.ctx.serverUrl() !== this.server;
  }

  async load(): Promise<void> {
    if (this.isElsewhere) {
      this.host.post({ type: 'elsewhere', server: this.server, current: this.ctx.serverUrl() });
      return;
    }
    try {
      this.update(await this.ctx.store.getTrace(this.traceId));
    } catch (error) {
      // Shown in the panel (it has nothing else to show). A server that does not answer is not
      // reported again: the status bar says so, and the panel loads once it answers.
      this.host.post({ type: 'error', message: errorMessage(error) });
      if (!(error instanceof MlflowNetworkError))
        this.ctx.reporter.report(error, () => this.load());
    }
  }

  /** A new version of the trace (after a write or a refresh). */
  update(trace: TraceInfo): void {
    if (this.isElsewhere) return;
    this.latest = trace;
    this.host.panel.title = truncate(traceName(trace), 40);
    if (this.host.isReady) void this.send(trace);
    // Fetch the spans while the webview loads; send() then finds them in the store's cache.
    else if (trace.state !== 'IN_PROGRESS') this.ctx.store.spansOf(trace).catch(() => undefined);
  }

  private async onReady(): Promise<void> {
    if (this.webviewReadyMs === 0) this.webviewReadyMs = performance.now() - this.createdAt;
    if (this.isElsewhere) {
      // A webview re-created after being hidden: what was shown, and that it is elsewhere.
      if (this.lastView)
        this.host.post({ type: 'trace', trace: this.lastView, server: this.server });
      await this.load();
      return;
    }
    // A newer version may arrive while the spans of this one load: send until none did.
    let sent: TraceInfo | undefined;
    while (this.latest && this.latest !== sent) {
      sent = this.latest;
      await this.send(sent);
    }
  }

  private async send(trace: TraceInfo): Promise<void> {
    let spans: Span[] | { error: string };
    try {
      spans = await this.ctx.store.spansOf(trace);
    } catch (error) {
      spans = { error: errorMessage(error) };
    }
    this.spanCount = Array.isArray(spans) ? spans.length : 0;
    this.lastView = toTraceView(trace, spans);
    this.host.post({ type: 'trace', trace: this.lastView, server: this.server });
  }

  private async onMessage(message: Exclude<TraceFromWebview, { type: 'ready' }>): Promise<void> {
    // The webview turns its buttons off when told; this covers a click on the way.
    if (this.isElsewhere && message.type !== 'rendered' && !isCopy(message)) {
      throw new ErrorWithActions(
        `This trace is on ${this.server}, and the extension now reads ${this.ctx.serverUrl()}. Connect to ${this.server} again to act on it.`,
        [{ title: 'Connect to Another Server', command: 'selectServer' }],
      );
    }
    switch (message.type) {
      case 'refresh':
        await this.ctx.store.refreshTrace(this.traceId);
        return;
      case 'assessmentAction':
        await this.onAction(message.action, message.assessmentId);
        return;
      case 'openForm':
        await this.forms.show({
          mode: message.mode,
          traceId: this.traceId,
          ...(message.spanId ? { spanId: message.spanId } : {}),
          returnFocus: this.returnHere,
        });
        return;
      case 'rendered':
        this.ctx.log.debug(`Trace panel rendered ${this.traceId} in ${message.ms.toFixed(1)} ms`);
        this.ctx.traceRendered.fire({
          traceId: this.traceId,
          webviewReadyMs: this.webviewReadyMs,
          renderMs: message.ms,
          spans: this.spanCount,
        });
        return;
      default:
        assertNever(message);
    }
  }

  private async onAction(action: AssessmentAction, id: string): Promise<void> {
    const assessmentId = asAssessmentId(id);
    switch (action) {
      case 'edit':
      case 'override':
        await this.forms.show({
          mode: action,
          traceId: this.traceId,
          assessmentId,
          returnFocus: this.returnHere,
        });
        return;
      case 'delete': {
        // The webview asked for confirmation in place, saying what goes.
        const assessment = this.latest?.assessments.find((a) => a.assessmentId === assessmentId);
        await this.ctx.store.deleteAssessment(this.traceId, assessmentId);
        notify(`$(trash) Deleted ${assessment ? describeAssessment(assessment) : id}`);
        return;
      }
      case 'copyId':
        await copyToClipboard(assessmentId);
        return;
      default:
        assertNever(action);
    }
  }
}

function isCopy(message: TraceFromWebview): boolean {
  return message.type === 'assessmentAction' && message.action === 'copyId';
}
