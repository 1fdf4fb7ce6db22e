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
): { url: string; origin: TrackingUriOrigin } {
  const workspace = isTrusted
    ? (nonEmpty(inspected?.workspaceFolderValue) ?? nonEmpty(inspected?.workspaceValue))
    : undefined;
  if (workspace) return { url: workspace, origin: 'workspace settings' };
  const user = nonEmpty(inspected?.globalValue);
  if (user) return { url: user, origin: 'user settings' };
  // MLflow's own clients accept "databricks" or a file path here; only HTTP(S) servers apply.
  const fromEnvironment = nonEmpty(environment);
  if (fromEnvironment && /^https?:\/\//i.test(fromEnvironment)) {
    return { url: fromEnvironment, origin: 'MLFLOW_TRACKING_URI' };
  }
  return { url: DEFAULT_TRACKING_URI, origin: 'default' };
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
