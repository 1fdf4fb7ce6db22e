/**
 * Which MLflow server URL counts, and whether a typed one is usable. Pure: tested without VS Code.
 */

export const DEFAULT_TRACKING_URI = 'http://127.0.0.1:5000';

export type TrackingUriOrigin =
  'user settings' | 'workspace settings' | 'MLFLOW_TRACKING_URI' | 'default' | 'local server';

/** The part of `WorkspaceConfiguration.inspect()` the URL rule needs. */
export interface InspectedSetting {
  globalValue?: string;
  workspaceValue?: string;
  workspaceFolderValue?: string;
}

/**
 * Which tracking URL to use. A workspace can point the extension at a server (and the reviewer's
 * credentials for it) only when the person trusts that workspace; otherwise only the user's own
 * setting, the environment, or the default count.
 */
export function resolveTrackingUri(
  inspected: InspectedSetting | undefined,
  isTrusted: boolean,
  environment: string | undefined,
): ResolvedTrackingUri {
  const workspace = isTrusted
    ? (nonEmpty(inspected?.workspaceFolderValue) ?? nonEmpty(inspected?.workspaceValue))
    : undefined;
  if (workspace) return checked(workspace, 'workspace settings');
  const user = nonEmpty(inspected?.globalValue);
  if (user) return checked(user, 'user settings');
  // MLflow's own clients accept "databricks" or a file path here; only HTTP(S) servers apply.
  const fromEnvironment = nonEmpty(environment);
  if (fromEnvironment && /^https?:\/\//i.test(fromEnvironment)) {
    return checked(fromEnvironment, 'MLFLOW_TRACKING_URI');
  }
  return { url: DEFAULT_TRACKING_URI, origin: 'default' };
}

export interface ResolvedTrackingUri {
  url: string;
  origin: TrackingUriOrigin;
  /** Why the URL cannot be used (the extension then says so instead of connecting). */
  problem?: string;
  /** A usable URL the person probably meant ("localhost:5000" → "http://localhost:5000"). */
  fix?: string;
  /**
   * A user and password written into the URL (`https://alice:s3cret@host`, which MLflow's own
   * client accepts): taken out of `url`, which is shown and logged, and used for that origin only.
   */
  embedded?: { username: string; password: string };
}

/** A configured URL, with what is wrong with it and the likely fix. */
function checked(configured: string, origin: TrackingUriOrigin): ResolvedTrackingUri {
  const { url, embedded } = withoutUserInfo(configured.trim());
  const problem = describeBadTrackingUri(url);
  if (!problem) return { url, origin, ...(embedded ? { embedded } : {}) };
  const withScheme = `http://${url.trim()}`;
  const fix =
    /^[a-z]+:\/\//i.test(url.trim()) || describeBadTrackingUri(withScheme) ? undefined : withScheme;
  // A URL that cannot be used is only shown (status bar, server menu, this message): never whole.
  const shown = redactTypedUrl(url);
  return {
    url: shown,
    origin,
    problem: `The tracking URL "${shown}" (${origin}) cannot be used: ${problem}.`,
    ...(fix ? { fix } : {}),
  };
}

/** Checks a URL typed by a person; returns what is wrong, or undefined. */
export function describeBadTrackingUri(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'Enter a full URL, such as http://127.0.0.1:5000';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return 'The URL must start with http:// or https://';
  if (url.username || url.password)
    return 'Leave credentials out of the URL: use "MLflow: Sign In to Server" instead';
  if (url.search || url.hash) return 'Leave out the query and fragment (? and #)';
  return undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** The URL without its `user:password@`, and what was there. A URL that does not parse is kept. */
export function withoutUserInfo(text: string): {
  url: string;
  embedded?: { username: string; password: string };
} {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { url: text };
  }
  if (!url.username && !url.password) return { url: text };
  const embedded = {
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
  url.username = '';
  url.password = '';
  // URL adds a "/" to a bare origin; the setting had none.
  const clean = text.endsWith('/') || url.pathname !== '/' ? url.href : url.href.slice(0, -1);
  return { url: clean, embedded };
}

/**
 * Any `scheme://user:password@` in a message or log line, with the user information hidden.
 * Without a scheme, `user:password@host` cannot be told from ordinary text (an email address
 * after a colon): a URL typed without one goes through redactTypedUrl instead.
 */
export function redactUserInfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1***@');
}

/**
 * A tracking URL as typed, with whatever comes before its last `@` hidden: user information,
 * with or without a scheme (`alice:pw@host:5000`), and a password that holds an `@` itself.
 * For a URL on its own only; free text goes through redactUserInfo.
 */
export function redactTypedUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?.*@/is, '$1***@');
}

/** Whether requests to this URL stay on this machine (credentials sent there are not exposed). */
export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
