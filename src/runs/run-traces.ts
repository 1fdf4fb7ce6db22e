/**
 * "3 new traces from this run — Review": when a watched run of the app ends, one bounded search
 * (the shown experiments, the run's time window, newest first) finds the traces it made; a
 * status-bar item and a notification offer them for review. A run that made none says nothing.
 * No polling: the search runs once, a short grace after the run ends.
 */
import * as vscode from 'vscode';
import type { MlflowClient, TraceId, TraceInfo } from '../mlflow';
import type { TraceStore } from '../store/trace-store';
import { COMMANDS } from '../ui/ids';
import { errorMessage } from '../util/error-message';
import {
  collectFrom,
  GRACE_MS,
  MAX_RUN_TRACES,
  offerText,
  runTraces,
  runWindow,
  windowFilter,
  type EndedRun,
} from './run-window';
import { RunWatcher } from './run-watcher';

export interface RunOffer {
  run: EndedRun;
  /** Newest first. */
  traceIds: TraceId[];
}

export class RunTraces implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly watcher: RunWatcher;
  private readonly offered = new vscode.EventEmitter<RunOffer>();
  /** Each offer made (tests and the Review command read it). */
  readonly onDidOffer = this.offered.event;
  /** Runs whose traces were looked for (tests wait on it; a run not watched adds nothing). */
  collected = 0;
  private readonly searched = new vscode.EventEmitter<RunOffer>();
  /** Each search done after a run, with what it found (nothing, often). */
  readonly onDidSearch = this.searched.event;
  /** The last run's traces, offered now. */
  last: RunOffer | undefined;
  private showing = false;

  constructor(
    private readonly deps: {
      store: TraceStore;
      client: () => MlflowClient;
      log: vscode.LogOutputChannel;
      /** Nothing is asked of the server before the extension is in use (view shown, a command). */
      inUse: () => boolean;
      graceMs?: number;
    },
  ) {
    this.item = vscode.window.createStatusBarItem(
      'mlflowTraceReview.runTraces',
      vscode.StatusBarAlignment.Left,
      50,
    );
    this.item.name = 'MLflow: Traces from the Last Run';
    this.watcher = new RunWatcher(
      () =>
        collectFrom(
          vscode.workspace.getConfiguration('mlflowTraceReview').get('runTraces.collectFrom'),
        ),
      (run) => void this.collect(run),
    );
  }

  /** The run's traces, found once it has ended; offered when there are any. */
  async collect(run: EndedRun): Promise<TraceInfo[]> {
    const { store, log } = this.deps;
    if (!this.deps.inUse()) return [];
    this.collected++;
    const grace = this.deps.graceMs ?? GRACE_MS;
    // The SDK may still be exporting the last trace as the process ends.
    await new Promise((resolve) => setTimeout(resolve, grace));
    try {
      const experiments = await store.experiments();
      if (experiments.length === 0) return [];
      const window = runWindow(run, grace);
      const page = await this.deps.client().searchTraces({
        experimentIds: experiments.map((e) => e.experimentId),
        filter: windowFilter(window),
        maxResults: MAX_RUN_TRACES,
        orderBy: ['timestamp_ms DESC'],
      });
      const traces = runTraces(page.items, window);
      log.info(`Run ended (${run.kind}: ${run.name}): ${traces.length} trace(s) in its window.`);
      const found = { run, traceIds: traces.map((t) => t.traceId) };
      if (traces.length > 0) this.offer(found);
      this.searched.fire(found);
      return traces;
    } catch (error) {
      // Not worth a pop-up after every run: the log says why nothing was offered.
      log.warn(
        `Could not look for the traces of the run (${run.kind}: ${run.name}): ${errorMessage(error)}`,
      );
      return [];
    }
  }

  private offer(offer: RunOffer): void {
    this.last = offer;
    const text = offerText(offer.traceIds.length);
    this.item.text = `$(beaker) ${text}`;
    this.item.tooltip = `${text} (${offer.run.kind}: ${offer.run.name}). Click to review them one after another.`;
    this.item.command = {
      title: 'Review',
      command: COMMANDS.reviewRunTraces,
      arguments: [offer.traceIds],
    };
    this.item.show();
    this.showing = true;
    this.offered.fire(offer);
    void vscode.window.showInformationMessage(`${text} — Review`, 'Review').then((choice) => {
      if (choice === 'Review')
        void vscode.commands.executeCommand(COMMANDS.reviewRunTraces, offer.traceIds);
    });
  }

  /** Once reviewing has started, the offer is taken. */
  taken(): void {
    this.item.hide();
    this.showing = false;
  }

  /** What the status bar item shows now (tests). */
  get shown(): { text: string; visible: boolean } {
    return { text: this.item.text, visible: this.showing };
  }

  dispose(): void {
    this.watcher.dispose();
    this.item.dispose();
    this.offered.dispose();
    this.searched.dispose();
  }
}
