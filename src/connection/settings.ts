/** The extension's settings, read in one place. */
import * as vscode from 'vscode';
import { refreshSeconds, whole } from './setting-values';
import { resolveTrackingUri, type ResolvedTrackingUri } from './tracking-uri';

import { SETTINGS_SECTION } from '../ui/ids';

export const SECTION = SETTINGS_SECTION;

export interface Settings {
  /** The server URL, where it came from (shown in the status bar's tooltip), and its problem. */
  trackingUri: ResolvedTrackingUri;
  /** Experiment ids or names; empty: all active experiments. */
  experiments: string[];
  reviewer: string;
  autoRefreshSeconds: number;
  pageSize: number;
  requestTimeoutMs: number;
  /** The largest response body read from the server. */
  maxResponseBytes: number;
  caFile?: string;
  insecureSkipTlsVerify: boolean;
  /** A client certificate and its key (PEM), for servers that ask for one (mutual TLS). */
  clientCertFile?: string;
  clientKeyFile?: string;
}

export function readSettings(reviewerFallback: string): Settings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const trackingUri = resolveTrackingUri(
    config.inspect<string>('trackingUri'),
    vscode.workspace.isTrusted,
    process.env.MLFLOW_TRACKING_URI,
  );
  // TLS settings, like the URL, come from the workspace only when it is trusted.
  const trustedValue = (key: string): unknown => {
    const inspected = config.inspect(key);
    return vscode.workspace.isTrusted
      ? (inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue)
      : inspected?.globalValue;
  };
  const caFile = trustedValue('caFile');
  const clientCertFile = trustedValue('clientCertFile');
  const clientKeyFile = trustedValue('clientKeyFile');
  return {
    trackingUri,
    experiments: config
      .get<string[]>('experiments', [])
      .map((e) => e.trim())
      .filter(Boolean),
    reviewer: nonEmpty(config.get<string>('reviewer')) ?? reviewerFallback,
    autoRefreshSeconds: refreshSeconds(config.get<unknown>('autoRefreshSeconds')),
    pageSize: whole(config.get<unknown>('pageSize'), 50, 1, 500),
    requestTimeoutMs: whole(config.get<unknown>('requestTimeoutSeconds'), 30, 1, 600) * 1000,
    maxResponseBytes: whole(config.get<unknown>('maxResponseMegabytes'), 64, 1, 4096) * 1024 * 1024,
    caFile: typeof caFile === 'string' ? nonEmpty(caFile) : undefined,
    insecureSkipTlsVerify: trustedValue('insecureSkipTlsVerify') === true,
    clientCertFile: typeof clientCertFile === 'string' ? nonEmpty(clientCertFile) : undefined,
    clientKeyFile: typeof clientKeyFile === 'string' ? nonEmpty(clientKeyFile) : undefined,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
