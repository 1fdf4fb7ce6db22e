/**
 * Every failure the shared client can report. Each error's `message` is one line that says what
 * happened and what to do about it; the fields keep the details for logs and for code that wants
 * to react (the extension offers "Sign in" on a 401, for example).
 */

/** Base class: lets callers tell the client's own failures from programming errors. */
export abstract class MlflowError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server answered with an error status (4xx, 5xx). */
export class MlflowApiError extends MlflowError {
  constructor(
    readonly status: number,
    /** MLflow's `error_code` (e.g. `RESOURCE_DOES_NOT_EXIST`), when the body carried one. */
    readonly errorCode: string | undefined,
    /** The server's own message, or the start of its plain-text body. */
    readonly serverMessage: string,
    readonly method: string,
    readonly url: string,
  ) {
    super(describeApiError(status, errorCode, serverMessage, method, url));
  }
}

export type NetworkFailure =
  'refused' | 'dns' | 'tls' | 'timeout' | 'reset' | 'cancelled' | 'other';

/** No usable HTTP response: the connection failed, timed out or was cut. */
export class MlflowNetworkError extends MlflowError {
  constructor(
    readonly failure: NetworkFailure,
    readonly method: string,
    readonly url: string,
    /** The low-level code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, ...), for the log. */
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(describeNetworkError(failure, method, url, code), options);
  }
}

/** The server answered 2xx but the body is not what MLflow sends (wrong server, proxy page, ...). */
export class MlflowResponseError extends MlflowError {
  constructor(
    readonly url: string,
    /** Dotted path of the offending field (`trace.trace_info.request_time`), or '' for the body. */
    readonly field: string,
    readonly problem: string,
  ) {
    super(
      `Unexpected response from ${url}: ${field ? `field '${field}' ${problem}` : problem}. ` +
        'Check that the tracking URL points at an MLflow server (3.x) and not at a proxy or login page.',
    );
  }
}

/** The response body was larger than the client accepts: a wrong URL, or a server gone wrong. */
export class MlflowResponseTooLargeError extends MlflowError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly limitBytes: number,
    /** The body's Content-Length when it declared one; else it was cut off while streaming. */
    readonly declaredBytes: number | undefined,
  ) {
    const size = declaredBytes === undefined ? '' : ` (it declares ${formatBytes(declaredBytes)})`;
    super(
      `The response to ${method} ${new URL(url).pathname} from ${originOf(url)} was larger than ` +
        `the limit of ${formatBytes(limitBytes)}${size}, so it was not read. Check that the tracking ` +
        'URL points at an MLflow server; if the response is expected to be that large, raise the ' +
        'setting mlflowTraceReview.maxResponseMegabytes.',
    );
  }
}

/** The server has no route for traces or assessments: it predates MLflow 3's trace API. */
export class MlflowServerTooOldError extends MlflowError {
  constructor(
    readonly url: string,
    readonly serverVersion: string,
  ) {
    super(
      `The MLflow server at ${new URL(url).origin} (version ${serverVersion}) ` +
        'does not support traces and assessments (no route for ' +
        `${new URL(url).pathname}). Upgrade the server to MLflow 3 or later.`,
    );
  }
}

/** Nothing at the URL answers like MLflow: a wrong host, path or static prefix. */
export class MlflowRouteNotFoundError extends MlflowError {
  constructor(readonly url: string) {
    super(
      `No MLflow API answers at ${url} (404, and no MLflow version at /version either). ` +
        'Check the tracking URL, including any path prefix the server runs under (--static-prefix).',
    );
  }
}

/**
 * Whether a failed request may have been carried out all the same: the connection was cut or
 * timed out after the request went out, a gateway answered 502 or 504 (the backend may have
 * committed before the gateway gave up), or a 2xx answer could not be read. For a write this
 * means "saved or not, nobody knows yet": sending it again may make a duplicate. A refused
 * connection, an unknown host or a TLS failure mean nothing was sent.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  if (error instanceof MlflowNetworkError) {
    return ['timeout', 'reset', 'cancelled', 'other'].includes(error.failure);
  }
  if (error instanceof MlflowApiError) return error.status === 502 || error.status === 504;
  return error instanceof MlflowResponseError;
}

/** The caller asked for something the API cannot do; nothing was sent. */
export class MlflowInputError extends MlflowError {}

function describeApiError(
  status: number,
  errorCode: string | undefined,
  serverMessage: string,
  method: string,
  url: string,
): string {
  const where = `${method} ${url}`;
  const said = serverMessage ? ` The server said: ${oneLine(serverMessage)}` : '';
  const code = errorCode ? ` ${errorCode}` : '';
  switch (true) {
    case status === 401:
      return `Not signed in to ${originOf(url)} (401${code}). Sign in with a valid username and password or token.${said}`;
    case status === 403 && /Invalid Host header/i.test(serverMessage):
      return `${originOf(url)} refused the host name it was reached by (403). Start the server with --allowed-hosts naming it (e.g. --allowed-hosts ${new URL(url).hostname}), or connect by a name it allows.${said}`;
    case status === 403:
      return `${originOf(url)} does not allow this (403${code}): your user may have read-only access. Ask an owner of the experiment for EDIT permission, or sign in as another user.${said}`;
    case status === 404:
      return `Not found (404${code}) for ${where}. It may have been deleted, or the id is wrong: refresh and try again.${said}`;
    case status === 409:
      return `Conflict (409${code}) for ${where}: it already exists.${said}`;
    case status === 429:
      return `The server is rate-limiting requests (429${code}). Wait a moment and try again.${said}`;
    case status >= 500:
      return `The MLflow server failed (${status}${code}) on ${where}. Try again; if it persists, check the server's log.${said}`;
    case status >= 300 && status < 400:
      return `The server redirected ${where} (${status}). Set the tracking URL to the address it redirects to.${said}`;
    default:
      return `The server rejected ${where} (${status}${code}). Correct the request and try again.${said}`;
  }
}

function describeNetworkError(
  failure: NetworkFailure,
  method: string,
  url: string,
  code: string | undefined,
): string {
  const origin = originOf(url);
  const detail = code ? ` (${code})` : '';
  switch (failure) {
    case 'refused':
      return `Cannot connect to the MLflow server at ${origin}${detail}: nothing is listening there. Start the server or correct the tracking URL.`;
    case 'dns':
      return `Cannot resolve the host of ${origin}${detail}. Check the tracking URL and your network.`;
    case 'tls':
      return `TLS handshake with ${origin} failed${detail}. Configure the server's CA certificate, or allow insecure TLS only if you trust this network.`;
    case 'timeout':
      return `The MLflow server at ${origin} did not answer ${method} ${new URL(url).pathname} in time${detail}. Check the server's load, or raise the request timeout.`;
    case 'reset':
      return `The connection to ${origin} was cut during ${method} ${new URL(url).pathname}${detail}. Try again; check any proxy between you and the server.`;
    case 'cancelled':
      return `The request ${method} ${new URL(url).pathname} was cancelled.`;
    case 'other':
      return `The request ${method} ${url} failed${detail}. Check the tracking URL and your network.`;
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function formatBytes(bytes: number): string {
  const mib = bytes / 2 ** 20;
  return mib >= 1 ? `${Number(mib.toFixed(1))} MiB` : `${bytes} bytes`;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= 300) return flat;
  // Not between the two halves of a surrogate pair (an emoji would end as �).
  const end = /[\uD800-\uDBFF]/.test(flat.charAt(299)) ? 299 : 300;
  return `${flat.slice(0, end)}…`;
}
