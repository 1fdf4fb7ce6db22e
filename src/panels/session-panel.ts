/**
 * The session panel: a session's turns in order, read from the server (every turn, not only what
 * the tree has loaded), each with its request, response, latency, tokens, cost and assessments.
 * A turn opens in the trace panel; "Rate Turn" and "Rate Session" open the one feedback form
 * (a session-level rating goes on the session's first turn with `mlflow.trace.session` in its
 * metadata, as MLflow's session scorers log it). It follows the store: an assessment written
 * anywhere shows here. Restored after a reload from its state (experiment, session, server).
 */
import * as vscode from 'vscode';
import * as z from '../mlflow/zod';
import {
  asExperimentId,
  MlflowInputError,
  MlflowNetworkError,
  type ExperimentId,
  type TraceId,
  type TraceInfo,
} from '../mlflow';
import { revealBidi, truncate } from '../shared/format';
import { assertNever } from '../shared/protocol/common';
import {
  SESSION_PROTOCOL,
  type SessionFromWebview,
  type SessionToWebview,
} from '../shared/protocol/session';
import { firstTurn, sessionIdOf, sessionLabel } from '../shared/sessions';
import type { StoreChange } from '../store/trace-store';
import { ErrorWithActions } from '../ui/error-reporter';
import { WEBVIEW_TYPES } from '../ui/ids';
import { errorMessage } from '../util/error-message';
import type { FormPanels } from './form-panel';
import type { PanelContext } from './panel-context';
import { PanelHost } from './panel-host';
import { toSessionView } from './session-view';
import type { TracePanels } from './trace-panel';

/** What a session webview saves: which session, on which server. */
const savedState = z.object({
  experimentId: z.string(),
  sessionId: z.string(),
  server: z.string(),
});

export class SessionPanels implements vscode.Disposable {
  private readonly open = new Map<string, SessionPanel>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: PanelContext,
    private readonly forms: FormPanels,
    private readonly traces: TracePanels,
  ) {
    this.subscriptions.push(
      ctx.store.onDidChange((change) => {
        for (const panel of this.open.values()) panel.onStoreChange(change);
      }),
      ctx.onDidConnect(() => {
        for (const panel of this.open.values()) if (!panel.hasTurns) void panel.load();
      }),
      ctx.onDidChangeServer(() => {
        for (const panel of this.open.values()) void panel.load();
      }),
      vscode.window.registerWebviewPanelSerializer(WEBVIEW_TYPES.session, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          ctx.start();
          const parsed = savedState.safeParse(state);
          if (!parsed.success) {
            panel.dispose();
            return;
          }
          const { experimentId, sessionId, server } = parsed.data;
          await this.adopt(panel, asExperimentId(experimentId), sessionId, server);
        },
      }),
    );
  }

  /** Session panels held now. */
  get count(): number {
    return this.open.size;
  }

  /** Shows the session's panel, making it if needed. */
  async show(experimentId: ExperimentId, sessionId: string): Promise<vscode.WebviewPanel> {
    const existing = this.open.get(panelKey(experimentId, sessionId));
    if (existing) {
      existing.host.panel.reveal(existing.host.panel.viewColumn);
      await existing.load();
      return existing.host.panel;
    }
    const panel = vscode.window.createWebviewPanel(WEBVIEW_TYPES.session, 'Session', {
      viewColumn: vscode.ViewColumn.Active,
    });
    await this.adopt(panel, experimentId, sessionId, this.ctx.serverUrl());
    return panel;
  }

  dispose(): void {
    for (const panel of this.open.values()) panel.host.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private async adopt(
    panel: vscode.WebviewPanel,
    experimentId: ExperimentId,
    sessionId: string,
    server: string,
  ): Promise<void> {
    const key = panelKey(experimentId, sessionId);
    const sessionPanel = new SessionPanel(
      this.ctx,
      this.forms,
      this.traces,
      panel,
      experimentId,
      sessionId,
      server,
    );
    this.open.set(key, sessionPanel);
    sessionPanel.host.onDispose(() => {
      if (this.open.get(key) === sessionPanel) this.open.delete(key);
    });
    await sessionPanel.load();
  }
}

class SessionPanel {
  readonly host: PanelHost<SessionToWebview, SessionFromWebview>;
  private turns: TraceInfo[] | undefined;
  private complete = true;

  constructor(
    private readonly ctx: PanelContext,
    private readonly forms: FormPanels,
    private readonly traces: TracePanels,
    panel: vscode.WebviewPanel,
    private readonly experimentId: ExperimentId,
    private readonly sessionId: string,
    private readonly server: string,
  ) {
    panel.title = `Session ${revealBidi(truncate(sessionLabel(sessionId), 30))}`;
    this.host = new PanelHost(panel, {
      extensionUri: ctx.extensionUri,
      kind: 'session',
      protocol: SESSION_PROTOCOL,
      log: ctx.log,
      reporter: ctx.reporter,
      onReady: () => {
        this.send();
      },
      onMessage: (message) => this.onMessage(message),
    });
  }

  get hasTurns(): boolean {
    return this.turns !== undefined;
  }

  private get isElsewhere(): boolean {
    return this.ctx.serverUrl() !== this.server;
  }

  private elsewhere(): ErrorWithActions {
    return new ErrorWithActions(
      `This session is on ${this.server}, and the extension now reads ${this.ctx.serverUrl()}. Connect to ${this.server} again to act on it.`,
      [{ title: 'Connect to Another Server', command: 'selectServer' }],
    );
  }

  async load(): Promise<void> {
    if (this.isElsewhere) {
      this.host.post({ type: 'elsewhere', message: this.elsewhere().message });
      return;
    }
    try {
      const { turns, complete } = await this.ctx.store.sessionTurns(
        this.experimentId,
        this.sessionId,
      );
      this.turns = turns;
      this.complete = complete;
      this.send();
    } catch (error) {
      this.host.post({ type: 'error', message: errorMessage(error) });
      if (!(error instanceof MlflowNetworkError))
        this.ctx.reporter.report(error, () => this.load());
    }
  }

  /** A trace changed (a write, a poll): a turn's new copy; new turns of this session: reload. */
  onStoreChange(change: StoreChange): void {
    const turns = this.turns;
    if (!turns || this.isElsewhere) return;
    if (change.kind === 'trace') {
      const index = turns.findIndex((t) => t.traceId === change.trace.traceId);
      if (index < 0) return;
      turns[index] = change.trace;
      this.send();
    } else if (change.kind === 'list' && change.experimentId === this.experimentId) {
      const known = new Set(turns.map((t) => t.traceId));
      const list = this.ctx.store.list(this.experimentId)?.traces ?? [];
      if (list.some((t) => !known.has(t.traceId) && sessionIdOf(t) === this.sessionId))
        void this.load();
    }
  }

  private send(): void {
    if (!this.turns) return;
    this.host.post({
      type: 'session',
      session: toSessionView(this.experimentId, this.sessionId, this.turns, this.complete),
      server: this.server,
    });
  }

  private readonly returnHere = (): Thenable<void> => {
    if (!this.host.isDisposed) this.host.panel.reveal(this.host.panel.viewColumn, false);
    return Promise.resolve();
  };

  private async onMessage(message: Exclude<SessionFromWebview, { type: 'ready' }>): Promise<void> {
    if (this.isElsewhere) throw this.elsewhere();
    switch (message.type) {
      case 'refresh':
        await this.load();
        return;
      case 'openTurn':
        await this.traces.show(this.turnOf(message.traceId), { column: vscode.ViewColumn.Beside });
        return;
      case 'rateTurn':
        await this.forms.show({
          mode: 'feedback',
          traceId: this.turnOf(message.traceId),
          returnFocus: this.returnHere,
        });
        return;
      case 'rateSession': {
        const first = firstTurn(this.turns ?? []);
        if (!first) throw new Error(`Session ${this.sessionId} has no turns to rate.`);
        await this.forms.show({
          mode: 'feedback',
          traceId: first.traceId,
          sessionId: this.sessionId,
          returnFocus: this.returnHere,
        });
        return;
      }
      default:
        assertNever(message);
    }
  }

  /** A trace id from the webview: one of this session's turns as shown, or refused. */
  private turnOf(traceId: string): TraceId {
    const turn = this.turns?.find((t) => t.traceId === traceId);
    if (!turn) {
      throw new MlflowInputError(
        `The session panel sent a trace id that is not one of the turns it shows (${JSON.stringify(truncate(traceId, 80))}): nothing was done.`,
      );
    }
    return turn.traceId;
  }
}

function panelKey(experimentId: string, sessionId: string): string {
  return `${experimentId}:${JSON.stringify(sessionId)}`;
}
