/**
 * The pure part of "traces from this run": which runs are watched (the setting), the time window
 * a run's traces fall in, the one bounded search that finds them, and the words said about them.
 * No `vscode` import: unit-tested in plain Node.
 */
import type { TraceInfo } from '../mlflow';

export const RUN_KINDS = ['debug', 'task', 'terminal'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** A run of the app that ended: what started it, and when it started and ended (local clock). */
export interface EndedRun {
  kind: RunKind;
  /** The debug session's, task's or command line's name, for the log. */
  name: string;
  startMs: number;
  endMs: number;
}

/**
 * After the run ends, how long to wait before searching, and how far past its end a trace may
 * start: the SDK exports traces asynchronously and may still be sending at the very end.
 */
export const GRACE_MS = 2000;
/** The search's bound: a run that made more offers its newest this many. */
export const MAX_RUN_TRACES = 100;

/** `mlflowTraceReview.runTraces.collectFrom`: a list of kinds; "none" (or an empty list) is off. */
export function collectFrom(setting: unknown): Set<RunKind> {
  if (!Array.isArray(setting)) return new Set(RUN_KINDS);
  if (setting.includes('none')) return new Set();
  return new Set(RUN_KINDS.filter((kind) => setting.includes(kind)));
}

export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

export function runWindow(
  run: Pick<EndedRun, 'startMs' | 'endMs'>,
  graceMs = GRACE_MS,
): TimeWindow {
  // No slack before the start: the app records its traces on this machine's clock, and it cannot
  // start one before the run has started (a trace made just before belongs to something else).
  return { fromMs: Math.floor(run.startMs), toMs: Math.ceil(run.endMs + graceMs) };
}

/** The server-side filter for traces that started within the window (MLflow's search grammar). */
export function windowFilter(window: TimeWindow): string {
  return `attributes.timestamp_ms >= ${window.fromMs} AND attributes.timestamp_ms <= ${window.toMs}`;
}

/**
 * The traces of the run among what the search found: in the window (checked here too: a server
 * that ignored part of the filter must not offer older traces), once each, newest first.
 */
export function runTraces(found: TraceInfo[], window: TimeWindow): TraceInfo[] {
  const seen = new Set<string>();
  const inWindow = found.filter((t) => {
    const at = Date.parse(t.requestTime);
    if (!(at >= window.fromMs && at <= window.toMs) || seen.has(t.traceId)) return false;
    seen.add(t.traceId);
    return true;
  });
  return inWindow.sort((a, b) => Date.parse(b.requestTime) - Date.parse(a.requestTime));
}

/**
 * Whether a command typed in the terminal runs an app (python, a script, a runner), so that
 * `ls` or `git status` costs no search. The first word after any `VAR=value` assignments counts.
 */
export function runsAnApp(commandLine: string): boolean {
  const words = commandLine
    .trim()
    .split(/\s+/)
    .filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  const first = words[0]?.split('/').pop() ?? '';
  if (/^python(\d+(\.\d+)?)?$|^(uv|poetry|pipenv|hatch|pdm|conda|rye)$/.test(first)) return true;
  if (/^(node|npm|npx|pnpm|yarn|bun|deno|pytest|mlflow|make|bash|sh)$/.test(first)) return true;
  return /\.(py|sh|js|mjs|ts)$/.test(first);
}

export function offerText(count: number): string {
  return `${count} new trace${count === 1 ? '' : 's'} from this run`;
}
