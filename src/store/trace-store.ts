/**
 * What the extension knows about traces right now: the experiments shown, the pages of traces
 * loaded for each, spans fetched on demand. Every write goes through here, so that after a write
 * only the affected trace is fetched again and every view hears about it, and the rules of
 * writing (assessment-rules.ts) are applied here whichever UI asked. No `vscode`: it depends on
 * the small StoreConnection interface and runs in plain Node (test/store/).
 */
import {
  type Assessment,
  type AssessmentId,
  type AssessmentUpdate,
  type Experiment,
  type ExperimentId,
  type Feedback,
  type LogExpectationInput,
  type LogFeedbackInput,
  type MlflowClient,
  type OverrideFeedbackInput,
  type SourceInput,
  type Span,
  type TraceId,
  type TraceInfo,
  DEFAULT_FEEDBACK_NAME,
  isOutcomeUnknown,
  sourceOrDefault,
} from '../mlflow';
import { byRequestTime, sessionFilter } from '../shared/sessions';
import { Emitter, type Disposable } from '../util/events';
import { LruCache } from '../util/lru-cache';
import { checkOverridable, nextUnrated, sortNewestFirst } from './assessment-rules';
import { ReviewList } from './review-list';
import {
  matchesLocally,
  needsLocalFiltering,
  NO_FILTER,
  serverFilter,
  type TraceFilter,
} from './trace-filters';
import {
  findLogged,
  findUpdated,
  isDeleted,
  WriteNotSavedError,
  WriteOutcomeUnknownError,
  type WriteIntent,
} from './write-recovery';

export interface TraceList {
  experiment: Experiment;
  /**
   * Newest first. A page is appended to this array in place; anything that changes the order
   * (a poll merging newer traces in) puts a new array here, so a view that placed the first n
   * rows of this array can place only what follows (tree-model.ts does).
   */
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

/** The span cache's bound: enough for the traces a reviewer goes back and forth between. */
export const SPAN_CACHE_LIMITS = { maxEntries: 50, maxBytes: 200 * 1024 * 1024 };

/** A session view shows at most this many turns (and says when there are more). */
export const MAX_SESSION_TURNS = 1000;
const SESSION_PAGE_SIZE = 200;

/** With local filters on, one "load" fetches at most this many pages looking for matches. */
const MAX_PAGES_PER_LOAD = 10;

export class TraceStore implements Disposable {
  private experimentList: Experiment[] | undefined;
  /** The experiments' request under way, shared by every caller until it is answered. */
  private experimentsLoading: Promise<Experiment[]> | undefined;
  private readonly lists = new Map<ExperimentId, TraceList>();
  /** The ids in each list's traces: a page checks against them without a pass over the list. */
  private readonly listIds = new WeakMap<TraceList, Set<TraceId>>();
  private readonly loading = new Map<ExperimentId, Promise<TraceList>>();
  /** Counts resets, so that a fetch started before one does not store stale results. */
  private generation = 0;
  /** Spans of recently opened traces: an agent trace's can be tens of megabytes. */
  private readonly spans: LruCache<TraceId, Promise<Span[]>>;
  /**
   * The spans of a trace whose info is not known yet, asked for at the same time as it (a panel
   * opening a trace not loaded): one at a time, taken by the next spansOf of that trace.
   */
  private prefetched:
    { traceId: TraceId; sized: Promise<{ spans: Span[]; bytes: number }> } | undefined;
  /**
   * Orders what is known of each trace: a fetch takes a number when it starts, a write when it
   * ends, and a trace's copy is replaced only by something that started later than what it
   * shows. A poll sent before a write and answered after it would otherwise hide the write.
   */
  private sequence = 0;
  private readonly traceVersion = new Map<TraceId, number>();
  /** Writes under way, by what they write: the same write asked twice is sent once. */
  private readonly writing = new Map<string, Promise<unknown>>();
  private currentFilter: TraceFilter = NO_FILTER;
  /** The traces of a run under review (runs/): Submit and Next stays within them. */
  private reviewList: ReviewList | undefined;
  private readonly changed = new Emitter<StoreChange>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly connection: StoreConnection,
    spanCacheLimits = SPAN_CACHE_LIMITS,
  ) {
    this.spans = new LruCache(spanCacheLimits);
  }

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
    this.experimentsLoading = undefined;
    this.lists.clear();
    this.loading.clear();
    this.spans.clear();
    this.prefetched = undefined;
    this.changed.fire({ kind: 'experiments' });
  }

  /**
   * Forgets only what failed to load (a list whose page failed), so that it loads again; every
   * page that did load stays. Returns whether anything was forgotten.
   */
  dropFailed(): boolean {
    const failed = [...this.lists].filter(([, list]) => list.error !== undefined);
    for (const [experimentId] of failed) {
      this.lists.delete(experimentId);
      this.changed.fire({ kind: 'list', experimentId });
    }
    return failed.length > 0;
  }

  setFilter(filter: TraceFilter): void {
    this.currentFilter = filter;
    this.generation++;
    this.lists.clear();
    this.loading.clear();
    this.changed.fire({ kind: 'experiments' });
  }

  // ---- reads ---------------------------------------------------------------------------------

  /**
   * The experiments to show: the configured ones (ids or names), else every active one. Callers
   * asking at the same time share one request and get the same objects: the tree keys its rows
   * by them, and VS Code drops a change to a row it was not given.
   */
  experiments(): Promise<Experiment[]> {
    if (this.experimentList) return Promise.resolve(this.experimentList);
    if (this.experimentsLoading) return this.experimentsLoading;
    // Kept only if no reset came first (reset forgets the request under way).
    const answered = (list?: Experiment[]) => {
      if (this.experimentsLoading !== loading) return;
      this.experimentsLoading = undefined;
      this.experimentList = list;
    };
    const loading: Promise<Experiment[]> = this.wantedExperiments().then(
      (list) => {
        answered(list);
        return list;
      },
      (error: unknown) => {
        answered();
        throw error;
      },
    );
    this.experimentsLoading = loading;
    return loading;
  }

  /** The configured experiments (ids or names), else every active one, fetched now. */
  private async wantedExperiments(): Promise<Experiment[]> {
    const wanted = this.connection.settings.experiments;
    const all = await this.allExperiments();
    return wanted.length === 0
      ? all
      : wanted
          .map((w) => all.find((e) => e.experimentId === w || e.name === w))
          .filter((e): e is Experiment => e !== undefined);
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
    // The shown list stays while the server answers: a view listed meanwhile keeps its rows.
    const fresh = await this.wantedExperiments();
    if (generation !== this.generation || this.experimentList !== shown) return false;
    // The server's order moves as experiments are updated: only a new, gone or renamed one counts.
    const key = (list: Experiment[]) =>
      list
        .map((e) => `${e.experimentId}:${e.name}`)
        .sort()
        .join('\n');
    // Same experiments: the objects the views already hold stay.
    if (key(fresh) === key(shown)) return false;
    this.experimentList = fresh;
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
      await this.fetchInto(list, undefined, generation);
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
    await this.fetchInto(list, list.nextPageToken, this.generation);
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
    const started = ++this.sequence;
    const page = await this.client.searchTraces(this.searchInput(experimentId, undefined));
    // The server or the filter changed while this page was on its way: it belongs to neither.
    if (generation !== this.generation) return 0;
    const known = new Map(list.traces.map((t) => [t.traceId, t]));
    const fresh = page.items.filter((t) => matchesLocally(t, this.currentFilter));
    const added = withoutKnown(fresh, this.idsOf(list));
    for (const trace of fresh) {
      const old = known.get(trace.traceId);
      if (old && !sameTrace(old, trace) && this.isNewer(trace.traceId, started))
        this.replaceTrace(trace, started);
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
    const started = ++this.sequence;
    const trace = await this.client.getTraceInfo(traceId);
    if (generation !== this.generation) return trace;
    if (this.isNewer(traceId, started)) {
      this.replaceTrace(trace, started);
      return trace;
    }
    // A write ended while this was on its way: the copy that shows it is the newer one.
    return this.trace(traceId) ?? trace;
  }

  /** Every loaded trace of the experiments shown, newest first (the first page of each loaded). */
  async loadedTraces(): Promise<TraceInfo[]> {
    const experiments = await this.experiments();
    const lists = await Promise.all(experiments.map((e) => this.ensureList(e)));
    return sortNewestFirst(lists.flatMap((l) => l.traces));
  }

  /** Reviews exactly these traces: Submit and Next goes through them (newest first given). */
  setReviewList(traceIds: readonly TraceId[]): void {
    this.reviewList = new ReviewList(traceIds);
  }

  /** Whether the trace is one of the list under review. */
  inReviewList(traceId: TraceId): boolean {
    return this.reviewList?.has(traceId) ?? false;
  }

  /**
   * The trace "Submit and Next" goes to after `current`: the newest loaded trace of the same
   * experiment that no person has rated yet.
   */
  async nextUnrated(current: TraceInfo): Promise<TraceInfo | undefined> {
    if (this.reviewList?.has(current.traceId))
      return this.reviewList.next(current.traceId, (id) => this.refreshTrace(id));
    const experiment = (await this.experiments()).find(
      (e) => e.experimentId === current.experimentId,
    );
    if (!experiment) return undefined;
    return nextUnrated((await this.ensureList(experiment)).traces, current.traceId);
  }

  /**
   * The turns of a session in an experiment, oldest first, fetched from the server (not only
   * what the tree has loaded), at most `limit`: `complete` says whether that was all of them.
   * Each turn fetched replaces the store's copy only if it is newer, so views agree.
   */
  async sessionTurns(
    experimentId: ExperimentId,
    sessionId: string,
    limit = MAX_SESSION_TURNS,
  ): Promise<{ turns: TraceInfo[]; complete: boolean }> {
    const filter = sessionFilter(sessionId);
    const generation = this.generation;
    const started = ++this.sequence;
    const turns: TraceInfo[] = [];
    const seen = new Set<TraceId>();
    let token: string | undefined;
    do {
      const page = await this.client.searchTraces({
        experimentIds: [experimentId],
        filter,
        orderBy: ['timestamp_ms ASC'],
        maxResults: Math.min(SESSION_PAGE_SIZE, limit - turns.length),
        ...(token ? { pageToken: token } : {}),
      });
      for (const trace of withoutKnown(page.items, seen)) turns.push(trace);
      token = page.nextPageToken;
    } while (token && turns.length < limit);
    if (generation === this.generation) {
      for (const [i, trace] of turns.entries()) {
        if (this.isNewer(trace.traceId, started)) {
          const known = this.trace(trace.traceId);
          if (known && !sameTrace(known, trace)) this.replaceTrace(trace, started);
        } else turns[i] = this.trace(trace.traceId) ?? trace;
      }
    }
    return { turns: turns.sort(byRequestTime), complete: token === undefined };
  }

  /** A trace's spans, fetched once (spans do not change after a trace ends). */
  spansOf(trace: TraceInfo): Promise<Span[]> {
    const { traceId } = trace;
    const cached = this.spans.get(traceId);
    if (cached) return cached;
    const prefetched = this.prefetched?.traceId === traceId ? this.prefetched.sized : undefined;
    this.prefetched = undefined;
    const sized = prefetched ?? this.client.getTraceSpansSized(traceId);
    const loading = sized.then((s) => s.spans);
    if (trace.state !== 'IN_PROGRESS') {
      this.spans.set(traceId, loading);
      sized.then(
        ({ bytes }) => {
          if (this.spans.get(traceId) === loading) this.spans.resize(traceId, bytes);
        },
        () => {
          if (this.spans.get(traceId) === loading) this.spans.delete(traceId);
        },
      );
    }
    return loading;
  }

  /**
   * Starts reading the spans of a trace whose info is not loaded, so that the two requests run at
   * once rather than one after the other (a round trip less for a panel on a distant server).
   * Nothing is sent when the info is loaded (spansOf follows at once) or the spans are cached.
   */
  prefetchSpans(traceId: TraceId): void {
    if (this.trace(traceId) || this.spans.get(traceId) || this.prefetched?.traceId === traceId)
      return;
    const sized = this.client.getTraceSpansSized(traceId);
    // Its failure is spansOf's to report, when it takes it.
    sized.catch(() => undefined);
    this.prefetched = { traceId, sized };
  }

  /** How much the span cache holds now (its bound is SPAN_CACHE_LIMITS). */
  spanCacheUse(): { entries: number; bytes: number } {
    return { entries: this.spans.size, bytes: this.spans.totalBytes };
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

  // ---- writes: each sent once, shown at once, and only its trace fetched again ----------------

  async logFeedback(input: WithTraceId<LogFeedbackInput>): Promise<Feedback> {
    const intent: Extract<WriteIntent, { kind: 'log' }> = {
      kind: 'log',
      assessmentKind: 'feedback',
      // The client's defaults, as in Python.
      name: input.name ?? DEFAULT_FEEDBACK_NAME,
      value: input.value ?? null,
      source: sourceOrDefault(input.source, 'feedback'),
      ...(input.rationale ? { rationale: input.rationale } : {}),
      ...(input.spanId ? { spanId: input.spanId } : {}),
    };
    return this.write(
      input.traceId,
      intent,
      () => this.client.logFeedback(input),
      (trace, ids, at) => asFeedback(findLogged(trace, intent, ids, at)),
    );
  }

  async logExpectation(input: WithTraceId<LogExpectationInput>): Promise<Assessment> {
    const intent: Extract<WriteIntent, { kind: 'log' }> = {
      kind: 'log',
      assessmentKind: 'expectation',
      name: input.name,
      value: input.value,
      source: sourceOrDefault(input.source, 'expectation'),
      ...(input.spanId ? { spanId: input.spanId } : {}),
    };
    return this.write(
      input.traceId,
      intent,
      () => this.client.logExpectation(input),
      (trace, ids, at) => findLogged(trace, intent, ids, at),
    );
  }

  /**
   * An answer to a review question, as MLflow's Review tab writes it: a feedback or an
   * expectation named after the question, from the reviewer (HUMAN), superseding `overrides`
   * (the reviewer's own earlier answer). Sent once, with the same recovery as every write.
   */
  async logReviewAnswer(
    traceId: TraceId,
    answer: {
      kind: Assessment['kind'];
      name: string;
      value: boolean | number | string | string[];
      rationale?: string;
      source: SourceInput;
      overrides?: AssessmentId;
    },
  ): Promise<Assessment> {
    const { kind, name, value, source, overrides } = answer;
    // The server keeps no rationale on an expectation: none is sent, none looked for.
    const rationale = kind === 'feedback' ? answer.rationale : undefined;
    const intent: Extract<WriteIntent, { kind: 'log' }> = {
      kind: 'log',
      assessmentKind: kind,
      name,
      value,
      source,
      ...(rationale ? { rationale } : {}),
      ...(overrides ? { overrides } : {}),
    };
    return this.write(
      traceId,
      intent,
      () =>
        this.client.logAssessment(
          traceId,
          kind === 'feedback'
            ? {
                kind,
                name,
                value,
                source,
                ...(rationale ? { rationale } : {}),
                ...(overrides ? { overrides } : {}),
              }
            : { kind, name, value, source, ...(overrides ? { overrides } : {}) },
        ),
      (trace, ids, at) => findLogged(trace, intent, ids, at),
    );
  }

  async updateAssessment(
    traceId: TraceId,
    assessmentId: AssessmentId,
    update: AssessmentUpdate,
  ): Promise<Assessment> {
    const intent: Extract<WriteIntent, { kind: 'update' }> = {
      kind: 'update',
      assessmentId,
      update,
    };
    return this.write(
      traceId,
      intent,
      () => this.client.updateAssessment(traceId, assessmentId, update),
      (trace) => findUpdated(trace, intent),
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
    const intent: Extract<WriteIntent, { kind: 'log' }> = {
      kind: 'log',
      assessmentKind: 'feedback',
      name: assessment.name,
      value: input.value,
      source: sourceOrDefault(input.source, 'feedback'),
      overrides: input.assessmentId,
      ...(input.rationale ? { rationale: input.rationale } : {}),
      ...(assessment.spanId ? { spanId: assessment.spanId } : {}),
    };
    return this.write(
      trace.traceId,
      intent,
      () => this.client.overrideFeedback({ ...input, traceId: trace.traceId }),
      (after, ids, at) => asFeedback(findLogged(after, intent, ids, at)),
    );
  }

  async deleteAssessment(traceId: TraceId, assessmentId: AssessmentId): Promise<void> {
    await this.write(
      traceId,
      { kind: 'delete', assessmentId },
      async () => {
        await this.client.deleteAssessment(traceId, assessmentId);
        return true as const;
      },
      (trace) => (isDeleted(trace, assessmentId) ? (true as const) : undefined),
    );
  }

  dispose(): void {
    this.changed.dispose();
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * Sends a write once. The same write asked again while it is under way (two clicks, two
   * Enters) gets the first one's answer. When the answer is lost on the way (isOutcomeUnknown),
   * the trace is read back and `recover` looks for the write there: found, it was saved; not
   * found, WriteNotSavedError (safe to send again); unreadable, WriteOutcomeUnknownError. A
   * saved write shows at once, whether or not the trace can be fetched again after it.
   */
  private write<T>(
    traceId: TraceId,
    intent: WriteIntent,
    send: () => Promise<T>,
    recover: (trace: TraceInfo, knownIds: ReadonlySet<string>, sentAt: number) => T | undefined,
  ): Promise<T> {
    const key = JSON.stringify([traceId, intent]);
    const pending = this.writing.get(key);
    if (pending) return pending as Promise<T>;
    const generation = this.generation;
    const knownIds = new Set(this.trace(traceId)?.assessments.map((a) => a.assessmentId));
    const writing = (async () => {
      const sentAt = Date.now();
      let result: T;
      try {
        result = await send();
      } catch (error) {
        if (!isOutcomeUnknown(error)) throw error;
        let after: TraceInfo;
        try {
          after = await this.client.getTraceInfo(traceId);
        } catch (readBackError) {
          throw new WriteOutcomeUnknownError(intent, error, readBackError);
        }
        const found = recover(after, knownIds, sentAt);
        if (found === undefined) throw new WriteNotSavedError(intent, error);
        result = found;
      }
      if (generation === this.generation) {
        this.showWritten(traceId, intent, result);
        try {
          await this.refreshTrace(traceId);
        } catch {
          // Saved, and shown from the write's own answer; the next poll brings the rest.
        }
      }
      return result;
    })().finally(() => this.writing.delete(key));
    this.writing.set(key, writing);
    return writing;
  }

  /** Puts a saved write into the loaded copy of its trace, newer than any fetch under way. */
  private showWritten(traceId: TraceId, intent: WriteIntent, result: unknown): void {
    const version = ++this.sequence;
    const trace = this.trace(traceId);
    if (!trace) {
      this.traceVersion.set(traceId, version);
      return;
    }
    let assessments = trace.assessments;
    if (intent.kind === 'delete') {
      assessments = assessments.filter((a) => a.assessmentId !== intent.assessmentId);
    } else if (isAssessment(result)) {
      const overridden = intent.kind === 'log' ? intent.overrides : undefined;
      assessments = [
        ...assessments
          .filter((a) => a.assessmentId !== result.assessmentId)
          .map((a) => (a.assessmentId === overridden ? { ...a, valid: false } : a)),
        result,
      ];
    }
    this.replaceTrace({ ...trace, assessments }, version);
  }

  private idsOf(list: TraceList): Set<TraceId> {
    let ids = this.listIds.get(list);
    if (!ids) {
      ids = new Set(list.traces.map((t) => t.traceId));
      this.listIds.set(list, ids);
    }
    return ids;
  }

  private isNewer(traceId: TraceId, started: number): boolean {
    return started > (this.traceVersion.get(traceId) ?? 0);
  }

  private replaceTrace(trace: TraceInfo, version: number): void {
    this.traceVersion.set(trace.traceId, version);
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
  private async fetchInto(
    list: TraceList,
    pageToken: string | undefined,
    generation: number,
  ): Promise<void> {
    const wanted = this.connection.settings.pageSize;
    let token = pageToken;
    let matched = 0;
    for (let pages = 0; pages < MAX_PAGES_PER_LOAD; pages++) {
      const page = await this.client.searchTraces(
        this.searchInput(list.experiment.experimentId, token),
      );
      // From before a server or filter change: it belongs to no list shown now.
      if (generation !== this.generation) return;
      const kept = page.items.filter((t) => matchesLocally(t, this.currentFilter));
      list.traces.push(...withoutKnown(kept, this.idsOf(list)));
      list.hiddenCount += page.items.length - kept.length;
      list.nextPageToken = page.nextPageToken;
      list.error = undefined;
      matched += kept.length;
      token = page.nextPageToken;
      if (!token || !needsLocalFiltering(this.currentFilter) || matched >= wanted) return;
    }
  }
}

/**
 * The traces of a page that are not loaded yet, each once: a trace appears twice when it moved
 * between pages as the server's order changed, or when a server repeats one in a page. Adds their
 * ids to `loaded` (the ids of the list they are about to join).
 */
function withoutKnown(page: TraceInfo[], loaded: Set<TraceId>): TraceInfo[] {
  return page.filter((t) => {
    if (loaded.has(t.traceId)) return false;
    loaded.add(t.traceId);
    return true;
  });
}

function isAssessment(value: unknown): value is Assessment {
  return typeof value === 'object' && value !== null && 'assessmentId' in value;
}

function asFeedback(assessment: Assessment | undefined): Feedback | undefined {
  return assessment?.kind === 'feedback' ? assessment : undefined;
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
