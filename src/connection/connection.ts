/**
 * The connection to the MLflow server: the one shared client, built from the settings and the
 * stored credentials, and the connection state every view shows (status bar, welcome content).
 */
import * as vscode from 'vscode';
import {
  MlflowInputError,
  MlflowApiError,
  MlflowClient,
  MlflowNetworkError,
  MlflowRouteNotFoundError,
  MlflowServerTooOldError,
  MlflowSetupError,
  type Credentials,
  type CredentialsProvider,
  type NetworkSummary,
  type RequestLogEntry,
} from '../mlflow';
import { CredentialStore, originOf, type StoredCredentials } from './credentials';
import { PlainHttpGuard } from './plain-http-guard';
import { readSettings, SECTION, type Settings } from './settings';
import { CONTEXT_KEYS } from '../ui/ids';
import { setContext } from '../ui/vscode-commands';
import { Backoff } from '../util/backoff';
import { errorMessage } from '../util/error-message';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'connected'; version: string }
  /** Nothing answers at the default URL: nothing has been set up yet. */
  | { kind: 'notConfigured'; message: string }
  /** The configured URL cannot be used; `fix` is what the person probably meant. */
  | { kind: 'misconfigured'; message: string; fix?: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'unauthorized'; message: string }
  | { kind: 'tooOld'; message: string; version?: string };

/** Settings that change which server is asked, or how: a change makes a new client. */
const CONNECTION_SETTINGS = [
  `${SECTION}.trackingUri`,
  `${SECTION}.caFile`,
  `${SECTION}.insecureSkipTlsVerify`,
  `${SECTION}.clientCertFile`,
  `${SECTION}.clientKeyFile`,
  `${SECTION}.requestTimeoutSeconds`,
  `${SECTION}.maxResponseMegabytes`,
  'http',
];

/** MLflow 3 introduced the trace and assessment API this extension uses. */
const FIRST_SUPPORTED_MAJOR = 3;

export class Connection implements vscode.Disposable {
  /** None while the configured URL cannot be used (the state says why). */
  private currentClient: MlflowClient | undefined;
  private currentSettings: Settings;
  private currentState: ConnectionState = { kind: 'connecting' };
  private readonly stateChanged = new vscode.EventEmitter<ConnectionState>();
  /** Fires when the state changes, and when the server or credentials change (then `connecting`). */
  readonly onDidChangeState = this.stateChanged.event;
  private readonly settingsChanged = new vscode.EventEmitter<Settings>();
  /** Fires when any setting changes: the server and credentials too (then also `connecting`). */
  readonly onDidChangeSettings = this.settingsChanged.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** The check in flight, for the client it checks (a newer client starts its own). */
  private checking:
    { client: MlflowClient | undefined; result: Promise<ConnectionState> } | undefined;
  /** Tracking URLs whose embedded password we offered to move (once per window). */
  private readonly offeredToStore = new Set<string>();
  /** A server started by the extension, used instead of the settings while it runs. */
  private localServerUrl: string | undefined;
  /** While nothing answers, the server is asked again, less and less often. */
  private readonly recheckDelays = new Backoff(2_000, 60_000);
  private recheckTimer: NodeJS.Timeout | undefined;
  private checksStarted = 0;
  /** What was last logged about the way to the server: logged again only when it changes. */
  private loggedNetwork = '';
  /**
   * The lines logged about the way to the server (proxy, CA file, client certificate, TLS checks
   * off), in order: the same as the log's, for tests. Never a secret.
   */
  readonly networkLog: string[] = [];

  constructor(
    private readonly credentials: CredentialStore,
    private readonly log: vscode.LogOutputChannel,
    private reviewerFallback: string,
    private readonly plainHttp: PlainHttpGuard,
  ) {
    this.currentSettings = this.readSettings();
    this.currentClient = this.createClient();
    this.logNetwork();
    this.offerToStoreEmbedded();
    this.disposables.push(
      this.stateChanged,
      this.settingsChanged,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (CONNECTION_SETTINGS.some((key) => e.affectsConfiguration(key))) this.reload();
        else if (e.affectsConfiguration(SECTION)) {
          this.currentSettings = this.readSettings();
          this.settingsChanged.fire(this.currentSettings);
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.reload();
      }),
      credentials.onDidChange((origin) => {
        if (origin === this.origin) this.reload();
      }),
      credentials.onDidChangePassphrase((keyFile) => {
        if (keyFile === this.currentSettings.clientKeyFile) this.reload();
      }),
    );
  }

  get client(): MlflowClient {
    if (!this.currentClient) {
      throw new MlflowInputError(
        `${this.currentSettings.trackingUri.problem ?? 'No server.'} Run "MLflow: Connect to Server…" to fix it.`,
      );
    }
    return this.currentClient;
  }

  get settings(): Settings {
    return this.currentSettings;
  }

  /** Which proxy, CA file and client certificate the client uses; none while misconfigured. */
  get network(): NetworkSummary | undefined {
    return this.currentClient?.network;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  get origin(): string {
    const { url, problem } = this.currentSettings.trackingUri;
    return problem ? url : originOf(url);
  }

  /** How many checks of the server have started (activation starts none: a test checks it). */
  get checks(): number {
    return this.checksStarted;
  }

  /** Asks the server who it is; one check at a time. */
  check(): Promise<ConnectionState> {
    if (this.checking && this.checking.client === this.currentClient) return this.checking.result;
    this.checksStarted++;
    const checking = { client: this.currentClient, result: this.runCheck() };
    this.checking = checking;
    void checking.result.finally(() => {
      if (this.checking === checking) this.checking = undefined;
    });
    return checking.result;
  }

  /**
   * Called when a request of an action or a view fails, so the state reflects what was just
   * seen. A 403 refuses that action only (a read-only user can still read): the view stays. A
   * failure of the connection (one timed-out or cut request) says little about the server: it
   * is asked again, and only when that check fails does the whole view say so.
   */
  noteFailure(error: unknown): void {
    if (isRefusedAction(error)) return;
    const state = stateForError(error, this.currentSettings.trackingUri.origin === 'default');
    if (!state) return;
    if (state.kind === 'unreachable' || state.kind === 'notConfigured') void this.check();
    else this.setState(state);
  }

  /** Re-reads the settings and credentials and starts over with a new client. */
  reload(): void {
    this.recheckDelays.reset();
    const previous = this.currentClient;
    this.currentSettings = this.readSettings();
    this.currentClient = this.createClient();
    this.logNetwork();
    void previous?.close();
    this.offerToStoreEmbedded();
    this.settingsChanged.fire(this.currentSettings);
    this.setState({ kind: 'connecting' });
    void this.check();
  }

  /** The reviewer identity when the setting is empty (git's user.email arrives after start-up). */
  setReviewerFallback(reviewer: string): void {
    this.reviewerFallback = reviewer;
    this.currentSettings = this.readSettings();
    this.settingsChanged.fire(this.currentSettings);
  }

  /** Talks to a server the extension started (or, with undefined, to the configured one again). */
  useLocalServer(url: string | undefined): void {
    this.localServerUrl = url;
    this.reload();
  }

  private readSettings(): Settings {
    const settings = readSettings(this.reviewerFallback);
    return this.localServerUrl
      ? { ...settings, trackingUri: { url: this.localServerUrl, origin: 'local server' } }
      : settings;
  }

  dispose(): void {
    clearTimeout(this.recheckTimer);
    for (const d of this.disposables) d.dispose();
    void this.currentClient?.close();
  }

  /**
   * What the server says to these credentials, without keeping them or changing the state: a
   * sign-in stores credentials only once the server has accepted them.
   */
  async probe(credentials: StoredCredentials): Promise<ConnectionState> {
    const client = this.createClient(async () =>
      (await this.plainHttp.allows(this.origin)) ? credentials : { kind: 'none' },
    );
    if (!client) return this.misconfigured();
    try {
      return await this.stateOf(client);
    } finally {
      void client.close();
    }
  }

  private async runCheck(): Promise<ConnectionState> {
    const client = this.currentClient;
    const state = client ? await this.stateOf(client) : this.misconfigured();
    // A newer client (settings changed meanwhile) has its own check.
    if (client === this.currentClient) this.setState(state);
    return state;
  }

  /** Asks a client's server who it is, and whether these credentials may read. */
  private async stateOf(client: MlflowClient): Promise<ConnectionState> {
    let state: ConnectionState;
    try {
      const version = await client.getServerVersion();
      // /version answers without auth on basic-auth servers: ask for something that needs it.
      await client.searchExperiments({ maxResults: 1 });
      const major = Number.parseInt(version, 10);
      state =
        Number.isFinite(major) && major < FIRST_SUPPORTED_MAJOR
          ? {
              kind: 'tooOld',
              version,
              message: `The MLflow server at ${this.origin} runs MLflow ${version}; assessments need MLflow 3 or later.`,
            }
          : { kind: 'connected', version };
    } catch (error) {
      state = stateForError(error, this.currentSettings.trackingUri.origin === 'default') ?? {
        kind: 'unreachable',
        message: errorMessage(error),
      };
    }
    return state;
  }

  private setState(state: ConnectionState): void {
    const unchanged = sameState(this.currentState, state);
    this.currentState = state;
    this.scheduleRecheck(state);
    // The same state again (a check after a failed request that found the server well) changes
    // nothing shown: the views are not redrawn, which would ask the server once more.
    if (unchanged) return;
    setContext(CONTEXT_KEYS.state, state.kind);
    this.stateChanged.fire(state);
  }

  /** Unreachable: asked again after a growing wait, so polling resumes by itself. */
  private scheduleRecheck(state: ConnectionState): void {
    clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
    if (state.kind === 'unreachable' || state.kind === 'notConfigured') {
      this.recheckTimer = setTimeout(() => void this.check(), this.recheckDelays.next());
    } else if (state.kind === 'connected') {
      this.recheckDelays.reset();
    }
  }

  /**
   * What goes with a request to `origin`: the stored credentials, else a user and password
   * written into the configured URL (for its own origin only); over plain HTTP to another
   * machine, only once the person agreed.
   */
  private async credentialsFor(origin: string): Promise<Credentials> {
    const stored = await this.credentials.get(origin);
    const embedded = this.currentSettings.trackingUri.embedded;
    const found: Credentials =
      stored.kind !== 'none' ||
      !embedded ||
      originOf(this.currentSettings.trackingUri.url) !== origin
        ? stored
        : { kind: 'basic', ...embedded };
    if (found.kind === 'none') return found;
    return (await this.plainHttp.allows(origin)) ? found : { kind: 'none' };
  }

  /**
   * A password in the tracking URL setting sits in a plain file (settings.json), and may be
   * shared with a repository: offer to keep it in SecretStorage and take it out of the setting.
   */
  private offerToStoreEmbedded(): void {
    const { url, origin, embedded } = this.currentSettings.trackingUri;
    if (!embedded || this.offeredToStore.has(url)) return;
    this.offeredToStore.add(url);
    const move = 'Keep It in Secret Storage';
    void vscode.window
      .showWarningMessage(
        `The tracking URL in your ${origin} holds a user and password. Keep them in VS Code's secret storage for ${originOf(url)} instead, and remove them from the setting?`,
        move,
      )
      .then(async (choice) => {
        if (choice !== move) return;
        await this.credentials.store(originOf(url), { kind: 'basic', ...embedded });
        const target =
          origin === 'workspace settings'
            ? vscode.ConfigurationTarget.Workspace
            : origin === 'user settings'
              ? vscode.ConfigurationTarget.Global
              : undefined;
        // MLFLOW_TRACKING_URI cannot be changed from here; the stored credentials apply anyway.
        if (target !== undefined)
          await vscode.workspace.getConfiguration(SECTION).update('trackingUri', url, target);
      });
  }

  private misconfigured(): ConnectionState {
    const { problem, fix } = this.currentSettings.trackingUri;
    return { kind: 'misconfigured', message: problem ?? '', ...(fix ? { fix } : {}) };
  }

  private createClient(credentials?: CredentialsProvider): MlflowClient | undefined {
    const settings = this.currentSettings;
    if (settings.trackingUri.problem) return undefined;
    const origin = originOf(settings.trackingUri.url);
    const http = vscode.workspace.getConfiguration('http');
    const proxyUrl = http.get<string>('proxy')?.trim();
    const noProxy = http.get<string[]>('noProxy', []);
    const proxyAuthorization = http.get<string | null>('proxyAuthorization')?.trim();
    const { clientCertFile, clientKeyFile } = settings;
    return new MlflowClient({
      baseUrl: settings.trackingUri.url,
      // Looked up per request for this client's own origin: a sign-in applies at once, and
      // credentials stored for another server never go here.
      credentials: credentials ?? (() => this.credentialsFor(origin)),
      timeoutMs: settings.requestTimeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      ...(settings.caFile ? { caFile: settings.caFile } : {}),
      insecureSkipTlsVerify: settings.insecureSkipTlsVerify,
      ...(clientCertFile && clientKeyFile
        ? {
            clientCertificate: {
              certFile: clientCertFile,
              keyFile: clientKeyFile,
              passphrase: () => this.credentials.keyPassphrase(clientKeyFile),
            },
          }
        : {}),
      // VS Code's rules for extensions' requests: `off` means no proxy, the environment's
      // included; `on`, `fallback` and `override` differ only for requests that bring an agent of
      // their own through Node's http module, which this client does not use: the proxy applies.
      proxy: {
        support: http.get<string>('proxySupport', 'override') === 'off' ? 'off' : 'on',
        ...(proxyUrl ? { url: proxyUrl } : {}),
        // http.noProxy, when it lists anything, replaces NO_PROXY (as in VS Code).
        ...(noProxy.length > 0 ? { noProxy: noProxy.join(',') } : {}),
        strictSSL: http.get<boolean>('proxyStrictSSL', true),
        ...(proxyAuthorization ? { authorization: proxyAuthorization } : {}),
      },
      onRequest: (entry) => {
        this.logRequest(entry);
      },
      userAgent: `mlflow-trace-review-vscode (${vscode.env.appName} ${vscode.version})`,
    });
  }

  /**
   * Says in the log how the server is reached (directly or through which proxy, and why), with
   * which CA file and client certificate, and that TLS checks are off when they are: once, and
   * again only when any of it changes. Never a secret: the proxy shows without credentials.
   */
  private logNetwork(): void {
    const network = this.network;
    if (!network) return;
    const lines = describeNetwork(network);
    const key = `${this.origin}\n${lines.join('\n')}`;
    if (key === this.loggedNetwork) return;
    this.loggedNetwork = key;
    for (const line of lines) {
      const logged = `${this.origin}: ${line}`;
      this.networkLog.push(logged);
      if (/^TLS certificate checks are off/.test(line)) this.log.warn(logged);
      else this.log.info(logged);
    }
  }

  private logRequest(entry: RequestLogEntry): void {
    // The server answered after all (it was restarted, the network came back): check again, so
    // the view does not go on saying it is unreachable.
    const answered = entry.status !== undefined && entry.status < 400;
    const kind = this.currentState.kind;
    if (answered && (kind === 'unreachable' || kind === 'notConfigured')) void this.check();
    const status = entry.status ?? entry.error ?? 'no response';
    const retry = entry.attempt > 1 ? ` (attempt ${entry.attempt})` : '';
    const line = `${entry.method} ${entry.path} → ${status} in ${Math.round(entry.durationMs)} ms${retry}`;
    if (entry.status !== undefined && entry.status < 400) this.log.debug(line);
    else this.log.warn(line);
  }
}

/** The way to the server, one line per fact, for the log and the status bar's tooltip. */
export function describeNetwork(network: NetworkSummary): string[] {
  const route = network.proxy;
  const reasons = {
    none: 'no proxy is set',
    off: 'http.proxySupport is off',
    loopback: 'a loopback address never goes through a proxy',
    noProxy: 'the host is in http.noProxy or NO_PROXY',
  };
  return [
    route.kind === 'proxy'
      ? `Proxy: ${route.shown} (from ${route.source})`
      : route.kind === 'invalid'
        ? `Proxy: ${route.shown} from ${route.source} cannot be used (${route.problem})`
        : `Proxy: none (${reasons[route.reason]})`,
    ...(network.caFile ? [`CA file: ${network.caFile}`] : []),
    ...(network.clientCertFile ? [`Client certificate: ${network.clientCertFile}`] : []),
    ...(network.insecureSkipTlsVerify
      ? [
          'TLS certificate checks are off (mlflowTraceReview.insecureSkipTlsVerify): anyone on the network path can read and change what is sent.',
        ]
      : []),
  ];
}

/** The connection state a failure implies, or undefined when it says nothing about the server. */
export function stateForError(error: unknown, isDefaultUrl: boolean): ConnectionState | undefined {
  // A setting that cannot be used (a file, a passphrase, a proxy URL): nothing was sent.
  if (error instanceof MlflowSetupError) return { kind: 'unreachable', message: error.message };
  if (error instanceof MlflowNetworkError && error.failure !== 'cancelled') {
    return isDefaultUrl
      ? { kind: 'notConfigured', message: error.message }
      : { kind: 'unreachable', message: error.message };
  }
  if (error instanceof MlflowApiError && error.status === 403 && refusesHostName(error)) {
    return { kind: 'unreachable', message: error.message };
  }
  if (error instanceof MlflowApiError && (error.status === 401 || error.status === 403)) {
    return { kind: 'unauthorized', message: error.message };
  }
  if (error instanceof MlflowServerTooOldError) {
    return { kind: 'tooOld', message: error.message, version: error.serverVersion };
  }
  if (error instanceof MlflowRouteNotFoundError)
    return { kind: 'unreachable', message: error.message };
  return undefined;
}

function sameState(a: ConnectionState, b: ConnectionState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** MLflow refuses every request reached by a host name it does not allow (`--allowed-hosts`). */
function refusesHostName(error: MlflowApiError): boolean {
  return /Invalid Host header/i.test(error.serverMessage);
}

/** A 403 for one action (a read-only user writing), not for the whole server. */
function isRefusedAction(error: unknown): boolean {
  return error instanceof MlflowApiError && error.status === 403 && !refusesHostName(error);
}
