/**
 * Which proxy, if any, carries the requests to one server: pure, no undici, no `vscode`. The rules
 * are VS Code's own for extensions (microsoft/vscode-proxy-agent, `useProxySettings`): loopback
 * always goes direct; `http.noProxy` when it lists anything, else NO_PROXY; then `http.proxy`,
 * else the environment. `http.proxySupport: off` means no proxy at all, environment included.
 */
import { BlockList, isIP } from 'node:net';

export interface ProxyOptions {
  /** `off`: never a proxy, whatever the environment says (VS Code's `http.proxySupport: off`). */
  support?: 'on' | 'off';
  /** Proxy for both http and https (VS Code's `http.proxy`); unset: the environment's. */
  url?: string;
  /** Hosts that bypass the proxy (NO_PROXY syntax, or VS Code's `http.noProxy` joined); unset: NO_PROXY. */
  noProxy?: string;
  /** Verify the proxy's own TLS certificate (VS Code's `http.proxyStrictSSL`). Default true. */
  strictSSL?: boolean;
  /** Sent as `Proxy-Authorization` (VS Code's `http.proxyAuthorization`). Never logged or shown. */
  authorization?: string;
}

/** Where the proxy came from, as a person would look for it. */
export type ProxySource =
  'http.proxy' | 'HTTPS_PROXY' | 'https_proxy' | 'HTTP_PROXY' | 'http_proxy';

export type ProxyRoute =
  | {
      kind: 'direct';
      /** Why: no proxy configured, `http.proxySupport: off`, a loopback host, or NO_PROXY. */
      reason: 'none' | 'off' | 'loopback' | 'noProxy';
    }
  | {
      kind: 'proxy';
      /** The proxy URL as undici needs it (with any user and password). */
      url: string;
      /** `scheme://host:port`: what messages, logs and the status bar show. Never a credential. */
      shown: string;
      source: ProxySource;
    }
  | { kind: 'invalid'; shown: string; source: ProxySource; problem: string };

/** The route to `target` (a server URL) under these options and this environment. */
export function resolveProxy(
  target: URL,
  options: ProxyOptions | undefined,
  env: Record<string, string | undefined> = process.env,
): ProxyRoute {
  if (options?.support === 'off') return { kind: 'direct', reason: 'off' };
  const hostname = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isLoopback(hostname)) return { kind: 'direct', reason: 'loopback' };
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const noProxy = options?.noProxy ?? env.no_proxy ?? env.NO_PROXY ?? '';
  if (bypasses(noProxy, hostname, port)) return { kind: 'direct', reason: 'noProxy' };

  const fromSetting = options?.url?.trim();
  const found: { value: string; source: ProxySource } | undefined = fromSetting
    ? { value: fromSetting, source: 'http.proxy' }
    : environmentProxy(target.protocol, env);
  if (!found) return { kind: 'direct', reason: 'none' };
  return checkProxyUrl(found.value, found.source);
}

/** The environment's proxy: the scheme's own variable first (lower case wins), then the other's. */
function environmentProxy(
  protocol: string,
  env: Record<string, string | undefined>,
): { value: string; source: ProxySource } | undefined {
  const https: ProxySource[] = ['https_proxy', 'HTTPS_PROXY'];
  const http: ProxySource[] = ['http_proxy', 'HTTP_PROXY'];
  const order = protocol === 'https:' ? [...https, ...http] : [...http, ...https];
  for (const name of order) {
    const value = env[name]?.trim();
    if (value) return { value, source: name };
  }
  return undefined;
}

function checkProxyUrl(value: string, source: ProxySource): ProxyRoute {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { kind: 'invalid', shown: redact(value), source, problem: 'it is not a URL' };
  }
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      kind: 'invalid',
      shown,
      source,
      problem: `it must start with http:// or https://, not ${url.protocol}//`,
    };
  }
  if (!url.hostname) return { kind: 'invalid', shown, source, problem: 'it names no host' };
  return { kind: 'proxy', url: url.href, shown, source };
}

/** A value that is not a URL, shown without anything that looks like a user and password. */
function redact(value: string): string {
  return value.replace(/\/\/[^@/]*@/, '//…@').replace(/^[^/:@]*:[^@/]*@/, '…@');
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1: always direct, as VS Code does. */
export function isLoopback(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true;
  if (isIP(hostname) === 4) return hostname.startsWith('127.');
  if (isIP(hostname) === 6) return hostname === '::1' || hostname.startsWith('::ffff:127.');
  return false;
}

/**
 * NO_PROXY: entries separated by commas or spaces; `*` for all; a host (and its subdomains),
 * with or without a leading `.` or `*.`; `host:port`; an IP address or CIDR range.
 */
export function bypasses(noProxy: string, hostname: string, port: string): boolean {
  const blocks = new BlockList();
  let hasBlocks = false;
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const cidr = /^([0-9a-f.:]+)\/(\d{1,3})$/.exec(entry);
    if (cidr?.[1] && cidr[2] && isIP(cidr[1])) {
      blocks.addSubnet(cidr[1], Number(cidr[2]), isIP(cidr[1]) === 6 ? 'ipv6' : 'ipv4');
      hasBlocks = true;
      continue;
    }
    const withPort = /^(.+):(\d+)$/.exec(entry);
    const host = (withPort && !isIP(entry) ? (withPort[1] ?? '') : entry)
      .replace(/^\[|\]$/g, '')
      .replace(/^\*?\./, '');
    if (withPort && !isIP(entry) && withPort[2] !== port) continue;
    if (hostname === host || hostname.endsWith(`.${host}`)) return true;
  }
  const version = isIP(hostname);
  return hasBlocks && version !== 0 && blocks.check(hostname, version === 6 ? 'ipv6' : 'ipv4');
}
