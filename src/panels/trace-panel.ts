/**
 * The trace panel: one per trace, opened from the tree, a command or a trace id. It shows what
 * the store knows and follows its changes; actions on assessments call the store and the forms
 * directly, with the trace the panel holds. Restored after a reload from its state (the trace id).
 */
import * as vscode from 'vscode';
import * as z from '../mlflow/zod';
import { asTraceId, MlflowNetworkError, type Span, type TraceId, type TraceInfo } from '../mlflow';
import { describeAssessment, revealBidi, traceName, truncate } from '../shared/format';
import { assertNever } from '../shared/protocol/common';
import {
  TRACE_PROTOCOL,
  type AssessmentAction,
  type TraceFromWebview,
  type TraceToWebview,
  type TraceView,
} from '../shared/protocol/trace';
import { firstRootIndex } from '../shared/span-tree';
import { ErrorWithActions } from '../ui/error-reporter';
import { WEBVIEW_TYPES } from '../ui/ids';
import { copyToClipboard, notify } from '../ui/notify';
import { errorMessage } from '../util/error-message';
import type { FormPanels } from './form-panel';
import type { PanelContext } from './panel-context';
import { PanelHost } from './panel-host';
import { queuesMessage, toSpanDetails, toTraceView, traceOrigin } from './trace-view';
import { assessmentOfTrace, checkSpanOfTrace } from './webview-checks';

/** What a trace webview saves: its trace, and the server it came from (older panels lack it). */
const savedState = z.object({ traceId: z.string(), server: z.optional(z.string()) });

/** Two opens of one trace this close together are a double-click on its row. */
const DOUBLE_CLICK_MS = 500;

export class TracePanels implements vscode.Disposable {
  private readonly open = new Map<TraceId, TracePanel>();

  /** Trace panels held now (each is forgotten when its panel goes). */
  get count(): number {
    return this.open.size;
  }
  /** The trace of the trace panel that is the active editor, if one is (commands act on it). */
  activeTraceId(): TraceId | undefined {
    for (const [traceId, panel] of this.open) if (panel.host.panel.active) return traceId;
    // A panel's `active` follows a view-state event that can come after the tab shows as active:
    // then the active tab says which panel it is (its group and title, when only one matches).
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
    if (!(tab?.input instanceof vscode.TabInputWebview)) return undefined;
    if (!tab.input.viewType.endsWith(WEBVIEW_TYPES.trace)) return undefined;
    const matching = [...this.open].filter(
      ([, panel]) =>
        panel.host.panel.title === tab.label &&
        panel.host.panel.viewColumn === tab.group.viewColumn,
    );
    return matching.length === 1 ? matching[0]?.[0] : undefined;
  }
  /** The panel that the next preview replaces. */
  private preview: TracePanel | undefined;
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
          ctx.start();
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

  /**
   * Shows the trace's panel, making it if needed. A `preview` (a click on a tree row) takes the
   * place of the previous preview, as VS Code's own preview editors do, unless that one was kept:
   * pinned, opened twice (a double-click), or acted on.
   */
  async show(
    traceId: TraceId,
    where: { column?: vscode.ViewColumn; preserveFocus?: boolean; preview?: boolean } = {},
  ): Promise<vscode.WebviewPanel> {
    const preview = where.preview === true && previewsEnabled();
    const existing = this.open.get(traceId);
    if (existing) {
      // Opened again: a double-click on its row, or a command that names it. Either keeps it.
      if (!preview || existing.openedWithin(DOUBLE_CLICK_MS)) this.keep(existing);
      // Where it is, unless a column was asked for (it is not pulled over a form).
      existing.host.panel.reveal(
        where.column ?? existing.host.panel.viewColumn,
        where.preserveFocus,
      );
      return existing.host.panel;
    }
    const reusable = preview ? this.reusablePreview() : undefined;
    if (reusable) {
      this.open.delete(reusable.traceId);
      this.open.set(traceId, reusable);
      reusable.retarget(traceId, this.ctx.serverUrl());
      reusable.host.panel.reveal(reusable.host.panel.viewColumn, where.preserveFocus);
      await reusable.load();
      return reusable.host.panel;
    }
    const panel = vscode.window.createWebviewPanel(WEBVIEW_TYPES.trace, 'Trace', {
      viewColumn: where.column ?? vscode.ViewColumn.Active,
      preserveFocus: where.preserveFocus ?? false,
    });
    const created = await this.adopt(panel, traceId);
    if (preview) this.preview = created;
    return panel;
  }

  /** The preview panel, if it is still open, still a preview, and not pinned in its tab. */
  private reusablePreview(): TracePanel | undefined {
    const preview = this.preview;
    if (!preview || preview.host.isDisposed || preview.wasActedOn || isPinned(preview.host.panel))
      return undefined;
    return preview;
  }

  private keep(panel: TracePanel): void {
    if (this.preview === panel) this.preview = undefined;
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
  ): Promise<TracePanel> {
    const tracePanel = new TracePanel(this.ctx, this.forms, panel, traceId, server);
    this.open.set(traceId, tracePanel);
    tracePanel.host.onDispose(() => {
      // Under the trace it shows now (a preview may have shown several).
      if (this.open.get(tracePanel.traceId) === tracePanel) this.open.delete(tracePanel.traceId);
      if (this.preview === tracePanel) this.preview = undefined;
    });
    await tracePanel.load();
    return tracePanel;
  }
}

class TracePanel {
  readonly host: PanelHost<TraceToWebview, TraceFromWebview>;
  private latest: TraceInfo | undefined;
  /** What the webview was sent last: shown again, read-only, while on another server. */
  private lastView: TraceView | undefined;
  /** The whole message that carried lastView (with its first span's details). */
  private lastMessage: Extract<TraceToWebview, { type: 'trace' }> | undefined;
  /**
   * The spans lastView summarises (the store's cached array): a selected span's details are
   * read from them, by index, without asking the server; its earliest start.
   */
  private shownSpans: { spans: Span[]; origin: bigint | undefined } | undefined;
  /** The size of the last message of each kind sent (for TraceRendered). */
  /** The last message of each type, sized only when a listener reads messageBytes. */
  private readonly sent = new Map<TraceToWebview['type'], TraceToWebview>();
  private readonly createdAt = performance.now();
  private webviewReadyMs = 0;
  /** From the panel's creation to its last trace message posted (the host's share done). */
  private traceSentMs = 0;
  /** How many spans the last trace sent to the webview had. */
  private spanCount = 0;
  /** The spans the webview holds now (the store's array): the same again are not re-sent. */
  private spansInWebview: Span[] | undefined;

  constructor(
    private readonly ctx: PanelContext,
    private readonly forms: FormPanels,
    panel: vscode.WebviewPanel,
    private currentTraceId: TraceId,
    /** The tracking URL this trace lives on: the panel acts only while the extension reads it. */
    private server: string,
  ) {
    panel.title = `Trace ${currentTraceId.slice(0, 11)}…`;
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

  /** When this panel was made or last given another trace. */
  private openedAt = performance.now();
  /** The person did something in it (a form, an edit, a refresh): a preview is kept then. */
  wasActedOn = false;

  get traceId(): TraceId {
    return this.currentTraceId;
  }

  openedWithin(ms: number): boolean {
    return performance.now() - this.openedAt < ms;
  }

  /** A preview shows another trace: what belonged to the previous one goes. */
  retarget(traceId: TraceId, server: string): void {
    this.currentTraceId = traceId;
    this.server = server;
    this.latest = undefined;
    this.lastView = undefined;
    this.lastMessage = undefined;
    this.shownSpans = undefined;
    this.openedAt = performance.now();
    this.host.panel.title = `Trace ${traceId.slice(0, 11)}…`;
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
    const traceId = this.traceId;
    this.ctx.store.prefetchSpans(traceId);
    try {
      const trace = await this.ctx.store.getTrace(traceId);
      // A preview given another trace meanwhile shows that one instead.
      if (traceId === this.traceId) this.update(trace);
    } catch (error) {
      if (traceId !== this.traceId) return;
      // Shown in the panel (it has nothing else to show). A server that does not answer is not
      // reported again: the status bar says so, and the panel loads once it answers.
      this.host.post({ type: 'error', message: errorMessage(error) });
      if (!(error instanceof MlflowNetworkError))
        this.ctx.reporter.report(error, () => this.load());
    }
  }

  /** A new version of the trace (after a write or a refresh). */
  update(trace: TraceInfo): void {
    if (this.isElsewhere || trace.traceId !== this.traceId) return;
    this.latest = trace;
    // A tab title is plain text, but bidi controls in a name would still reorder it.
    this.host.panel.title = revealBidi(truncate(traceName(trace), 40));
    if (this.host.isReady) void this.send(trace);
    // Fetch the spans while the webview loads; send() then finds them in the store's cache.
    else if (trace.state !== 'IN_PROGRESS') this.ctx.store.spansOf(trace).catch(() => undefined);
  }

  private async onReady(): Promise<void> {
    if (this.webviewReadyMs === 0) this.webviewReadyMs = performance.now() - this.createdAt;
    // A new webview (first shown, or re-made after being hidden) has no spans yet.
    this.spansInWebview = undefined;
    if (this.isElsewhere) {
      // A webview re-created after being hidden: what was shown, and that it is elsewhere.
      if (this.lastMessage) {
        this.post(this.lastMessage);
        this.spansInWebview = this.shownSpans?.spans;
      }
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
    if (trace.traceId !== this.traceId) return;
    this.spanCount = Array.isArray(spans) ? spans.length : 0;
    const sameSpans =
      Array.isArray(spans) &&
      spans === this.spansInWebview &&
      this.lastView?.traceId === trace.traceId;
    this.lastView = toTraceView(trace, spans);
    void this.sendQueues(trace);
    if (sameSpans) {
      const {
        spans: _spans,
        request: _req,
        response: _res,
        spansError: _err,
        ...rest
      } = this.lastView;
      if (this.lastMessage) this.lastMessage = { ...this.lastMessage, trace: this.lastView };
      this.post({ type: 'traceUpdate', trace: rest });
      return;
    }
    const spanList = Array.isArray(spans) ? spans : undefined;
    this.spansInWebview = spanList;
    this.shownSpans = spanList && { spans: spanList, origin: traceOrigin(spanList) };
    // The span shown first comes whole with the list; the others when they are selected.
    const details = spanList
      ? toSpanDetails(spanList, firstRootIndex(spanList), this.shownSpans?.origin, true)
      : undefined;
    this.lastMessage = {
      type: 'trace',
      trace: this.lastView,
      server: this.server,
      ...(details ? { details } : {}),
    };
    this.post(this.lastMessage);
    void this.ctx.sourceCommit(trace).then((text) => {
      if (text && trace.traceId === this.traceId)
        this.post({ type: 'sourceCommit', traceId: trace.traceId, text });
    });
  }

  /** Which queue read is the latest: an older answer arriving late is dropped. */
  private queuesAsked = 0;

  /** The review queues holding the trace, read again after each change of the trace. */
  private async sendQueues(trace: TraceInfo): Promise<void> {
    const asked = ++this.queuesAsked;
    const message = await queuesMessage(this.ctx, trace);
    if (asked !== this.queuesAsked || trace.traceId !== this.traceId || this.host.isDisposed)
      return;
    this.post(message);
  }

  /** Posts `message`, keeping it for the size a rendered event may be asked for. */
  private post(message: TraceToWebview): void {
    this.sent.set(message.type, message);
    this.host.post(message);
    if (message.type === 'trace') this.traceSentMs = performance.now() - this.createdAt;
  }

  /**
   * The webview selected a span whose details it does not have: they are sent from the spans
   * it was shown (no request to the server), that span's only. A question about another trace
   * (a preview since given another) or spans since replaced is left unanswered.
   */
  private sendDetails(message: Extract<TraceFromWebview, { type: 'selectSpan' }>): void {
    const shown = this.shownSpans;
    if (message.traceId !== this.traceId || !shown) return;
    if (shown.spans[message.index]?.spanId !== message.spanId) {
      this.ctx.log.warn(
        `The trace panel asked for span ${truncate(message.spanId, 40)} at ${message.index}, which is not one of the spans it was sent`,
      );
      return;
    }
    const details = toSpanDetails(shown.spans, message.index, shown.origin);
    if (details) this.post({ type: 'spanDetails', traceId: this.traceId, details });
  }

  /** The spans the webview was shown, or undefined when they are not known (not loaded, failed). */
  private knownSpans(): readonly { spanId: string }[] | undefined {
    const view = this.lastView;
    return view && view.traceId === this.traceId && !view.spansError ? view.spans : undefined;
  }

  private async onMessage(message: Exclude<TraceFromWebview, { type: 'ready' }>): Promise<void> {
    // Reading (a span selected, a render measured) does not keep a preview; acting does.
    const reads = message.type === 'rendered' || message.type === 'selectSpan';
    if (!reads) this.wasActedOn = true;
    // The webview turns its buttons off when told; this covers a click on the way.
    if (this.isElsewhere && !reads && !isCopy(message)) {
      throw new ErrorWithActions(
        `This trace is on ${this.server}, and the extension now reads ${this.ctx.serverUrl()}. Connect to ${this.server} again to act on it.`,
        [{ title: 'Connect to Another Server', command: 'selectServer' }],
      );
    }
    switch (message.type) {
      case 'refresh':
        // The trace's new version reads its queues again (send).
        await this.ctx.store.refreshTrace(this.traceId);
        return;
      case 'openSession':
        await this.ctx.openSession(this.traceId);
        return;
      case 'addToQueue': {
        const added = await this.ctx.addToQueue(this.traceId);
        if (added !== undefined && this.latest) await this.sendQueues(this.latest);
        return;
      }
      case 'assessmentAction':
        await this.onAction(message.action, message.assessmentId);
        return;
      case 'openForm':
        if (message.spanId) checkSpanOfTrace(this.traceId, this.knownSpans(), message.spanId);
        await this.forms.show({
          mode: message.mode,
          traceId: this.traceId,
          ...(message.spanId ? { spanId: message.spanId } : {}),
          returnFocus: this.returnHere,
        });
        return;
      case 'compareCommit':
        await this.ctx.compareCommit(await this.ctx.store.getTrace(this.traceId));
        return;
      case 'goToSource':
        checkSpanOfTrace(this.traceId, this.knownSpans(), message.spanId);
        await this.ctx.goToSource(this.traceId, message.spanId);
        return;
      case 'selectSpan':
        this.sendDetails(message);
        return;
      case 'rendered': {
        this.ctx.log.debug(
          `Trace panel rendered ${this.traceId} (${message.cause}: ${message.redrawn.join(', ')}) in ${message.ms.toFixed(1)} ms`,
        );
        const { cause } = message;
        const carried =
          cause === 'trace' ||
          cause === 'traceUpdate' ||
          cause === 'spanDetails' ||
          cause === 'queues';
        const sent = carried ? this.sent.get(cause) : undefined;
        this.ctx.traceRendered.fire({
          traceId: this.traceId,
          webviewReadyMs: this.webviewReadyMs,
          traceSentMs: this.traceSentMs,
          renderMs: message.ms,
          spans: this.spanCount,
          partial: message.cause === 'traceUpdate',
          cause: message.cause,
          redrawn: message.redrawn,
          // A getter: serialising a multi-MB message again costs time only when it is asked for.
          get messageBytes() {
            return sent ? Buffer.byteLength(JSON.stringify(sent)) : 0;
          },
          rows: message.rows,
          scroll: message.scroll,
        });
        return;
      }
      default:
        assertNever(message);
    }
  }

  private async onAction(action: AssessmentAction, id: string): Promise<void> {
    // Only an assessment of this trace, as the panel last showed it: nothing else is sent.
    const assessment = assessmentOfTrace(this.traceId, this.latest, id);
    const assessmentId = assessment.assessmentId;
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
      case 'delete':
        // The webview asked for confirmation in place, saying what goes.
        await this.ctx.store.deleteAssessment(this.traceId, assessmentId);
        notify(`$(trash) Deleted ${describeAssessment(assessment)}`);
        return;
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

/** VS Code's own setting for preview editors: off means every open gets its own tab. */
function previewsEnabled(): boolean {
  return vscode.workspace.getConfiguration('workbench.editor').get<boolean>('enablePreview', true);
}

/** Whether the person pinned the panel's tab (Pin Editor): a pinned preview is never replaced. */
function isPinned(panel: vscode.WebviewPanel): boolean {
  const group = vscode.window.tabGroups.all.find((g) => g.viewColumn === panel.viewColumn);
  return (
    group?.tabs.some(
      (tab) =>
        tab.isPinned &&
        tab.label === panel.title &&
        tab.input instanceof vscode.TabInputWebview &&
        tab.input.viewType.endsWith(WEBVIEW_TYPES.trace),
    ) ?? false
  );
}
