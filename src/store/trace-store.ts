/**
 * What the extension knows about traces right now: the experiments shown, the pages of traces
 * loaded for each, spans fetched on demand. Every write goes through here, so that after a write
 * only the affected trace is fetched again and every view hears about it.
 */
import * as vscode from 'vscode';
import type {
  Assessment,
  AssessmentUpdate,
  Experiment,
  Feedback,
  LogExpectationInput,
  LogFeedbackInput,
  MlflowClient,
  OverrideFeedbackInput,
  Span,
  TraceInfo,
} from '../mlflow';
import type { Connection } from '../connection/connection';
import {
  matchesLocally,
  needsLocalFiltering,
  NO_FILTER,
  serverFilter,
  type TraceFilter,
} from './trace-filters';

export interface TraceList {
  experiment: Experiment;
  traces: TraceInfo[];
  /** Set while the server has more pages. */
  nextPageToken?: string;
  /** Traces fetched but hidden by a local filter, for the "Load more" row's description. */
  hiddenCount: number;
  /** The last failure loading this list, shown as a row in the tree. */
  error?: unknown;
}

export type StoreChange =
  | { kind: 'experiments' }
  | { kind: 'list'; experimentId: string }
  | { kind: 'trace'; trace: TraceInfo };

/** With local filters on, one "load" fetches at most this many pages looking for matches. */
const MAX_PAGES_PER_LOAD = 10;

export class TraceStore implements vscode.Disposable {
  private experimentList: Experiment[] | undefined;
  private readonly lists = new Map<string, TraceList>();
  private readonly loading = new Map<string, Promise<TraceList>>();
  /** Counts resets, so that a fetch started before one does not store stale results. */
  private generation = 0;
  private readonly spans = new Map<string, Promise<Span[]>>();
  private currentFilter: TraceFilter = NO_FILTER;
  private readonly changed = new vscode.EventEmitter<StoreChange>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly connection: Connection) {}

  private get client(): MlflowClient {
    return this.connection.client;
  }

  get filter(): TraceFilter {
    return this.currentFilter;
  }

  /** Forgets everything loaded (the server or the filter changed); views reload what they show. */
  reset(): void {
    this.generation++;
    this.experimentList = undefined;
    this.lists.clear();
    this.loading.clear();
    this.spans.clear();
    this.changed.fire({ kind: 'experiments' });
  }

  setFilter(filter: TraceFilter): void {
    this.currentFilter = filter;
    this.generation++;
    this.lists.clear();
    this.loading.clear();
    this.changed.fire({ kind: 'experiments' });
  }

  // ---- reads ---------------------------------------------------------------------------------

  /** The experiments to show: the configured ones (ids or names), else every active one. */
  async experiments(): Promise<Experiment[]> {
    if (this.experimentList) return this.experimentList;
    const generation = this.generation;
    const wanted = this.connection.settings.experiments;
    const all = await this.allExperiments();
    const list =
      wanted.length === 0
        ? all
        : wanted
            .map((w) => all.find((e) => e.experimentId === w || e.name === w))
            .filter((e): e is Experiment => e !== undefined);
    if (generation === this.generation) this.experimentList = list;
    return list;
  }

  /** The server's active experiments, most recently updated first (its first 1000). */
  async allExperiments(): Promise<Experiment[]> {
    const page = await this.client.searchExperiments({
      orderBy: ['last_update_time DESC'],
      viewType: 'ACTIVE_ONLY',
      maxResults: 1000,
    });
    return page.items;
  }

  list(experimentId: string): TraceList | undefined {
    return this.lists.get(experimentId);
  }

  /** The loaded list, loading the first page if nothing is loaded yet. */
  ensureList(experiment: Experiment): Promise<TraceList> {
    const existing = this.lists.get(experiment.experimentId);
    if (existing) return Promise.resolve(existing);
    // The view and commands ask at the same time: one fetch serves them all.
    let loading = this.loading.get(experiment.experimentId);
    if (!loading) {
      loading = this.loadFirstPage(experiment);
      this.loading.set(experiment.experimentId, loading);
    }
    return loading;
  }

  private async loadFirstPage(experiment: Experiment): Promise<TraceList> {
    const generation = this.generation;
    const list: TraceList = { experiment, traces: [], hiddenCount: 0 };
    try {
      await this.fetchInto(list, undefined);
    } catch (error) {
      list.error = error;
      this.connection.noteFailure(error);
    }
    // A reset while fetching makes this list stale: it is returned once but not kept.
    if (generation === this.generation) {
      this.lists.set(experiment.experimentId, list);
      this.loading.delete(experiment.experimentId);
    }
    return list;
  }

  /** Follows the page token of an experiment's list. */
  async loadMore(experimentId: string): Promise<void> {
    const list = this.lists.get(experimentId);
    if (!list?.nextPageToken) return;
    await this.fetchInto(list, list.nextPageToken);
    this.changed.fire({ kind: 'list', experimentId });
  }

  /**
   * Looks for traces newer than the loaded ones and for changes to the first page, without
   * touching what else is loaded. Returns the number of new traces.
   */
  async pollNewest(experimentId: string): Promise<number> {
    const list = this.lists.get(experimentId);
    if (!list || list.error) return 0;
    const page = await this.client.searchTraces(this.searchInput(experimentId, undefined));
    const known = new Map(list.traces.map((t) => [t.traceId, t]));
    const fresh = page.items.filter((t) => matchesLocally(t, this.currentFilter));
    const added = fresh.filter((t) => !known.has(t.traceId));
    for (const trace of fresh) {
      const old = known.get(trace.traceId);
      if (old && !sameTrace(old, trace)) this.replaceTrace(trace);
    }
    if (added.length > 0) {
      list.traces = mergeNewestFirst(added, list.traces);
      this.changed.fire({ kind: 'list', experimentId });
    }
    return added.length;
  }

  /** A loaded trace by id, from any experiment. */
  trace(traceId: string): TraceInfo | undefined {
    for (const list of this.lists.values()) {
      const found = list.traces.find((t) => t.traceId === traceId);
      if (found) return found;
    }
    return undefined;
  }

  /** Fetches one trace again and tells every view. */
  async refreshTrace(traceId: string): Promise<TraceInfo> {
    const trace = await this.client.getTraceInfo(traceId);
    this.replaceTrace(trace);
    return trace;
  }

  /** A trace's spans, fetched once (spans do not change after a trace ends). */
  spansOf(trace: TraceInfo): Promise<Span[]> {
    const cached = this.spans.get(trace.traceId);
    if (cached) return cached;
    const loading = this.client.getTraceSpans(trace.traceId);
    if (trace.state !== 'IN_PROGRESS') {
      this.spans.set(trace.traceId, loading);
      loading.catch(() => this.spans.delete(trace.traceId));
    }
    return loading;
  }

  /** Assessment names seen in an experiment's loaded traces, most recently used first. */
  recentAssessmentNames(experimentId: string | undefined, kind: Assessment['kind']): string[] {
    const lists = experimentId ? [this.lists.get(experimentId)] : [...this.lists.values()];
    const lastUsed = new Map<string, string>();
    for (const list of lists) {
      for (const trace of list?.traces ?? []) {
        for (const a of trace.assessments) {
          if (a.kind !== kind) continue;
          const previous = lastUsed.get(a.name);
          if (!previous || previous < a.createTime) lastUsed.set(a.name, a.createTime);
        }
      }
    }
    return [...lastUsed.entries()].sort((a, b) => b[1].localeCompare(a[1])).map(([name]) => name);
  }

  // ---- writes: each refreshes only the trace it changed ------------------------------------------

  async logFeedback(input: LogFeedbackInput): Promise<Feedback> {
    return this.afterWrite(input.traceId, await this.client.logFeedback(input));
  }

  async logExpectation(input: LogExpectationInput): Promise<Assessment> {
    return this.afterWrite(input.traceId, await this.client.logExpectation(input));
  }

  async updateAssessment(
    traceId: string,
    assessmentId: string,
    update: AssessmentUpdate,
  ): Promise<Assessment> {
    return this.afterWrite(
      traceId,
      await this.client.updateAssessment(traceId, assessmentId, update),
    );
  }

  async overrideFeedback(input: OverrideFeedbackInput): Promise<Feedback> {
    return this.afterWrite(input.traceId, await this.client.overrideFeedback(input));
  }

  async deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
    await this.client.deleteAssessment(traceId, assessmentId);
    await this.afterWrite(traceId, undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  // ---- internals ---------------------------------------------------------------------------

  private async afterWrite<T>(traceId: string, result: T): Promise<T> {
    try {
      await this.refreshTrace(traceId);
    } catch {
      // The write itself succeeded; the next refresh will show it.
    }
    return result;
  }

  private replaceTrace(trace: TraceInfo): void {
    for (const list of this.lists.values()) {
      const index = list.traces.findIndex((t) => t.traceId === trace.traceId);
      if (index >= 0) list.traces[index] = trace;
    }
    this.changed.fire({ kind: 'trace', trace });
  }

  private searchInput(experimentId: string, pageToken: string | undefined) {
    const filter = serverFilter(this.currentFilter);
    return {
      experimentIds: [experimentId],
      maxResults: this.connection.settings.pageSize,
      ...(filter ? { filter } : {}),
      ...(pageToken ? { pageToken } : {}),
    };
  }

  /** Fetches pages into the list until a page's worth passes the local filters, or none is left. */
  private async fetchInto(list: TraceList, pageToken: string | undefined): Promise<void> {
    const wanted = this.connection.settings.pageSize;
    let token = pageToken;
    let matched = 0;
    for (let pages = 0; pages < MAX_PAGES_PER_LOAD; pages++) {
      const page = await this.client.searchTraces(
        this.searchInput(list.experiment.experimentId, token),
      );
      const kept = page.items.filter((t) => matchesLocally(t, this.currentFilter));
      const known = new Set(list.traces.map((t) => t.traceId));
      list.traces.push(...kept.filter((t) => !known.has(t.traceId)));
      list.hiddenCount += page.items.length - kept.length;
      list.nextPageToken = page.nextPageToken;
      list.error = undefined;
      matched += kept.length;
      token = page.nextPageToken;
      if (!token || !needsLocalFiltering(this.currentFilter) || matched >= wanted) return;
    }
  }
}

function sameTrace(a: TraceInfo, b: TraceInfo): boolean {
  return (
    a.state === b.state &&
    a.executionDurationMs === b.executionDurationMs &&
    a.assessments.length === b.assessments.length &&
    a.assessments.every((x, i) => {
      const y = b.assessments[i];
      return (
        y !== undefined &&
        x.assessmentId === y.assessmentId &&
        x.lastUpdateTime === y.lastUpdateTime &&
        x.valid === y.valid
      );
    })
  );
}

function mergeNewestFirst(added: TraceInfo[], existing: TraceInfo[]): TraceInfo[] {
  return [...added, ...existing].sort(
    (a, b) => Date.parse(b.requestTime) - Date.parse(a.requestTime),
  );
}
