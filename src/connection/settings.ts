/** The extension's settings, read in one place. */
import * as vscode from 'vscode';
import { resolveTrackingUri, type TrackingUriOrigin } from './tracking-uri';

import { SETTINGS_SECTION } from '../ui/ids';

export const SECTION = SETTINGS_SECTION;

export interface Settings {
  /** The server URL and where it came from (shown in the status bar's tooltip). */
  trackingUri: { url: string; origin: TrackingUriOrigin };
  /** Experiment ids or names; empty: all active experiments. */
  experiments: string[];
  reviewer: string;
  autoRefreshSeconds: number;
  pageSize: number;
  requestTimeoutMs: number;
  caFile?: string;
  insecureSkipTlsVerify: boolean;
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
  return {
    trackingUri,
    experiments: config
      .get<string[]>('experiments', [])
      .map((e) => e.trim())
      .filter(Boolean),
    reviewer: nonEmpty(config.get<string>('reviewer')) ?? reviewerFallback,
    autoRefreshSeconds: Math.max(0, config.get<number>('autoRefreshSeconds', 10)),
    pageSize: clamp(Math.round(config.get<number>('pageSize', 50)), 1, 500),
    requestTimeoutMs: Math.max(1, config.get<number>('requestTimeoutSeconds', 30)) * 1000,
    caFile: typeof caFile === 'string' ? nonEmpty(caFile) : undefined,
    insecureSkipTlsVerify: trustedValue('insecureSkipTlsVerify') === true,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
