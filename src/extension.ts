/**
 * The extension's entry point: builds the services once (connection, store, tree, commands,
 * status bar) and hands every disposable to VS Code. Activation is lazy: VS Code activates the
 * extension when its view is opened, one of its commands runs, or a Python file is opened (for
 * the lenses, src/code/); activation only registers.
 */
import * as vscode from 'vscode';
import { registerCodeLinks, type CodeLinks } from './code/code-links';
import { registerGitContent } from './code/git-commit';
import { compareWithRecordedCommit, sourceCommitLine } from './code/which-commit';
import { registerCommands } from './commands';
import type { CommandContext } from './commands/context';
import { Connection } from './connection/connection';
import { PlainHttpGuard } from './connection/plain-http-guard';
import type { LabelSchemaKind, TraceId, TraceInfo } from './mlflow';
import { CredentialStore } from './connection/credentials';
import { LocalServer } from './connection/local-server';
import { FormPanels } from './panels/form-panel';
import type { TraceRendered } from './panels/panel-context';
import { TracePanels } from './panels/trace-panel';
import { ReviewPanels } from './panels/review-panel';
import { SessionPanels } from './panels/session-panel';
import { GROUPED_STATE_KEY } from './commands/session-commands';
import { gitUserEmail, osUser } from './connection/reviewer';
import type { Settings } from './connection/settings';
import { plain } from './shared/format';
import { createStatusBar } from './status-bar';
import { TraceStore } from './store/trace-store';
import type { TreeNode } from './tree/nodes';
import { RunTraces } from './runs/run-traces';
import { TraceTreeProvider } from './tree/trace-tree';
import { ViewDecorator } from './tree/view-decorations';
import type { QueueTreeNode } from './tree/queue-model';
import { QueueTreeProvider } from './tree/queue-tree';
import { ExperimentQuestions } from './store/experiment-questions';
import { queuesOfTrace } from './store/trace-queues';
import { NotifyingErrorReporter } from './ui/error-reporter';
import { CONTEXT_KEYS, QUEUES_VIEW_ID, VIEW_ID } from './ui/ids';
import { runCommand, setContext } from './ui/vscode-commands';
import type { CodeCacheUse } from './util/code-cache';

/** What activate() returns: the pieces tests look at. Not a stable API for other extensions. */
export interface ExtensionApi {
  readonly connection: Connection;
  readonly credentials: CredentialStore;
  readonly store: TraceStore;
  readonly tree: TraceTreeProvider;
  readonly view: vscode.TreeView<TreeNode>;
  /** The Review Queues view and its rows. */
  readonly queues: QueueTreeProvider;
  readonly queuesView: vscode.TreeView<QueueTreeNode>;
  /** Each time a trace panel has drawn its trace (the benchmarks time the panel with it). */
  readonly onDidRenderTrace: vscode.Event<TraceRendered>;
  /** The panels the extension holds now: none may outlive its tab (tests check it). */
  openPanels(): { traces: number; forms: number };
  /** Session panels held now. */
  openSessionPanels(): number;
  /** The CodeLens and hover of traced Python code (requests sent, lenses given). */
  readonly code: CodeLinks;
  /** The review panel (tests read which item it shows and how fast the next one was drawn). */
  readonly review: ReviewPanels;
  /** The traces of the last run of the app, offered for review. */
  readonly runs: RunTraces;
  /** Whether this window loaded the bundle with V8's code cache (src/main.ts). */
  readonly codeCache: CodeCacheUse;
}

export function activate(
  context: vscode.ExtensionContext,
  codeCache: CodeCacheUse = 'absent',
): ExtensionApi {
  const log = vscode.window.createOutputChannel('MLflow Trace Review', { log: true });
  const credentials = new CredentialStore(context.secrets);
  const connection = new Connection(
    credentials,
    log,
    osUser(),
    new PlainHttpGuard(context.globalState),
  );
  // Not awaited: nothing waits for git. In Restricted Mode git is not asked at all (it reads
  // the repository's config), until the person trusts the workspace.
  const askGit = () =>
    void gitUserEmail(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath).then((email) => {
      if (email) connection.setReviewerFallback(email);
    });
  const localServer = new LocalServer(context.workspaceState, context.globalStorageUri, log);
  // Activation only registers: the first request to the server and the git child process wait
  // until the person uses the extension (the view is shown, a command runs, a panel is restored).
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    if (vscode.workspace.isTrusted) askGit();
    context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(askGit));
    // A local server that ran before the window reloaded comes back on its remembered port.
    if (localServer.wasRunning && vscode.workspace.isTrusted) {
      void runCommand('startLocalServer').then((url) => {
        // It could not start (reported): the configured server, then.
        if (url === undefined) void connection.check();
      });
    } else void connection.check();
  };
  const store = new TraceStore(connection);
  const tree = new TraceTreeProvider(store, connection);
  // "Group by Session" as the person left it in this workspace.
  const grouped = context.workspaceState.get<boolean>(GROUPED_STATE_KEY, false);
  tree.model.setGroupBySession(grouped);
  setContext(CONTEXT_KEYS.groupedBySession, grouped);
  const view = vscode.window.createTreeView(VIEW_ID, {
    treeDataProvider: tree,
    showCollapseAll: true,
    // Several traces at once for "Add to Review Queue…"; the other commands act on the row
    // clicked (or the first selected).
    canSelectMany: true,
  });
  const decorator = new ViewDecorator(view);
  const queues = new QueueTreeProvider(connection, store);
  const queuesView = vscode.window.createTreeView(QUEUES_VIEW_ID, {
    treeDataProvider: queues,
    showCollapseAll: true,
  });
  const traceRendered = new vscode.EventEmitter<TraceRendered>();
  const reporter = new NotifyingErrorReporter(log, (error) => {
    connection.noteFailure(error);
  });
  const questions = new ExperimentQuestions((message) => {
    log.warn(message);
  });
  const panelContext = {
    extensionUri: context.extensionUri,
    store,
    reviewer: () => connection.settings.reviewer,
    log,
    reporter,
    traceRendered,
    start,
    onDidConnect: (listener: () => void) =>
      connection.onDidChangeState((state) => {
        if (state.kind === 'connected') listener();
      }),
    serverUrl: () => connection.settings.trackingUri.url,
    onDidChangeServer: serverChanges(connection),
    // Through the command, which finds the session (late-bound: the session panels come after).
    openSession: (traceId: TraceId) => Promise.resolve(runCommand('openSession', traceId)),
    sourceCommit: sourceCommitLine,
    compareCommit: (trace: TraceInfo) => compareWithRecordedCommit(store, code.parser, trace),
    goToSource: (traceId: TraceId, spanId: string) =>
      Promise.resolve(runCommand('goToSource', { traceId, spanId })),
    questionsOf: (experimentId: string | undefined, kind: LabelSchemaKind) =>
      questions.of(connection.client, experimentId, kind),
    queuesOfTrace: (trace: TraceInfo) =>
      trace.experimentId
        ? queuesOfTrace(connection.client.review, trace.experimentId, trace.traceId)
        : Promise.resolve([]),
    addToQueue: (traceId: TraceId) =>
      Promise.resolve(runCommand('addToReviewQueue', { traceIds: [traceId] })),
    showTraceBeingRated: async (next: TraceInfo, previous: TraceId) => {
      await traces.replace(previous, next.traceId);
      // Its row too, when the tree is shown (a hidden tree has no rows to select).
      if (next.experimentId && view.visible) {
        const node = tree.nodeForTrace(next, next.experimentId);
        await view.reveal(node, { select: true, focus: false });
      }
    },
  };
  const forms = new FormPanels(panelContext);
  const traces = new TracePanels(panelContext, forms);
  const sessions = new SessionPanels(panelContext, forms, traces);
  // Registration only: the parser loads with the first Python file that imports mlflow.
  const code = registerCodeLinks({
    extensionUri: context.extensionUri,
    connection,
    store,
    log,
    start,
  });
  const review = new ReviewPanels(panelContext, forms, {
    review: () => connection.client.review,
    reviewer: () => queues.model.reviewer(),
    workspaceState: context.workspaceState,
    queuesChanged: () => {
      queues.refresh();
    },
  });
  let shown = listShape(connection.settings);
  let reviewer = connection.settings.reviewer;
  // Runs are watched from activation; their traces are looked for once the extension is in use.
  const runs = new RunTraces({ store, client: () => connection.client, log, inUse: () => started });
  const ctx: CommandContext = {
    extension: context,
    connection,
    credentials,
    store,
    tree,
    view,
    queues,
    log,
    reporter,
    localServer,
    traces,
    forms,
    sessions,
    review,
    questions,
    runs,
    drafts: new Map(),
    start,
    code,
  };

  context.subscriptions.push(
    log,
    traceRendered,
    credentials,
    connection,
    store,
    tree,
    view,
    queues,
    queuesView,
    localServer,
    forms,
    traces,
    sessions,
    code,
    registerGitContent(),
    review,
    runs,
    createStatusBar(connection),
    ...registerCommands(ctx),
    // A run of the app made traces: the lenses above its functions count them now, not in a minute.
    runs.onDidOffer(() => {
      code.recount();
    }),
    connection.onDidChangeState((state) => {
      // Anything loaded belonged to the previous server or credentials.
      if (state.kind === 'connecting') store.reset();
      // Back after an outage on the same server: what loaded stays, what failed loads again.
      else {
        if (state.kind === 'connected') store.dropFailed();
        tree.refreshAll();
      }
      updateViewDecorations(tree, decorator, connection);
      if (state.kind === 'misconfigured') offerTrackingUriFix(state);
      // Another server, another sign-in, or back: who reviews and which queues, asked again.
      if (state.kind !== 'connecting') queues.refresh();
    }),
    // New, gone or renamed experiments (a poll, a refresh): their queues too.
    store.onDidChange((change) => {
      if (change.kind === 'experiments') queues.refresh();
    }),
    queues.model.onDidChangeIdentity((identity) => {
      queuesView.description = identity?.user;
      queuesView.message = queues.model.identityLine();
    }),
    connection.onDidChangeSettings((settings) => {
      // Another page size or list of experiments: load again what is shown.
      const shape = listShape(settings);
      if (shape !== shown) store.reset();
      if (shape !== shown || settings.reviewer !== reviewer) queues.refresh();
      reviewer = settings.reviewer;
      shown = shape;
    }),
    tree.onDidChangeCounts(() => {
      updateViewDecorations(tree, decorator, connection);
    }),
    view.onDidChangeSelection((e) => {
      const selected = e.selection[0];
      setContext(CONTEXT_KEYS.assessmentSelected, selected?.kind === 'assessment');
    }),
    startAutoRefresh(store, view, connection),
    keepAgesCurrent(tree, view),
    shareTrackingUri(context.environmentVariableCollection, connection),
    localServer.onDidChangeUrl((url) => {
      setContext(CONTEXT_KEYS.localServerRunning, url !== undefined);
    }),
    localServer.onDidExit((exit) => {
      void connection.check();
      void vscode.window
        .showErrorMessage(
          `The local MLflow server at ${exit.url} stopped (exit ${exit.code}). Its output is in ${exit.logPath}.`,
          'Restart',
          'Open Server Log',
        )
        .then(async (choice) => {
          if (choice === 'Restart') await runCommand('startLocalServer');
          if (choice === 'Open Server Log')
            await vscode.window.showTextDocument(vscode.Uri.file(exit.logPath));
        });
    }),
  );
  void credentials.has(connection.origin).then((signedIn) => {
    setContext(CONTEXT_KEYS.signedIn, signedIn);
  });
  if (view.visible || queuesView.visible) start();
  context.subscriptions.push(
    view.onDidChangeVisibility((e) => {
      if (e.visible) start();
    }),
    queuesView.onDidChangeVisibility((e) => {
      if (e.visible) start();
    }),
  );
  return {
    connection,
    credentials,
    store,
    tree,
    view,
    queues,
    queuesView,
    onDidRenderTrace: traceRendered.event,
    openPanels: () => ({ traces: traces.count, forms: forms.count }),
    openSessionPanels: () => sessions.count,
    code,
    review,
    runs,
    codeCache,
  };
}

export function deactivate(): void {
  // Everything, the local MLflow server included, is disposed through context.subscriptions.
}

/** A tracking URL that cannot be used: say why, and offer what the person probably meant. */
function offerTrackingUriFix(state: { message: string; fix?: string }): void {
  const use = state.fix ? `Use ${state.fix}` : undefined;
  void vscode.window
    .showErrorMessage(state.message, ...(use ? [use] : []), 'Connect to a Server…', 'Open Settings')
    .then(async (choice) => {
      if (choice === use && state.fix) await runCommand('selectServer', state.fix);
      else if (choice === 'Connect to a Server…') await runCommand('selectServer');
      else if (choice === 'Open Settings') await runCommand('openSettings');
    });
}

/** Fires with the new tracking URL each time it changes (not on other settings). */
function serverChanges(connection: Connection): vscode.Event<string> {
  return (listener, thisArg, disposables) => {
    // Each listener compares with the URL it last saw.
    let url = connection.settings.trackingUri.url;
    return connection.onDidChangeSettings(
      (settings) => {
        if (settings.trackingUri.url === url) return;
        url = settings.trackingUri.url;
        listener.call(thisArg, url);
      },
      undefined,
      disposables,
    );
  };
}

/** The settings that decide what the tree's lists hold. */
function listShape(settings: Settings): string {
  return JSON.stringify([settings.pageSize, settings.experiments]);
}

/**
 * The badge (traces no person has rated among those loaded) and the message at the top of the
 * view: what is wrong with the connection (naming the server), else the active filters. (A
 * view alone in its container shows no description, so the filters go in the message too.)
 */
function updateViewDecorations(
  tree: TraceTreeProvider,
  decorator: ViewDecorator,
  connection: Connection,
): void {
  const state = connection.state;
  const { count, loaded } = tree.unratedCount();
  decorator.show({
    badge:
      state.kind === 'connected' && count > 0
        ? {
            value: count,
            tooltip: `${count} of the ${loaded} loaded traces have no human feedback`,
          }
        : undefined,
    description: tree.description(),
    message:
      state.kind === 'unreachable' ||
      state.kind === 'unauthorized' ||
      state.kind === 'tooOld' ||
      state.kind === 'misconfigured'
        ? plain(state.message)
        : state.kind === 'connected'
          ? tree.description()
          : undefined,
  });
}

/**
 * New integrated terminals get MLFLOW_TRACKING_URI for the server the view shows, so the app run
 * there logs its traces where the reviewer looks (and not into a new ./mlruns or mlflow.db).
 * Terminals already open are marked by VS Code as wanting a relaunch. No credentials go there.
 */
function shareTrackingUri(
  environment: vscode.GlobalEnvironmentVariableCollection,
  connection: Connection,
): vscode.Disposable {
  environment.description = 'MLFLOW_TRACKING_URI: the MLflow server that MLflow Trace Review shows';
  const update = () => {
    const { url, origin, problem } = connection.settings.trackingUri;
    // The default URL is shared only once something answers there; a broken one never.
    if (!problem && (origin !== 'default' || connection.state.kind === 'connected'))
      environment.replace('MLFLOW_TRACKING_URI', url);
    else environment.delete('MLFLOW_TRACKING_URI');
  };
  update();
  return vscode.Disposable.from(
    connection.onDidChangeState(update),
    connection.onDidChangeSettings(update),
  );
}

/** While the view is visible, the rows' ages ("3 min ago") are redrawn as they change. */
function keepAgesCurrent(
  tree: TraceTreeProvider,
  view: vscode.TreeView<TreeNode>,
): vscode.Disposable {
  const timer = setInterval(() => {
    if (view.visible) tree.refreshAges();
  }, AGE_TICK_MS);
  return new vscode.Disposable(() => clearInterval(timer));
}

/** Often enough for "s ago" to move; only rows whose text changed are redrawn. */
const AGE_TICK_MS = 15_000;

/** While the view is visible, looks for new traces every `autoRefreshSeconds`. */
function startAutoRefresh(
  store: TraceStore,
  view: vscode.TreeView<TreeNode>,
  connection: Connection,
): vscode.Disposable {
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  const poll = async () => {
    if (polling || !view.visible || connection.state.kind !== 'connected') return;
    polling = true;
    try {
      await store.pollExperiments();
      for (const experiment of await store.experiments())
        await store.pollNewest(experiment.experimentId);
    } catch (error) {
      connection.noteFailure(error);
    } finally {
      polling = false;
    }
  };
  const schedule = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    const seconds = connection.settings.autoRefreshSeconds;
    if (seconds > 0 && view.visible) timer = setInterval(() => void poll(), seconds * 1000);
  };
  schedule();
  const subscriptions = [
    view.onDidChangeVisibility(() => {
      schedule();
      void poll();
    }),
    connection.onDidChangeState(schedule),
    connection.onDidChangeSettings(schedule),
  ];
  return new vscode.Disposable(() => {
    if (timer) clearInterval(timer);
    for (const s of subscriptions) s.dispose();
  });
}
