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

/** `proxy`: the forward proxy failed us (refused, unknown, wants credentials, cannot reach the server). */
export type NetworkFailure =
  'refused' | 'dns' | 'tls' | 'timeout' | 'reset' | 'cancelled' | 'proxy' | 'other';

/** What the transport knows about the way to the server, so a message can say what to change. */
export interface NetworkContext {
  /** The proxy in use (shown without credentials) and the setting or variable it came from. */
  proxy?: { shown: string; source: string };
  /** The proxy's answer to the tunnel request, when it refused it. */
  proxyStatus?: number;
  /** The CA file in use (mlflowTraceReview.caFile). */
  caFile?: string;
  /** Whether a client certificate is configured. */
  clientCertificate?: boolean;
  /** The names in the server's certificate (`DNS:a, IP Address:1.2.3.4`), for a name mismatch. */
  certificateNames?: string;
}

/** No usable HTTP response: the connection failed, timed out or was cut. */
export class MlflowNetworkError extends MlflowError {
  readonly context: NetworkContext;

  constructor(
    readonly failure: NetworkFailure,
    readonly method: string,
    readonly url: string,
    /** The low-level code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, ...), for the log. */
    readonly code: string | undefined,
    options?: { cause?: unknown; context?: NetworkContext },
  ) {
    const context = options?.context ?? {};
    super(
      describeNetworkError(failure, method, url, code, context),
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.context = context;
  }
}

/**
 * A setting cannot be used as it is (a CA or key file that cannot be read, a key whose passphrase
 * is missing or wrong, a proxy URL that is not one): nothing was sent.
 */
export class MlflowSetupError extends MlflowError {
  constructor(
    /** The setting or environment variable to correct. */
    readonly setting: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
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
    // nginx's pages for a server that asks for a client certificate (ssl_verify_client).
    case status === 400 && /No required SSL certificate was sent/i.test(serverMessage):
      return `${originOf(url)} asks for a client certificate and none was sent (400). Set mlflowTraceReview.clientCertFile and mlflowTraceReview.clientKeyFile to your certificate and key (PEM).${said}`;
    case status === 400 && /SSL certificate error/i.test(serverMessage):
      return `${originOf(url)} refused the client certificate (400): it must be signed by a CA the server trusts, and valid today. Check mlflowTraceReview.clientCertFile and mlflowTraceReview.clientKeyFile.${said}`;
    // MLflow itself never answers 502 or 504: a reverse proxy or gateway in front of it does.
    case (status === 502 || status === 504) && errorCode === undefined:
      return status === 502
        ? `The proxy in front of MLflow at ${originOf(url)} could not reach MLflow (502 Bad Gateway) for ${where}: the MLflow server behind it may be down or restarting. Try again; if it persists, whoever runs the server should check it.${said}`
        : `The proxy in front of MLflow at ${originOf(url)} got no answer from MLflow in time (504 Gateway Timeout) for ${where}: the MLflow server behind it may be down or overloaded. Try again; if it persists, whoever runs the server should check it.${said}`;
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
  context: NetworkContext,
): string {
  const origin = originOf(url);
  const detail = code ? ` (${code})` : '';
  switch (failure) {
    case 'proxy':
      return describeProxyFailure(origin, detail, context);
    case 'refused':
      return `Cannot connect to the MLflow server at ${origin}${detail}: nothing is listening there. Start the server or correct the tracking URL.`;
    case 'dns':
      return `Cannot resolve the host of ${origin}${detail}. Check the tracking URL and your network.`;
    case 'tls':
      return describeTlsFailure(url, code, context);
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

/** The proxy is at fault: the message names it (never its credentials) and where it is set. */
function describeProxyFailure(origin: string, detail: string, context: NetworkContext): string {
  const proxy = context.proxy;
  const name = proxy ? `The proxy ${proxy.shown} (from ${proxy.source})` : 'The proxy';
  const where = !proxy
    ? 'the proxy settings'
    : proxy.source === 'http.proxy'
      ? 'the setting http.proxy'
      : `the environment variable ${proxy.source}`;
  const direct = `add the host to http.noProxy or NO_PROXY if it can be reached directly, or set http.proxySupport to "off"`;
  switch (context.proxyStatus) {
    case undefined:
      if (/CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS_|ERR_SSL_/.test(detail))
        return `${name} presented a TLS certificate that this machine does not accept${detail}. If you trust this proxy, set http.proxyStrictSSL to false; else correct ${where}.`;
      return /ENOTFOUND|EAI_AGAIN/.test(detail)
        ? `${name} cannot be found${detail}. Correct ${where}, or ${direct}.`
        : `${name} does not accept connections${detail}, so ${origin} cannot be reached through it. Check that the proxy runs and correct ${where}, or ${direct}.`;
    case 407:
      return `${name} asks for a user name and password (407 Proxy Authentication Required) to reach ${origin}. Set http.proxyAuthorization (for example "Basic " and base64 of user:password), or put them in the proxy URL; if you did, the proxy refused them.`;
    case 403:
      return `${name} refused to connect to ${origin} (403). Ask whoever runs the proxy to allow it, or ${direct}.`;
    default:
      return context.proxyStatus >= 500
        ? `${name} could not reach ${origin} (${context.proxyStatus}). Check the tracking URL's host and port, or ${direct}.`
        : `${name} refused the connection to ${origin} (${context.proxyStatus}). Check ${where}, or ${direct}.`;
  }
}

/** A certificate problem, by OpenSSL's or Node's code, with the setting that fixes it. */
function describeTlsFailure(
  url: string,
  code: string | undefined,
  context: NetworkContext,
): string {
  const origin = originOf(url);
  const host = hostnameOf(url);
  const detail = code ? ` (${code})` : '';
  const skip =
    'mlflowTraceReview.insecureSkipTlsVerify turns the check off, for a test server only';
  switch (code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'CERT_UNTRUSTED':
      return context.caFile
        ? `The certificate of ${origin} is not signed by a CA in mlflowTraceReview.caFile (${context.caFile})${detail}. Point caFile at the PEM of the CA that signed the server's certificate.`
        : `The certificate of ${origin} is signed by a CA this machine does not trust${detail}, such as your organisation's own. Set mlflowTraceReview.caFile to that CA's certificate (PEM).`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return `${origin} presents a self-signed certificate${detail}. Set mlflowTraceReview.caFile to that certificate (PEM) to trust it, or give the server a certificate signed by your CA.`;
    case 'CERT_HAS_EXPIRED':
      return `The certificate of ${origin} has expired${detail}. It must be renewed on the server (or the proxy in front of it): caFile cannot fix this, and ${skip}.`;
    case 'CERT_NOT_YET_VALID':
      return `The certificate of ${origin} is not valid yet${detail}. Check this computer's clock, or the certificate's dates on the server.`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `The certificate of ${origin} is not made out to ${host}${context.certificateNames ? ` (it names ${context.certificateNames})` : ''}${detail}. Connect by a name the certificate holds (change the tracking URL), or have a certificate made for ${host}.`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'EPROTO':
      return `${origin} does not speak TLS on that port${detail}. If the server has no TLS, use http:// in the tracking URL; else check the port.`;
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
    case 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE':
      return context.clientCertificate
        ? `${origin} refused the TLS handshake${detail}. Check that mlflowTraceReview.clientCertFile and clientKeyFile hold a certificate the server accepts.`
        : `${origin} asks for a client certificate${detail}. Set mlflowTraceReview.clientCertFile and mlflowTraceReview.clientKeyFile to your certificate and key (PEM).`;
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED':
      return `${origin} refused the client certificate${detail}: it must be signed by a CA the server trusts, and valid today. Check mlflowTraceReview.clientCertFile and clientKeyFile.`;
    default:
      return `TLS handshake with ${origin} failed${detail}. If the server's certificate comes from your own CA, set mlflowTraceReview.caFile to it (PEM); ${skip}.`;
  }
}

function hostnameOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
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
