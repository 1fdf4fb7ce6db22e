/**
 * The one HTTP transport of the shared client, on undici. It owns connection reuse, TLS, proxies,
 * authentication, timeouts and the retry policy, and turns every failure into a typed error.
 * Nothing here knows MLflow's routes or shapes: see client.ts.
 *
 * undici is loaded with the first request, not with the module: it is most of the extension's
 * code, and activating the extension sends nothing. In the extension's bundle `undici` is
 * dist/undici.js beside it (esbuild.mjs); in tests and scripts, the package from node_modules.
 */
import { readFileSync } from 'node:fs';
import type * as Undici from 'undici';
import type { Dispatcher } from 'undici';
import { refuseDeepJson } from './json-depth';
import {
  MlflowApiError,
  MlflowNetworkError,
  MlflowResponseError,
  MlflowResponseTooLargeError,
  type NetworkFailure,
} from './errors';

export type Credentials =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

/** Returns the credentials for a request; called per request so a sign-in takes effect at once. */
export type CredentialsProvider = () => Credentials | Promise<Credentials>;

export interface ProxyOptions {
  /** Proxy for both http and https (VS Code's `http.proxy`); unset: HTTP(S)_PROXY from the environment. */
  url?: string;
  /** Hosts that bypass the proxy (NO_PROXY syntax); unset: NO_PROXY from the environment. */
  noProxy?: string;
  /** Verify the proxy's own TLS certificate (VS Code's `http.proxyStrictSSL`). Default true. */
  strictSSL?: boolean;
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
  private readonly tls: TlsOptions;
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
    // Read now, as before undici was loaded lazily: a CA file that cannot be read fails here.
    this.tls = tlsOptions(options);
  }

  /** Sends a request and returns the 2xx response; any other outcome throws a typed error. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const url = this.baseUrl + req.path;
    const dispatcher = await this.pool();
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
  private pool(): Promise<Dispatcher> {
    this.dispatcher ??= loadUndici().then(async (module) => {
      const dispatcher = createDispatcher(module, this.options, this.tls);
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
      const failure =
        timeout.aborted && !req.signal?.aborted ? 'timeout' : classifyNetworkError(cause);
      const error = new MlflowNetworkError(failure, req.method, url, errorCode(cause), { cause });
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
  rejectUnauthorized: boolean;
}

function tlsOptions(options: TransportOptions): TlsOptions {
  return {
    ...(options.caFile ? { ca: readFileSync(options.caFile, 'utf8') } : {}),
    rejectUnauthorized: options.insecureSkipTlsVerify !== true,
  };
}

function createDispatcher(
  { EnvHttpProxyAgent }: typeof Undici,
  options: TransportOptions,
  tls: TlsOptions,
): Dispatcher {
  const proxy = options.proxy ?? {};
  // EnvHttpProxyAgent is a plain keep-alive Agent when no proxy applies, and reads
  // HTTP_PROXY/HTTPS_PROXY/NO_PROXY when no explicit proxy is configured.
  return new EnvHttpProxyAgent({
    ...(proxy.url ? { httpProxy: proxy.url, httpsProxy: proxy.url } : {}),
    ...(proxy.noProxy !== undefined ? { noProxy: proxy.noProxy } : {}),
    connect: tls,
    requestTls: tls,
    proxyTls: { rejectUnauthorized: proxy.strictSSL !== false },
    keepAliveTimeout: 10_000,
  });
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
