/**
 * The span stats the lenses and hovers show, fetched from the server and cached. MLflow's trace
 * filter has no OR (docs/mlflow-rest-findings.md#spans-by-name), so a refresh sends one search per
 * distinct span name, over all the configured experiments at once: at most MAX_NAMES names per
 * refresh, MAX_PARALLEL at a time, each the newest PAGE traces with their assessments. Answers
 * are kept FRESH_MS, and a name asked again while its search runs waits for that search: all the
 * lenses and hovers of a file share one round of requests. A trace rated meanwhile is put in
 * place of its old copy in every answer that counted it, with no request. No `vscode`.
 */
import { filterClause, type MlflowClient, type TraceInfo } from '../mlflow';
import { spanStats, type SpanStats } from './span-stats';

export const MAX_NAMES = 50;
const MAX_PARALLEL = 4;
const PAGE = 100;
const FRESH_MS = 60_000;

export interface StatsScope {
  readonly client: MlflowClient;
  /** The server and experiments: a key, so that another scope never reads these answers. */
  readonly key: string;
  readonly experimentIds: readonly string[];
}

interface Entry {
  readonly at: number;
  readonly stats: Promise<SpanStats>;
  /** The traces counted, once the search has answered. */
  counted?: { readonly traces: readonly TraceInfo[]; readonly more: boolean };
}

export class SpanStatsSource {
  private readonly entries = new Map<string, Entry>();
  private sent = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Searches sent since this source was made (the tests count requests per refresh with it). */
  get requests(): number {
    return this.sent;
  }

  /** Forgets every answer: the next ask fetches again (a refresh, new traces seen). */
  clear(): void {
    this.entries.clear();
  }

  /**
   * Counts a trace again after its assessments changed (a rating, an override): each answer
   * that counted it is recomputed with the new copy. True when any answer changed.
   */
  updateTrace(trace: TraceInfo): boolean {
    let changed = false;
    for (const [key, entry] of this.entries) {
      const counted = entry.counted;
      if (!counted?.traces.some((t) => t.traceId === trace.traceId)) continue;
      const traces = counted.traces.map((t) => (t.traceId === trace.traceId ? trace : t));
      this.entries.set(key, {
        at: entry.at,
        stats: Promise.resolve(spanStats(traces, counted.more)),
        counted: { traces, more: counted.more },
      });
      changed = true;
    }
    return changed;
  }

  /**
   * The stats of each span name (the first MAX_NAMES distinct ones); a name whose search failed
   * is missing and the failure is thrown once all the searches are done.
   */
  async statsFor(scope: StatsScope, spanNames: readonly string[]): Promise<Map<string, SpanStats>> {
    const names = [...new Set(spanNames)].slice(0, MAX_NAMES);
    // Every name not fresh gets its entry now, so that an ask while these run waits for them.
    for (const name of names) {
      if (this.fresh(scope, name)) continue;
      const entry: Entry = {
        at: this.now(),
        stats: this.slot().then(async (release) => {
          try {
            entry.counted = await this.search(scope, name);
            return spanStats(entry.counted.traces, entry.counted.more);
          } finally {
            release();
          }
        }),
      };
      entry.stats.catch(() => undefined); // awaited below; a failure is not unhandled meanwhile
      this.entries.set(entryKey(scope, name), entry);
    }
    const result = new Map<string, SpanStats>();
    let failure: Error | undefined;
    for (const name of names) {
      const entry = this.entries.get(entryKey(scope, name));
      try {
        if (entry) result.set(name, await entry.stats);
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    if (failure !== undefined && result.size === 0) throw failure;
    return result;
  }

  /** Waits for one of MAX_PARALLEL searches to be free; call the release when done. */
  private async slot(): Promise<() => void> {
    while (this.running >= MAX_PARALLEL) await new Promise<void>((wake) => this.waiting.push(wake));
    this.running++;
    return () => {
      this.running--;
      this.waiting.shift()?.();
    };
  }

  private fresh(scope: StatsScope, name: string): boolean {
    const entry = this.entries.get(entryKey(scope, name));
    return entry !== undefined && this.now() - entry.at < FRESH_MS;
  }

  private async search(
    scope: StatsScope,
    name: string,
  ): Promise<{ traces: readonly TraceInfo[]; more: boolean }> {
    this.sent++;
    try {
      const page = await scope.client.searchTraces({
        experimentIds: [...scope.experimentIds],
        filter: spanNameFilter(name),
        maxResults: PAGE,
      });
      return { traces: page.items, more: page.nextPageToken !== undefined };
    } catch (error) {
      // Not kept: the next ask tries again.
      this.entries.delete(entryKey(scope, name));
      throw error;
    }
  }
}

/** `span.name = '…'`, quoted safely. */
export function spanNameFilter(name: string): string {
  return filterClause('span', 'name', '=', name);
}

function entryKey(scope: StatsScope, name: string): string {
  return JSON.stringify([scope.key, name]);
}
