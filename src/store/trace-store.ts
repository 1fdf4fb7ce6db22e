/**
 * What the extension knows about traces right now: the experiments shown, the pages of traces
 * loaded for each, spans fetched on demand. Every write goes through here, so that after a write
 * only the affected trace is fetched again and every view hears about it, and the rules of
 * writing (assessment-rules.ts) are applied here whichever UI asked. No `vscode`: it depends on
 * the small StoreConnection interface and runs in plain Node (test/store/).
 */
import type {
  Assessment,
  AssessmentId,
  AssessmentUpdate,
  Experiment,
  ExperimentId,
  Feedback,
  LogExpectationInput,
  LogFeedbackInput,
  MlflowClient,
  OverrideFeedbackInput,
  Span,
  TraceId,
  TraceInfo,
} from '../mlflow';
import { Emitter, type Disposable } from '../util/events';
import { checkOverridable, nextUnrated, sortNewestFirst } from './assessment-rules';
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
  | { kind: 'list'; experimentId: ExperimentId }
  | { kind: 'trace'; trace: TraceInfo };

/** What the store needs of the connection (connection/connection.ts has it all). */
export interface StoreConnection {
  /** The one shared client; a new one after the server or credentials change. */
  readonly client: MlflowClient;
  readonly settings: { readonly experiments: readonly string[]; readonly pageSize: number };
  /** Tells the connection state what a failed request says about the server. */
  noteFailure(error: unknown): void;
}

/** Trace ids, with writes as `{ traceId, ... }` inputs that name them. */
type WithTraceId<T> = Omit<T, 'traceId'> & { traceId: TraceId };

/** With local filters on, one "load" fetches at most this many pages looking for matches. */
const MAX_PAGES_PER_LOAD = 10;

export class TraceStore implements Disposable {
  private experimentList: Experiment[] | undefined;
  private readonly lists = new Map<ExperimentId, TraceList>();
  private readonly loading = new Map<ExperimentId, Promise<TraceList>>();
  /** Counts resets, so that a fetch started before one does not store stale results. */
  private generation = 0;
  private readonly spans = new Map<TraceId, Promise<Span[]>>();
  private currentFilter: TraceFilter = NO_FILTER;
  private readonly changed = new Emitter<StoreChange>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly connection: StoreConnection) {}

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

  /**
   * Looks for experiments made since the list was loaded (an app's `mlflow.set_experiment`), so
   * they appear without a manual refresh. What is loaded of the others stays. Returns whether
   * the list changed.
   */
  async pollExperiments(): Promise<boolean> {
    const shown = this.experimentList;
    if (!shown) return false;
    const generation = this.generation;
    this.experimentList = undefined;
    let fresh: Experiment[];
    try {
      fresh = await this.experiments();
    } catch (error) {
      if (generation === this.generation) this.experimentList = shown;
      throw error;
    }
    if (generation !== this.generation) return false;
    // The server's order moves as experiments are updated: only a new, gone or renamed one counts.
    const key = (list: Experiment[]) =>
      list
        .map((e) => `${e.experimentId}:${e.name}`)
        .sort()
        .join('\n');
    if (key(fresh) === key(shown)) {
      // Same experiments: keep the objects the views already hold.
      this.experimentList = shown;
      return false;
    }
    this.changed.fire({ kind: 'experiments' });
    return true;
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

  list(experimentId: ExperimentId): TraceList | undefined {
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
  async loadMore(experimentId: ExperimentId): Promise<void> {
    const list = this.lists.get(experimentId);
    if (!list?.nextPageToken) return;
    await this.fetchInto(list, list.nextPageToken);
    // Pages fetched for a list that a reset has dropped change nothing shown.
    if (this.lists.get(experimentId) === list) this.changed.fire({ kind: 'list', experimentId });
  }

  /**
   * Looks for traces newer than the loaded ones and for changes to the first page, without
   * touching what else is loaded. Returns the number of new traces.
   */
  async pollNewest(experimentId: ExperimentId): Promise<number> {
    const list = this.lists.get(experimentId);
    if (!list || list.error) return 0;
    const generation = this.generation;
    const page = await this.client.searchTraces(this.searchInput(experimentId, undefined));
    // The server or the filter changed while this page was on its way: it belongs to neither.
    if (generation !== this.generation) return 0;
    const known = new Map(list.traces.map((t) => [t.traceId, t]));
    const fresh = page.items.filter((t) => matchesLocally(t, this.currentFilter));
    const added = fresh.filter((t) => !known.has(t.traceId));
    for (const trace of fresh) {
      const old = known.get(trace.traceId);
      if (old && !sameTrace(old, trace)) this.replaceTrace(trace);
    }
    if (added.length > 0) {
      list.traces = sortNewestFirst([...added, ...list.traces]);
      this.changed.fire({ kind: 'list', experimentId });
    }
    return added.length;
  }

  /** A loaded trace by id, from any experiment. */
  trace(traceId: TraceId): TraceInfo | undefined {
    for (const list of this.lists.values()) {
      const found = list.traces.find((t) => t.traceId === traceId);
      if (found) return found;
    }
    return undefined;
  }

  /** The loaded copy of a trace, else fetched from the server. */
  async getTrace(traceId: TraceId): Promise<TraceInfo> {
    return this.trace(traceId) ?? this.refreshTrace(traceId);
  }

  /** Fetches one trace again and tells every view. */
  async refreshTrace(traceId: TraceId): Promise<TraceInfo> {
    const generation = this.generation;
    const trace = await this.client.getTraceInfo(traceId);
    if (generation === this.generation) this.replaceTrace(trace);
    return trace;
  }

  /** Every loaded trace of the experiments shown, newest first (the first page of each loaded). */
  async loadedTraces(): Promise<TraceInfo[]> {
    const experiments = await this.experiments();
    const lists = await Promise.all(experiments.map((e) => this.ensureList(e)));
    return sortNewestFirst(lists.flatMap((l) => l.traces));
  }

  /**
   * The trace "Submit and Next" goes to after `current`: the newest loaded trace of the same
   * experiment that no person has rated yet.
   */
  async nextUnrated(current: TraceInfo): Promise<TraceInfo | undefined> {
    const experiment = (await this.experiments()).find(
      (e) => e.experimentId === current.experimentId,
    );
    if (!experiment) return undefined;
    return nextUnrated((await this.ensureList(experiment)).traces, current.traceId);
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
  recentAssessmentNames(
    experimentId: ExperimentId | undefined,
    kind: Assessment['kind'],
  ): string[] {
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

  async logFeedback(input: WithTraceId<LogFeedbackInput>): Promise<Feedback> {
    return this.afterWrite(input.traceId, await this.client.logFeedback(input));
  }

  async logExpectation(input: WithTraceId<LogExpectationInput>): Promise<Assessment> {
    return this.afterWrite(input.traceId, await this.client.logExpectation(input));
  }

  async updateAssessment(
    traceId: TraceId,
    assessmentId: AssessmentId,
    update: AssessmentUpdate,
  ): Promise<Assessment> {
    return this.afterWrite(
      traceId,
      await this.client.updateAssessment(traceId, assessmentId, update),
    );
  }

  /**
   * Overrides a feedback in force. `trace` is the copy the person saw: the rule is checked
   * against it before anything is sent (the server would accept an override of an override).
   */
  async overrideFeedback(
    trace: TraceInfo,
    input: Omit<OverrideFeedbackInput, 'traceId' | 'assessmentId'> & { assessmentId: AssessmentId },
  ): Promise<Feedback> {
    const assessment = trace.assessments.find((a) => a.assessmentId === input.assessmentId);
    if (!assessment) {
      throw new Error(
        `Trace ${trace.traceId} has no assessment ${input.assessmentId}. Refresh: it may have been deleted.`,
      );
    }
    checkOverridable(trace, assessment);
    return this.afterWrite(
      trace.traceId,
      await this.client.overrideFeedback({ ...input, traceId: trace.traceId }),
    );
  }

  async deleteAssessment(traceId: TraceId, assessmentId: AssessmentId): Promise<void> {
    await this.client.deleteAssessment(traceId, assessmentId);
    await this.afterWrite(traceId, undefined);
  }

  dispose(): void {
    this.changed.dispose();
  }

  // ---- internals ---------------------------------------------------------------------------

  private async afterWrite<T>(traceId: TraceId, result: T): Promise<T> {
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

  private searchInput(experimentId: ExperimentId, pageToken: string | undefined) {
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
