/**
 * The one HTTP transport of the shared client, on undici. It owns connection reuse, TLS, proxies,
 * authentication, timeouts and the retry policy, and turns every failure into a typed error.
 * Nothing here knows MLflow's routes or shapes: see client.ts.
 *
 * undici is loaded with the first request, not with the module: it is most of the extension's
 * code, and activating the extension sends nothing. In the extension's bundle `undici` is
 * dist/undici.js beside it (esbuild.mjs); in tests and scripts, the package from node_modules.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { refuseDeepJson } from './json-depth';
import {
  MlflowApiError,
  MlflowNetworkError,
  MlflowResponseError,
  MlflowResponseTooLargeError,
  MlflowSetupError,
  type NetworkContext,
  type NetworkFailure,
} from './errors';
import { resolveProxy, type ProxyOptions, type ProxyRoute } from './proxy';

export type { ProxyOptions, ProxyRoute } from './proxy';

export type Credentials =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

/** Returns the credentials for a request; called per request so a sign-in takes effect at once. */
export type CredentialsProvider = () => Credentials | Promise<Credentials>;

/** A client certificate for servers that ask for one (mutual TLS). */
export interface ClientCertificate {
  /** PEM file of the certificate (and any intermediates). */
  certFile: string;
  /** PEM file of its private key, encrypted or not. */
  keyFile: string;
  /**
   * The key's passphrase, when it is encrypted, or a function that looks it up (SecretStorage)
   * before the first request. Never logged or shown.
   */
  passphrase?: string | (() => PromiseLike<string | undefined>);
}

/** What the transport does on the network, to be shown (status bar, log): never a secret. */
export interface NetworkSummary {
  proxy: ProxyRoute;
  caFile: string | undefined;
  clientCertFile: string | undefined;
  insecureSkipTlsVerify: boolean;
}

export interface RetryPolicy {
  /** Extra attempts after the first, for requests that are safe to repeat. */
  maxRetries: number;
  /** First backoff delay; doubles on each attempt, with jitter. */
  baseDelayMs: number;
  /** Longest wait between attempts, also the cap for a server's Retry-After. */
  maxDelayMs: number;
}

export interface RequestLogEntry {
  method: string;
  /** Path and query only: never the host's credentials or headers. */
  path: string;
  status: number | undefined;
  durationMs: number;
  attempt: number;
  error?: string;
}

export interface TransportOptions {
  /** The tracking server, with its static prefix if it has one: `http://host:5000/mlflow`. */
  baseUrl: string;
  credentials?: Credentials | CredentialsProvider;
  /** Sent with every request (a gateway's API key, for example). */
  headers?: Record<string, string>;
  /** Limit for one attempt, from sending to the last byte of the body. Default 30 s. */
  timeoutMs?: number;
  /** The largest response body read; a larger one fails the request. Default 64 MiB. */
  maxResponseBytes?: number;
  /** A PEM file with the CA certificates to trust for this server. */
  caFile?: string;
  /** Skip TLS certificate checks. Only on explicit opt-in. */
  insecureSkipTlsVerify?: boolean;
  /** Sent when the server asks for a client certificate (mutual TLS). */
  clientCertificate?: ClientCertificate;
  proxy?: ProxyOptions;
  retry?: Partial<RetryPolicy>;
  /** Called once per attempt; gets no header, body or credential. */
  onRequest?: (entry: RequestLogEntry) => void;
  userAgent?: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the base URL, starting with `/`, query included. */
  path: string;
  body?: unknown;
  /** True only for requests that change nothing (or, like a delete, change the same way twice). */
  safeToRetry: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  contentType: string;
  text: string;
  url: string;
}

/** undici once loaded; until then no undici error can exist, nor any request. */
let undici: typeof Undici | undefined;
let loadingUndici: Promise<typeof Undici> | undefined;

/** undici, loaded on first use and the same module (and error classes) after. */
function loadUndici(): Promise<typeof Undici> {
  loadingUndici ??= import('undici').then((module) => (undici = module));
  return loadingUndici;
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 2 ** 20;
const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 300, maxDelayMs: 10_000 };
/** Statuses that mean "not now": retried for safe requests only. */
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

export class HttpTransport {
  readonly baseUrl: string;
  private readonly origin: string;
  /** The TLS options, or why the files the settings name cannot be used (thrown on send). */
  private tls: Promise<TlsOptions | MlflowSetupError> | undefined;
  /** How this server is reached: directly or through a proxy, decided once per transport. */
  readonly route: ProxyRoute;
  private readonly context: NetworkContext;
  /** Created with the first request (undici is loaded then). */
  private dispatcher: Promise<Dispatcher> | undefined;
  /** Closed before any request was made. */
  private closedUnused = false;
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: TransportOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(
        `The tracking URL must start with http:// or https://, not ${base.protocol}`,
      );
    }
    this.baseUrl = base.href.replace(/\/+$/, '');
    this.origin = base.origin;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.route = resolveProxy(base, options.proxy);
    this.context = {
      ...(this.route.kind === 'proxy'
        ? { proxy: { shown: this.route.shown, source: this.route.source } }
        : {}),
      ...(options.caFile ? { caFile: options.caFile } : {}),
      clientCertificate: options.clientCertificate !== undefined,
    };
  }

  /** Which proxy, CA file and client certificate are in use: for the log and the status bar. */
  get network(): NetworkSummary {
    return {
      proxy: this.route,
      caFile: this.options.caFile,
      clientCertFile: this.options.clientCertificate?.certFile,
      insecureSkipTlsVerify: this.options.insecureSkipTlsVerify === true,
    };
  }

  /** Sends a request and returns the 2xx response; any other outcome throws a typed error. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    // Files are read with the first request; one that cannot be used fails each request with a
    // message that names its setting.
    this.tls ??= tlsOptions(this.options);
    const tls = await this.tls;
    if (tls instanceof MlflowSetupError) throw tls;
    if (this.route.kind === 'invalid') {
      throw new MlflowSetupError(
        this.route.source,
        `The proxy URL in ${this.route.source} (${this.route.shown}) cannot be used: ${this.route.problem}. ` +
          `Correct ${this.route.source === 'http.proxy' ? 'the setting http.proxy' : `the environment variable ${this.route.source}`}, or set http.proxySupport to "off" to connect without a proxy.`,
      );
    }
    const url = this.baseUrl + req.path;
    const dispatcher = await this.pool(tls);
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(req, url, attempt, dispatcher);
      const canRetry = req.safeToRetry && attempt <= this.retry.maxRetries && !req.signal?.aborted;
      if (outcome.kind === 'response') {
        const res = outcome.response;
        if (res.status >= 200 && res.status < 300) return res;
        const wait =
          canRetry && RETRYABLE_STATUSES.has(res.status)
            ? this.backoff(attempt, outcome.retryAfter)
            : undefined;
        if (wait === undefined) throw toApiError(req.method, res);
        await sleep(wait, req.signal);
      } else {
        // Only a connection cut before an answer is worth another try; a refused connection or a
        // timeout would just make the person wait longer for the same message.
        if (!(canRetry && outcome.error.failure === 'reset')) throw outcome.error;
        await sleep(this.backoff(attempt, undefined) ?? this.retry.maxDelayMs, req.signal);
      }
    }
  }

  /** Closes pooled connections (there are none before the first request). */
  async close(): Promise<void> {
    if (this.dispatcher === undefined) this.closedUnused = true;
    else await (await this.dispatcher).close();
  }

  /** The connection pool, created (and undici loaded) with the first request. */
  private pool(tls: TlsOptions): Promise<Dispatcher> {
    this.dispatcher ??= loadUndici().then(async (module) => {
      const dispatcher = createDispatcher(module, this.options, tls, this.route);
      // A request after close() fails as it always did: on a closed pool, never on a new one.
      if (this.closedUnused) await dispatcher.close();
      return dispatcher;
    });
    return this.dispatcher;
  }

  private async attempt(
    req: HttpRequest,
    url: string,
    attempt: number,
    dispatcher: Dispatcher,
  ): Promise<
    | { kind: 'response'; response: HttpResponse; retryAfter: string | undefined }
    | { kind: 'error'; error: MlflowNetworkError }
  > {
    const started = performance.now();
    const log = (status: number | undefined, error?: string): void =>
      this.options.onRequest?.({
        method: req.method,
        path: req.path,
        status,
        durationMs: Math.round(performance.now() - started),
        attempt,
        ...(error === undefined ? {} : { error }),
      });
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    try {
      const { request } = await loadUndici();
      const res = await request(url, {
        method: req.method,
        headers: await this.headers(req.body !== undefined),
        body: req.body === undefined ? null : JSON.stringify(req.body),
        dispatcher,
        signal,
      });
      const text = await readText(res, this.maxResponseBytes);
      if (text === undefined) {
        log(res.statusCode, 'too large');
        throw new MlflowResponseTooLargeError(
          req.method,
          url,
          this.maxResponseBytes,
          contentLength(res),
        );
      }
      log(res.statusCode);
      return {
        kind: 'response',
        response: {
          status: res.statusCode,
          contentType: headerValue(res.headers['content-type']),
          text,
          url,
        },
        retryAfter: headerValue(res.headers['retry-after']) || undefined,
      };
    } catch (cause) {
      // Not a network failure, and the same again on another try.
      if (cause instanceof MlflowResponseTooLargeError) throw cause;
      const proxyFailure = this.route.kind === 'proxy' ? proxyFault(cause) : undefined;
      const failure: NetworkFailure = proxyFailure
        ? 'proxy'
        : timeout.aborted && !req.signal?.aborted
          ? 'timeout'
          : classifyNetworkError(cause);
      const context: NetworkContext = {
        ...this.context,
        ...(proxyFailure?.status !== undefined ? { proxyStatus: proxyFailure.status } : {}),
        ...tlsDetail(cause),
      };
      const error = new MlflowNetworkError(failure, req.method, url, errorCode(cause), {
        cause,
        context,
      });
      log(undefined, `${failure}${error.code ? ` ${error.code}` : ''}`);
      return { kind: 'error', error };
    }
  }

  private async headers(hasBody: boolean): Promise<Record<string, string>> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.options.userAgent ?? 'mlflow-trace-review',
      ...this.options.headers,
    };
    if (hasBody) headers['content-type'] = 'application/json';
    const provided = this.options.credentials;
    const credentials = typeof provided === 'function' ? await provided() : provided;
    const authorization = authorizationHeader(credentials);
    // The transport only ever talks to `this.origin` (no redirects are followed), so the
    // credentials, which belong to that origin, cannot leak to another host.
    if (authorization) headers.authorization = authorization;
    return headers;
  }

  /** Delay before the next attempt, or undefined when the server asks for longer than we wait. */
  private backoff(attempt: number, retryAfter: string | undefined): number | undefined {
    if (retryAfter !== undefined) {
      const asked = parseRetryAfter(retryAfter);
      if (asked !== undefined) return asked <= this.retry.maxDelayMs ? asked : undefined;
    }
    const exponential = this.retry.baseDelayMs * 2 ** (attempt - 1);
    return Math.min(this.retry.maxDelayMs, exponential * (0.75 + Math.random() * 0.5));
  }

  toString(): string {
    return `HttpTransport(${this.origin})`;
  }
}

export function authorizationHeader(credentials: Credentials | undefined): string | undefined {
  switch (credentials?.kind) {
    case undefined:
    case 'none':
      return undefined;
    case 'basic':
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
    case 'bearer':
      return `Bearer ${credentials.token}`;
  }
}

/** Retry-After is either seconds or an HTTP date; returns milliseconds from now. */
export function parseRetryAfter(value: string, now = Date.now()): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The body as text, or undefined when it is larger than `limit` bytes: refused by its
 * Content-Length before reading, or once the bytes streamed pass the limit. Its stream is
 * cancelled then, so the rest is never downloaded.
 */
async function readText(res: Dispatcher.ResponseData, limit: number): Promise<string | undefined> {
  if ((contentLength(res) ?? 0) > limit) {
    res.body.destroy();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) {
      res.body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  // As undici's text(): UTF-8, without a byte order mark.
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function contentLength(res: Dispatcher.ResponseData): number | undefined {
  const declared = Number.parseInt(headerValue(res.headers['content-length']), 10);
  return Number.isNaN(declared) ? undefined : declared;
}

interface TlsOptions {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  rejectUnauthorized?: boolean;
}

/** The TLS options from the settings' files, or an error that names the setting to correct. */
async function tlsOptions(options: TransportOptions): Promise<TlsOptions | MlflowSetupError> {
  const read = (file: string, setting: string, what: string): string | MlflowSetupError => {
    try {
      return readFileSync(file, 'utf8');
    } catch (cause) {
      return new MlflowSetupError(
        setting,
        `Cannot read ${what} ${file} (${errorCode(cause) ?? String(cause)}), named by the setting ${setting}. Correct the path, or clear the setting.`,
        { cause },
      );
    }
  };
  const tls: TlsOptions = { rejectUnauthorized: options.insecureSkipTlsVerify !== true };
  if (options.caFile) {
    const ca = read(options.caFile, 'mlflowTraceReview.caFile', 'the CA file');
    if (ca instanceof MlflowSetupError) return ca;
    tls.ca = ca;
  }
  const client = options.clientCertificate;
  if (client) {
    const cert = read(
      client.certFile,
      'mlflowTraceReview.clientCertFile',
      'the client certificate',
    );
    if (cert instanceof MlflowSetupError) return cert;
    const key = read(client.keyFile, 'mlflowTraceReview.clientKeyFile', 'the client key');
    if (key instanceof MlflowSetupError) return key;
    const passphrase =
      typeof client.passphrase === 'function' ? await client.passphrase() : client.passphrase;
    // A wrong or missing passphrase would fail every handshake with OpenSSL's "bad decrypt":
    // found here, it gets a message that says what to do.
    try {
      createPrivateKey({ key, ...(passphrase !== undefined ? { passphrase } : {}) });
    } catch (cause) {
      const code = errorCode(cause);
      // OpenSSL 3 says "bad decrypt" or "unsupported" for a wrong passphrase, depending on the
      // key's format: an encrypted PEM with a passphrase that fails is taken as a wrong one.
      const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(key);
      const problem =
        code === 'ERR_MISSING_PASSPHRASE' || (encrypted && passphrase === undefined)
          ? 'is encrypted and no passphrase is stored for it'
          : encrypted
            ? 'is encrypted and the stored passphrase does not open it'
            : `cannot be read as a private key (${code ?? 'unknown error'})`;
      return new MlflowSetupError(
        'mlflowTraceReview.clientKeyFile',
        `The client key ${client.keyFile} (mlflowTraceReview.clientKeyFile) ${problem}. ` +
          'Run "MLflow: Set Client Key Passphrase…", or point the setting at the right key (PEM).',
        { cause },
      );
    }
    tls.cert = cert;
    tls.key = key;
    if (passphrase !== undefined) tls.passphrase = passphrase;
  }
  return tls;
}

/** Errors of connections to the proxy itself (not through it to the server): the proxy's fault. */
const proxyConnectionErrors = new WeakSet<Error>();

function createDispatcher(
  { Agent, Pool, ProxyAgent, buildConnector }: typeof Undici,
  options: TransportOptions,
  tls: TlsOptions,
  route: ProxyRoute,
): Dispatcher {
  // One transport talks to one origin, so the route is decided once: a plain keep-alive pool, or
  // a tunnel (CONNECT) through the proxy for http and https alike.
  if (route.kind !== 'proxy') return new Agent({ connect: tls, keepAliveTimeout: 10_000 });
  const authorization = options.proxy?.authorization?.trim();
  const proxyTls = { rejectUnauthorized: options.proxy?.strictSSL !== false };
  return new ProxyAgent({
    uri: route.url,
    // Else undici sends the user and password of the proxy URL, if it has them.
    ...(authorization ? { token: authorization } : {}),
    requestTls: tls,
    proxyTls,
    keepAliveTimeout: 10_000,
    // The connections to the proxy, as undici makes them, with their failures marked: an https
    // proxy's certificate fails with the same codes as the server's would.
    clientFactory: (origin, opts) => {
      const connect = buildConnector(proxyTls);
      return new Pool(origin, {
        ...opts,
        connect: (connectOptions, callback) => {
          connect(connectOptions, (...args) => {
            if (args[0]) proxyConnectionErrors.add(args[0]);
            callback(...args);
          });
        },
      });
    },
  });
}

/**
 * Whether a failure is the proxy's own: it refused the connection or cannot be found or reached
 * (every connection goes to the proxy first), or it answered the tunnel request with an error
 * status (407: it wants credentials; 403: it forbids the host; 5xx: it cannot reach the server).
 */
function proxyFault(error: unknown): { status?: number } | undefined {
  const message = error instanceof Error ? error.message : '';
  const status = /^Proxy response \((\d{3})\) !== 200/.exec(message)?.[1];
  if (status) return { status: Number(status) };
  for (let current: unknown = error, depth = 0; isRecord(current) && depth < 5; depth++) {
    if (current instanceof Error && proxyConnectionErrors.has(current)) return {};
    current = current.cause;
  }
  const code = errorCode(error);
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  )
    return {};
  return undefined;
}

/** What a certificate failure says beyond its code: the names the server's certificate holds. */
function tlsDetail(error: unknown): Pick<NetworkContext, 'certificateNames'> {
  for (let current: unknown = error, depth = 0; isRecord(current) && depth < 5; depth++) {
    const cert = current.cert;
    if (isRecord(cert) && typeof cert.subjectaltname === 'string') {
      return { certificateNames: cert.subjectaltname };
    }
    current = current.cause;
  }
  return {};
}

function toApiError(method: string, res: HttpResponse): MlflowApiError {
  let errorCode: string | undefined;
  let message = res.text.trim();
  try {
    const parsed: unknown = JSON.parse(res.text);
    if (isRecord(parsed)) {
      if (typeof parsed.error_code === 'string') errorCode = parsed.error_code;
      if (typeof parsed.message === 'string') message = parsed.message;
    }
  } catch {
    // A plain-text or HTML body (a proxy, a Python traceback): keep its text.
    if (/^\s*</.test(message)) message = stripTags(message);
  }
  return new MlflowApiError(res.status, errorCode, message, method, res.url);
}

/** Parses a 2xx body as JSON, or throws a typed error that says the body was not JSON. */
/**
 * The body as JSON. One nested deeper than any MLflow answer is refused, unless `byRecord`: the
 * caller then checks each record's depth on its own (one deep record must not fail a page).
 */
export function parseJsonBody(res: HttpResponse, byRecord = false): unknown {
  if (res.text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(res.text) as unknown;
  } catch {
    throw new MlflowResponseError(
      res.url,
      '',
      `the body is not JSON (content-type ${res.contentType || 'none'})`,
    );
  }
  if (!byRecord) refuseDeepJson(body, res.url);
  return body;
}

const TLS_CODES =
  /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|EPROTO$|HOSTNAME_MISMATCH)/;

export function classifyNetworkError(error: unknown): NetworkFailure {
  const code = errorCode(error);
  if (
    (undici !== undefined && error instanceof undici.errors.RequestAbortedError) ||
    (error instanceof Error && error.name === 'AbortError')
  ) {
    return 'cancelled';
  }
  if (code === undefined) return 'other';
  // Only our own close of a client (another server chosen) destroys it under a request.
  if (code === 'UND_ERR_DESTROYED') return 'cancelled';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return 'timeout';
  }
  if (TLS_CODES.test(code)) return 'tls';
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'UND_ERR_SOCKET' ||
    code === 'UND_ERR_CLOSED'
  )
    return 'reset';
  return 'other';
}

/** The most specific `code` in an error, its cause, or the first of an AggregateError. */
function errorCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; isRecord(current) && depth < 5; depth++) {
    if (typeof current.code === 'string' && current.code !== 'UND_ERR') {
      const nested =
        current.cause ??
        (Array.isArray(current.errors) ? (current.errors as unknown[])[0] : undefined);
      const deeper = nested === undefined ? undefined : errorCode(nested);
      return deeper ?? current.code;
    }
    current =
      current.cause ??
      (Array.isArray(current.errors) ? (current.errors as unknown[])[0] : undefined);
  }
  return undefined;
}

function headerValue(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function stripTags(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
