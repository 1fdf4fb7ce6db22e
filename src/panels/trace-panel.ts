/**
 * The trace panel: one per trace, opened from the tree, a command or a trace id. It shows what
 * the store knows and follows its changes; actions on assessments go to the same commands and
 * forms as everywhere else. Restored after a reload from its state (the trace id only).
 */
import * as vscode from 'vscode';
import { z } from 'zod';
import type { Span, TraceInfo } from '../mlflow';
import { assertNever, type FromWebview } from '../shared/protocol';
import { traceName, truncate } from '../tree/format';
import { errorMessage } from '../util/error-message';
import type { FormPanels } from './form-panel';
import type { PanelContext } from './panel-context';
import { PanelHost, TRACE_VIEW_TYPE } from './panel-host';
import { toTraceView } from './trace-view';

const savedState = z.object({ traceId: z.string() });

export class TracePanels implements vscode.Disposable {
  private readonly open = new Map<string, TracePanel>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: PanelContext,
    private readonly forms: FormPanels,
  ) {
    this.subscriptions.push(
      ctx.store.onDidChange((change) => {
        if (change.kind === 'trace') this.open.get(change.trace.traceId)?.update(change.trace);
      }),
      vscode.window.registerWebviewPanelSerializer(TRACE_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          const parsed = savedState.safeParse(state);
          if (!parsed.success) {
            panel.dispose();
            return;
          }
          await this.adopt(panel, parsed.data.traceId);
        },
      }),
    );
  }

  /** Shows the trace's panel, making it if needed. */
  async show(traceId: string): Promise<vscode.WebviewPanel> {
    const existing = this.open.get(traceId);
    if (existing) {
      existing.host.panel.reveal();
      return existing.host.panel;
    }
    const panel = vscode.window.createWebviewPanel(
      TRACE_VIEW_TYPE,
      'Trace',
      vscode.ViewColumn.Active,
    );
    await this.adopt(panel, traceId);
    return panel;
  }

  dispose(): void {
    for (const panel of this.open.values()) panel.host.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private async adopt(panel: vscode.WebviewPanel, traceId: string): Promise<void> {
    const tracePanel = new TracePanel(this.ctx, this.forms, panel, traceId);
    this.open.set(traceId, tracePanel);
    tracePanel.host.onDispose(() => this.open.delete(traceId));
    await tracePanel.load();
  }
}

class TracePanel {
  readonly host: PanelHost;
  private ready = false;
  private latest: TraceInfo | undefined;
  private readonly createdAt = performance.now();
  private webviewReadyMs = 0;

  constructor(
    private readonly ctx: PanelContext,
    private readonly forms: FormPanels,
    panel: vscode.WebviewPanel,
    private readonly traceId: string,
  ) {
    panel.title = `Trace ${traceId.slice(0, 11)}…`;
    this.host = new PanelHost(panel, ctx.extensionUri, 'trace', ctx.log, (m) => this.onMessage(m));
  }

  async load(): Promise<void> {
    try {
      this.update(
        this.ctx.store.trace(this.traceId) ?? (await this.ctx.store.refreshTrace(this.traceId)),
      );
    } catch (error) {
      this.host.post({ type: 'error', message: errorMessage(error) });
    }
  }

  /** How many spans the last trace sent to the webview had. */
  private spanCount = 0;

  /** A new version of the trace (after a write or a refresh). */
  update(trace: TraceInfo): void {
    this.latest = trace;
    this.host.panel.title = truncate(traceName(trace), 40);
    if (this.ready) void this.send(trace);
    // Fetch the spans while the webview loads; send() then finds them in the store's cache.
    else if (trace.state !== 'IN_PROGRESS') this.ctx.store.spansOf(trace).catch(() => undefined);
  }

  private async send(trace: TraceInfo): Promise<void> {
    let spans: Span[] | { error: string };
    try {
      spans = await this.ctx.store.spansOf(trace);
    } catch (error) {
      spans = { error: errorMessage(error) };
    }
    this.spanCount = Array.isArray(spans) ? spans.length : 0;
    this.host.post({ type: 'trace', trace: toTraceView(trace, spans) });
  }

  private async onMessage(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.webviewReadyMs = performance.now() - this.createdAt;
        if (this.latest) await this.send(this.latest);
        return;
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
      case 'submit':
      case 'cancel':
        return; // form messages: not for this panel
      default:
        assertNever(message);
    }
  }

  private async onAction(
    action: 'edit' | 'override' | 'delete' | 'copyId',
    assessmentId: string,
  ): Promise<void> {
    const target = { traceId: this.traceId, assessmentId };
    switch (action) {
      case 'edit':
      case 'override':
        await this.forms.show({ mode: action, ...target });
        return;
      case 'delete':
        // The webview asked for confirmation in place, saying what goes.
        await vscode.commands.executeCommand('mlflowTraceReview.deleteAssessment', {
          ...target,
          confirmed: true,
        });
        return;
      case 'copyId':
        await vscode.env.clipboard.writeText(assessmentId);
        vscode.window.setStatusBarMessage(`Copied ${assessmentId}`, 3000);
        return;
    }
  }
}
