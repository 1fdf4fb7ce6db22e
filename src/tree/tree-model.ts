/**
 * The trace tree's logic, without VS Code: experiments → traces (paged, newest first) →
 * assessments and spans. Nodes load their children through the store; failures become rows,
 * never pop-ups. Node objects are kept per id so that a refresh updates rows in place: what the
 * person has expanded or selected stays as it is. trace-tree.ts adapts it to VS Code's
 * TreeDataProvider; test/store/ runs it in plain Node against a real MLflow server.
 *
 * The cost of a change is bounded (ranges.ts says why): an experiment lists its newest
 * `rangeSize` traces directly and the rest in ranges, its first ranges directly and the rest in
 * blocks of ranges; a page of "Load more" names only the range it lands in (the block it is in,
 * only when it adds a range there; the experiment, only when it adds a range or block of its own
 * or is still filling its own first `rangeSize`), and a span's children are listed in ranges.
 * The range size is TRACE_RANGE_SIZE for an experiment's traces and RANGE_SIZE for the rest,
 * unless a test asks for small ranges.
 */
import type { Assessment, ExperimentId, Span, TraceInfo } from '../mlflow';
import { groupBySession } from '../shared/sessions';
import { spanKeys, spanTree } from '../shared/span-tree';
import { hasHumanFeedback, overriddenBy } from '../store/assessment-rules';
import { describeFilter, isFiltered } from '../store/trace-filters';
import type { StoreChange, TraceList, TraceStore } from '../store/trace-store';
import { errorMessage } from '../util/error-message';
import { Emitter, type Disposable } from '../util/events';
import {
  AssessmentNode,
  ExperimentNode,
  GroupRangeNode,
  LoadMoreNode,
  MessageNode,
  SessionNode,
  SpanNode,
  SpanRangeNode,
  SpansGroupNode,
  TraceNode,
  TraceBlockNode,
  TraceRangeNode,
  type TreeNode,
} from './nodes';
import { RANGE_SIZE, rowsInRanges, TRACE_RANGE_SIZE, TRACE_RANGES_PER_BLOCK } from './ranges';

/** What the tree needs of the connection. */
export interface TreeConnection {
  readonly state: { readonly kind: string };
  /** The server shown, for the rows that tell the app where to log. */
  readonly settings: { readonly trackingUri: { readonly url: string } };
  noteFailure(error: unknown): void;
}

export interface TreeOptions {
  /**
   * The most rows a node lists directly, and the size of a range; default TRACE_RANGE_SIZE for
   * an experiment's traces, RANGE_SIZE for the rest.
   */
  readonly rangeSize?: number;
  /** Ranges of traces an experiment lists directly, and to a block (TRACE_RANGES_PER_BLOCK). */
  readonly rangesPerBlock?: number;
}

/**
 * How an experiment's loaded traces are listed: the first `rangeSize` directly under it, the
 * rest in ranges of `rangeSize`, the first `rangesPerBlock` ranges directly and the others in
 * blocks of `rangesPerBlock`. Made from the store's list as it was when last told of a change.
 */
interface ExperimentRows {
  /** The store's list these rows show. */
  readonly list: TraceList;
  /** `list.traces` when last placed: pages append to that array; a poll makes a new one. */
  traces: readonly TraceInfo[];
  /** How many of `traces` are placed. */
  placed: number;
  /** The traces listed directly under the experiment, newest first. */
  head: TraceNode[];
  /** The ranges listed directly under the experiment. */
  ranges: TraceRangeNode[];
  /** The blocks of ranges after those. */
  blocks: TraceBlockNode[];
  readonly loadMore: LoadMoreNode;
  /** Whether the rows end with "Load more". */
  loadMoreShown: boolean;
}

/** The rows placing new traces changed (placeNew). */
interface PlacedRows {
  /** The experiment's own rows: a trace directly under it, a range or a block added. */
  experiment: boolean;
  /** Blocks that gained a range. */
  blocks: Set<TraceBlockNode>;
  /** Ranges that gained traces. */
  ranges: Set<TraceRangeNode>;
}

/** Every range of an experiment's rows, in order: those listed directly, then those in blocks. */
function allRanges(rows: ExperimentRows): TraceRangeNode[] {
  return [...rows.ranges, ...rows.blocks.flatMap((block) => block.ranges)];
}

export class TraceTreeModel implements Disposable {
  private readonly changed = new Emitter<readonly TreeNode[] | undefined>();
  /** Nodes whose rows (and children) must be drawn again; undefined: the whole tree. */
  readonly onDidChange = this.changed.event;
  private readonly countsChanged = new Emitter<void>();
  /** The loaded traces changed (for the badge). */
  readonly onDidChangeCounts = this.countsChanged.event;
  private readonly experimentsListed = new Emitter<number>();
  /** The root rows were listed: how many experiments there are (none shows welcome content). */
  readonly onDidListExperiments = this.experimentsListed.event;
  private readonly traceNodes = new Map<string, TraceNode>();
  private readonly experimentNodes = new Map<string, ExperimentNode>();
  private readonly assessmentNodes = new Map<string, AssessmentNode>();
  private readonly spanGroups = new Map<string, SpansGroupNode>();
  private readonly experimentRows = new Map<ExperimentId, ExperimentRows>();
  /** Grouped by session: each experiment's session rows, by experiment and session id. */
  private readonly sessionNodes = new Map<string, SessionNode>();
  private grouped = false;
  /** Traces among traceNodes that no person has rated (the badge), kept as traces change. */
  private unrated = 0;
  private readonly subscription: Disposable;
  private readonly rangeSize: number;
  private readonly traceRangeSize: number;
  private readonly rangesPerBlock: number;

  constructor(
    private readonly store: TraceStore,
    private readonly connection: TreeConnection,
    options: TreeOptions = {},
  ) {
    this.rangeSize = options.rangeSize ?? RANGE_SIZE;
    this.traceRangeSize = options.rangeSize ?? TRACE_RANGE_SIZE;
    this.rangesPerBlock = options.rangesPerBlock ?? TRACE_RANGES_PER_BLOCK;
    this.subscription = store.onDidChange((change) => {
      this.onStoreChange(change);
    });
  }

  /** The node of a loaded trace (for reveal and selection). */
  traceNode(traceId: string): TraceNode | undefined {
    return this.traceNodes.get(traceId);
  }

  experimentNode(experimentId: string): ExperimentNode | undefined {
    return this.experimentNodes.get(experimentId);
  }

  /** An assessment row that has been shown (its trace was expanded). */
  assessmentNode(assessmentId: string): AssessmentNode | undefined {
    return this.assessmentNodes.get(assessmentId);
  }

  /** Every trace the tree has loaded, in tree order. */
  loadedTraces(): TraceInfo[] {
    return [...this.traceNodes.values()].map((n) => n.trace);
  }

  /** Whether traces are listed under their sessions ("Group by Session"). */
  get groupedBySession(): boolean {
    return this.grouped;
  }

  /**
   * Lists each experiment's loaded traces under their sessions, or not. Only what is loaded is
   * grouped (a row at the top says so); "Load more" stays, and what it loads is grouped too.
   */
  setGroupBySession(grouped: boolean): void {
    if (grouped === this.grouped) return;
    this.grouped = grouped;
    for (const node of this.traceNodes.values()) {
      node.group = undefined;
      node.range = undefined;
    }
    this.experimentRows.clear();
    this.sessionNodes.clear();
    this.changed.fire(undefined);
  }

  /** A session's row, while grouped and drawn. */
  sessionNode(experimentId: string, sessionId: string): SessionNode | undefined {
    return this.sessionNodes.get(sessionKey(experimentId, sessionId));
  }

  /** Draws every row again. */
  refreshAll(): void {
    this.changed.fire(undefined);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'trace':
        return node.group ?? node.range ?? this.experimentNodes.get(node.experimentId);
      case 'session':
        return node.parent ?? this.experimentNodes.get(node.experimentId);
      case 'groupRange':
        return node.parent;
      case 'traceRange':
        return node.block ?? this.experimentNodes.get(node.experimentId);
      case 'traceBlock':
        return this.experimentNodes.get(node.experimentId);
      case 'assessment':
      case 'span':
      case 'spanRange':
        return node.parent;
      case 'spans':
        return this.traceNodes.get(node.trace.traceId);
      case 'loadMore':
        return this.experimentNodes.get(node.experimentId);
      default:
        return undefined;
    }
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    try {
      if (!node) return await this.rootChildren();
      switch (node.kind) {
        case 'experiment':
          return await this.experimentChildren(node);
        case 'traceRange':
          return [...node.traces];
        case 'traceBlock':
          return [...node.ranges];
        case 'session':
        case 'groupRange':
          return [...node.rows];
        case 'trace':
          return this.traceChildren(node);
        case 'spans':
          return await this.spanRoots(node);
        case 'span':
          return [
            ...node.assessments.map((a) => this.assessmentNodeFor(a, node.trace, node)),
            ...node.rows,
          ];
        case 'spanRange':
          return [...node.rows];
        default:
          return [];
      }
    } catch (error) {
      this.connection.noteFailure(error);
      const message = errorMessage(error);
      return [
        new MessageNode(`error:${node ? nodeKey(node) : 'root'}`, message, 'error', message, {
          command: 'refresh',
          title: 'Retry',
          argument: 'failed',
        }),
      ];
    }
  }

  /** The view's badge: loaded traces that no person has rated yet. */
  unratedCount(): { count: number; loaded: number } {
    return { count: this.unrated, loaded: this.traceNodes.size };
  }

  /** The view's description line: the active filters. */
  description(): string | undefined {
    return describeFilter(this.store.filter);
  }

  /** The node of a trace, made now if the tree has not drawn it yet. */
  nodeForTrace(trace: TraceInfo, experimentId: ExperimentId): TraceNode {
    let node = this.traceNodes.get(trace.traceId);
    if (node) this.setTrace(node, trace);
    else {
      node = new TraceNode(trace, experimentId);
      this.traceNodes.set(trace.traceId, node);
      if (!hasHumanFeedback(trace)) this.unrated++;
    }
    return node;
  }

  /** Replaces a node's trace, keeping the count of unrated traces. */
  private setTrace(node: TraceNode, trace: TraceInfo): void {
    if (node.trace === trace) return;
    this.unrated += Number(!hasHumanFeedback(trace)) - Number(!hasHumanFeedback(node.trace));
    node.trace = trace;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
    this.countsChanged.dispose();
    this.experimentsListed.dispose();
  }

  private async rootChildren(): Promise<TreeNode[]> {
    // Until the server answers, the welcome content (package.json viewsWelcome) says why.
    if (this.connection.state.kind !== 'connected') return [];
    const experiments = await this.store.experiments();
    this.experimentsListed.fire(experiments.length);
    return experiments.map((experiment) => {
      let node = this.experimentNodes.get(experiment.experimentId);
      if (!node || node.experiment !== experiment) {
        node = new ExperimentNode(experiment);
        this.experimentNodes.set(experiment.experimentId, node);
      }
      return node;
    });
  }

  private async experimentChildren(node: ExperimentNode): Promise<TreeNode[]> {
    const list = await this.store.ensureList(node.experiment);
    const id = node.experiment.experimentId;
    if (list.error) {
      const message = errorMessage(list.error);
      return [
        new MessageNode(`error:${id}`, message, 'error', message, {
          command: 'refresh',
          title: 'Retry',
          argument: 'failed',
        }),
      ];
    }
    if (this.grouped && list.traces.length > 0) return this.groupedChildren(node, list);
    // The rows as placed when the store last told of a change (onStoreChange places what is new
    // and names the rows it changed), or placed now for a list not shown before.
    let shown = this.experimentRows.get(id);
    if (shown?.list !== list) {
      shown = this.placeAll(list);
      this.experimentRows.set(id, shown);
    }
    const rows: TreeNode[] = [...shown.head, ...shown.ranges, ...shown.blocks];
    if (shown.loadMoreShown) rows.push(shown.loadMore);
    this.countsChanged.fire();
    if (rows.length === 0) {
      rows.push(
        isFiltered(this.store.filter)
          ? new MessageNode(`empty:${id}`, 'No traces match the filter', 'filter', undefined, {
              command: 'clearFilter',
              title: 'Clear filters',
            })
          : new MessageNode(
              `empty:${id}`,
              `No traces yet: run your app with MLFLOW_TRACKING_URI=${this.connection.settings.trackingUri.url}`,
              'info',
              // The app must log where the view looks, or its traces go to a local ./mlruns.
              `Traces appear here when your app logs them to ${this.connection.settings.trackingUri.url}: set MLFLOW_TRACKING_URI to it (new terminals have it), or call mlflow.set_tracking_uri("${this.connection.settings.trackingUri.url}").`,
            ),
      );
    }
    return rows;
  }

  /**
   * Grouped by session: a row that says what is grouped, then sessions and the traces without
   * one (newest activity first), each session's turns oldest first; long lists in ranges, as
   * ungrouped. Made again from the store's list each time it is listed.
   */
  private groupedChildren(experiment: ExperimentNode, list: TraceList): TreeNode[] {
    const id = experiment.experiment.experimentId;
    const stale = new Set(
      [...this.sessionNodes.entries()].filter(([, s]) => s.experimentId === id).map(([k]) => k),
    );
    const top = groupBySession(list.traces).map((row): SessionNode | TraceNode => {
      if (row.kind === 'trace') return this.nodeForTrace(row.trace, id);
      const key = sessionKey(id, row.group.sessionId);
      stale.delete(key);
      let session = this.sessionNodes.get(key);
      if (session) session.group = row.group;
      else {
        session = new SessionNode(id, row.group);
        this.sessionNodes.set(key, session);
      }
      const turns = row.group.turns.map((t) => this.nodeForTrace(t, id));
      session.rows = this.groupRows(turns, session, 'Turns', `session=${key}`);
      return session;
    });
    for (const key of stale) this.sessionNodes.delete(key);
    const rows: TreeNode[] = this.groupRows(
      top,
      experiment,
      'Sessions and traces',
      `experiment=${id}`,
    );
    // Older turns may be on pages not loaded yet: the first row says what is grouped.
    if (list.nextPageToken !== undefined) {
      rows.unshift(groupedNote(id, list));
      rows.push(new LoadMoreNode(id, list.hiddenCount));
    }
    this.countsChanged.fire();
    return rows;
  }

  /** Rows of a grouped list, the first `rangeSize` directly, the rest in ranges; sets parents. */
  private groupRows<T extends SessionNode | TraceNode>(
    items: T[],
    owner: ExperimentNode | SessionNode,
    what: string,
    prefix: string,
  ): (T | GroupRangeNode)[] {
    const setParent = (
      row: T | GroupRangeNode,
      parent: SessionNode | GroupRangeNode | undefined,
    ) => {
      if (row.kind === 'trace') {
        row.range = undefined;
        row.group = parent;
      } else if (row.kind === 'session')
        row.parent = parent?.kind === 'groupRange' ? parent : undefined;
      else row.parent = parent ?? owner;
    };
    const rows = rowsInRanges<T, GroupRangeNode>(items, this.rangeSize, (start, end, inner) => {
      const range = new GroupRangeNode(`${prefix}/${start}-${end}`, what, start, end);
      range.rows = inner;
      for (const row of inner) setParent(row, range);
      return range;
    });
    const direct = owner.kind === 'session' ? owner : undefined;
    for (const row of rows) setParent(row, direct);
    return rows;
  }

  private traceChildren(node: TraceNode): TreeNode[] {
    const { trace } = node;
    const traceLevel = trace.assessments.filter((a) => !a.spanId);
    let group = this.spanGroups.get(trace.traceId);
    if (!group || group.trace !== trace) {
      group = new SpansGroupNode(trace);
      this.spanGroups.set(trace.traceId, group);
    }
    return [
      ...sortAssessments(traceLevel).map((a) => this.assessmentNodeFor(a, trace, node)),
      group,
    ];
  }

  private async spanRoots(group: SpansGroupNode): Promise<TreeNode[]> {
    const spans = await this.store.spansOf(group.trace);
    if (spans.length === 0)
      return [new MessageNode(`nospans:${group.trace.traceId}`, 'No spans recorded', 'info')];
    // Made once per trace: a refresh of the trace lists an expanded Spans row again.
    if (group.built?.spans !== spans) {
      const roots = buildSpanTree(spans, group.trace, this.rangeSize);
      group.built = { spans, rows: spanRows(roots, group, this.rangeSize) };
    }
    return [...group.built.rows];
  }

  /** Rows for a list the tree has not shown: every trace placed, in order. */
  private placeAll(list: TraceList): ExperimentRows {
    const id = list.experiment.experimentId;
    const rows: ExperimentRows = {
      list,
      traces: list.traces,
      placed: 0,
      head: [],
      ranges: [],
      blocks: [],
      loadMore: new LoadMoreNode(id, list.hiddenCount),
      loadMoreShown: list.nextPageToken !== undefined,
    };
    this.placeNew(rows);
    return rows;
  }

  /**
   * Places the traces appended to the list since it was last placed: under the experiment while
   * it lists fewer than `rangeSize` directly (and no range yet), else in the last range, adding
   * ranges as they fill: directly under the experiment while it lists fewer than
   * `rangesPerBlock`, else in the last block, adding blocks as they fill. Returns the rows to
   * draw again: the experiment itself when its own list changed, else the blocks that gained a
   * range and the ranges that grew (each only when no row above it is drawn again).
   */
  private placeNew(rows: ExperimentRows): PlacedRows {
    const changed: PlacedRows = { experiment: false, blocks: new Set(), ranges: new Set() };
    for (; rows.placed < rows.traces.length; rows.placed++) {
      const node = this.nodeForTrace(
        rows.traces[rows.placed] as TraceInfo,
        rows.list.experiment.experimentId,
      );
      if (rows.ranges.length === 0 && rows.head.length < this.traceRangeSize) {
        node.range = undefined;
        rows.head.push(node);
        changed.experiment = true;
        continue;
      }
      let last = rows.blocks.at(-1)?.ranges.at(-1) ?? rows.ranges.at(-1);
      if (!last || last.traces.length >= this.traceRangeSize) {
        if (last) last.folded = true;
        last = this.addRange(rows, changed);
      }
      last.traces.push(node);
      node.range = last;
      changed.ranges.add(last);
    }
    return changed;
  }

  /** A new, empty last range: under the experiment, or in the last block (a new one when full). */
  private addRange(rows: ExperimentRows, changed: PlacedRows): TraceRangeNode {
    const id = rows.list.experiment.experimentId;
    const count = rows.ranges.length + rows.blocks.reduce((n, b) => n + b.ranges.length, 0);
    const range = new TraceRangeNode(id, count + 1, rows.placed + 1);
    if (rows.ranges.length < this.rangesPerBlock) {
      rows.ranges.push(range);
      changed.experiment = true;
      return range;
    }
    let block = rows.blocks.at(-1);
    if (!block || block.ranges.length >= this.rangesPerBlock) {
      if (block) block.folded = true;
      block = new TraceBlockNode(id, rows.blocks.length + 1);
      rows.blocks.push(block);
      changed.experiment = true;
    }
    block.ranges.push(range);
    range.block = block;
    changed.blocks.add(block);
    return range;
  }

  /**
   * The list changed other than by pages appended (a poll merged newer traces in): traces already
   * in a range stay there, so what the person expanded keeps its rows; every other trace is
   * listed directly under the experiment, in the list's order.
   */
  private replaceAll(rows: ExperimentRows): void {
    const id = rows.list.experiment.experimentId;
    const inRanges = new Set(allRanges(rows).flatMap((r) => r.traces.map((t) => t.traceId)));
    rows.traces = rows.list.traces;
    rows.placed = rows.traces.length;
    rows.head = rows.traces
      .filter((t) => !inRanges.has(t.traceId))
      .map((t) => {
        const node = this.nodeForTrace(t, id);
        node.range = undefined;
        return node;
      });
    let first = rows.head.length + 1;
    for (const range of allRanges(rows)) {
      range.first = first;
      first += range.traces.length;
    }
  }

  /**
   * The store's list of an experiment changed: places what is new and names the fewest rows
   * that show it. A page appended to a list already shown names the range it landed in (and the
   * Load more row, when its count of hidden traces changed); the experiment only when its own
   * rows changed (traces directly under it, a range added, Load more shown or gone).
   */
  private onListChange(experimentId: ExperimentId): void {
    const experiment = this.experimentNodes.get(experimentId);
    if (!experiment) {
      this.changed.fire(undefined);
      return;
    }
    if (this.grouped) {
      // Grouped again from the list when listed: a page may add turns to any session.
      this.changed.fire([experiment]);
      this.countsChanged.fire();
      return;
    }
    const rows = this.experimentRows.get(experimentId);
    const list = this.store.list(experimentId);
    if (!rows || !list || rows.list !== list || list.error) {
      // Never listed, dropped or loaded again: the experiment's rows are made when listed. Its
      // traces' nodes stay (for identity); none is in a range until placed again.
      for (const range of rows ? allRanges(rows) : [])
        for (const node of range.traces) node.range = undefined;
      this.experimentRows.delete(experimentId);
      this.changed.fire([experiment]);
      this.countsChanged.fire();
      return;
    }
    let changed: PlacedRows;
    if (rows.traces === list.traces) changed = this.placeNew(rows);
    else {
      this.replaceAll(rows);
      changed = { experiment: true, blocks: new Set(), ranges: new Set() };
    }
    const loadMoreShown = list.nextPageToken !== undefined;
    const hiddenChanged = rows.loadMore.hiddenCount !== list.hiddenCount;
    rows.loadMore.hiddenCount = list.hiddenCount;
    if (loadMoreShown !== rows.loadMoreShown) {
      rows.loadMoreShown = loadMoreShown;
      changed.experiment = true;
    }
    // VS Code lists again everything open below a row it draws again: a range in a block drawn
    // again is not named too.
    const nodes: TreeNode[] = changed.experiment
      ? [experiment]
      : [
          ...changed.blocks,
          ...[...changed.ranges].filter((r) => !r.block || !changed.blocks.has(r.block)),
        ];
    if (!changed.experiment && loadMoreShown && hiddenChanged) nodes.push(rows.loadMore);
    if (nodes.length > 0) this.changed.fire(nodes);
    this.countsChanged.fire();
  }

  private assessmentNodeFor(
    assessment: Assessment,
    trace: TraceInfo,
    parent: TraceNode | SpanNode,
  ): AssessmentNode {
    const node = new AssessmentNode(assessment, trace, overriddenBy(trace, assessment));
    node.parent = parent;
    this.assessmentNodes.set(assessment.assessmentId, node);
    return node;
  }

  private onStoreChange(change: StoreChange): void {
    switch (change.kind) {
      case 'experiments':
        this.traceNodes.clear();
        this.unrated = 0;
        this.experimentNodes.clear();
        this.assessmentNodes.clear();
        this.spanGroups.clear();
        this.experimentRows.clear();
        this.sessionNodes.clear();
        this.changed.fire(undefined);
        this.countsChanged.fire();
        return;
      case 'list':
        this.onListChange(change.experimentId);
        return;
      case 'trace': {
        const node = this.traceNodes.get(change.trace.traceId);
        if (!node) return;
        this.setTrace(node, change.trace);
        this.changed.fire([node]);
        this.countsChanged.fire();
      }
    }
  }
}

/** A stable key of a node, for the id of an error row shown in its place. */
function nodeKey(node: TreeNode): string {
  switch (node.kind) {
    case 'experiment':
      return `experiment:${node.experiment.experimentId}`;
    case 'trace':
      return `trace:${node.trace.traceId}`;
    case 'traceRange':
      return `traces:${node.experimentId}:${node.index}`;
    case 'traceBlock':
      return `traceBlock:${node.experimentId}:${node.index}`;
    case 'session':
      return `session:${sessionKey(node.experimentId, node.sessionId)}`;
    case 'groupRange':
      return `group:${node.key}`;
    case 'assessment':
      return `assessment:${node.assessment.assessmentId}`;
    case 'spans':
      return `spans:${node.trace.traceId}`;
    case 'span':
      return `span:${node.span.traceId}:${node.key}`;
    case 'spanRange':
      return `spans:${node.trace.traceId}:${node.key}`;
    case 'loadMore':
      return `loadMore:${node.experimentId}`;
    case 'message':
      return `message:${node.id}`;
  }
}

/** A session's key among the tree's: its experiment and its id (which may hold anything). */
function sessionKey(experimentId: string, sessionId: string): string {
  return `${experimentId}:${JSON.stringify(sessionId)}`;
}

/**
 * The row at the top of a grouped experiment with more pages: only the loaded traces are grouped.
 */
function groupedNote(experimentId: ExperimentId, list: TraceList): MessageNode {
  const n = list.traces.length;
  return new MessageNode(
    `grouped:${experimentId}`,
    `Sessions of the ${n.toLocaleString('en-US')} loaded trace${n === 1 ? '' : 's'} · Load more for older turns`,
    'group-by-ref-type',
    'Only the traces loaded so far are grouped: a session may have older turns that are not loaded yet. Open Session shows all of its turns.',
  );
}

/** Feedback in force first (by name), then expectations, then what was overridden. */
export function sortAssessments(assessments: Assessment[]): Assessment[] {
  const rank = (a: Assessment) => (!a.valid ? 2 : a.kind === 'feedback' ? 0 : 1);
  return [...assessments].sort(
    (a, b) =>
      rank(a) - rank(b) || a.name.localeCompare(b.name) || a.createTime.localeCompare(b.createTime),
  );
}

/**
 * Spans as a tree by parent id, in start order; span-level assessments go under their span.
 * Built without recursion (a chain can be thousands of spans deep): nodes are made children
 * first, from the end of a depth-first order. A repeated span id shows as a flagged root; its
 * assessments go under the first span with that id only, so each shows exactly once.
 */
export function buildSpanTree(spans: Span[], trace: TraceInfo, rangeSize = RANGE_SIZE): SpanNode[] {
  const tree = spanTree(spans, (s) => s.startTimeUnixNano);
  const order: Span[] = [];
  const stack = [...tree.roots].reverse();
  for (let span = stack.pop(); span; span = stack.pop()) {
    order.push(span);
    const children = tree.childrenOf(span);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as Span);
  }
  const bySpan = new Map<string, Assessment[]>();
  for (const a of trace.assessments) {
    if (!a.spanId) continue;
    const list = bySpan.get(a.spanId);
    if (list) list.push(a);
    else bySpan.set(a.spanId, [a]);
  }
  // Row ids must be unique in a VS Code tree: a repeated span id gets a suffix.
  const keys = spanKeys(spans);
  const nodes = new Map<Span, SpanNode>();
  for (let i = order.length - 1; i >= 0; i--) {
    const span = order[i] as Span;
    const key = keys.get(span) ?? span.spanId;
    const node = new SpanNode(
      span,
      trace,
      tree.childrenOf(span).flatMap((child) => nodes.get(child) ?? []),
      key === span.spanId ? sortAssessments(bySpan.get(span.spanId) ?? []) : [],
      key,
    );
    // An agent can start thousands of spans under one: no row lists more than `rangeSize`.
    if (node.children.length > rangeSize) node.rows = spanRows(node.children, node, rangeSize);
    nodes.set(span, node);
  }
  return tree.roots.flatMap((root) => nodes.get(root) ?? []);
}

/**
 * The rows that list `spans`, the children of `owner` (a span, or the Spans row for the trace's
 * root spans): the first `rangeSize`, then ranges. Sets each row's parent (for reveal): a span in
 * a range has the range as its parent.
 */
export function spanRows(
  spans: SpanNode[],
  owner: SpanNode | SpansGroupNode,
  rangeSize = RANGE_SIZE,
): (SpanNode | SpanRangeNode)[] {
  const { trace } = owner;
  // Unique among the trace's rows whatever the span ids: "root/…" cannot start "span=…".
  const prefix = owner.kind === 'span' ? `span=${owner.key}` : 'root';
  const rows = rowsInRanges<SpanNode, SpanRangeNode>(spans, rangeSize, (start, end, inner) => {
    const range = new SpanRangeNode(trace, `${prefix}/${start}-${end}`, start, end);
    range.rows = inner;
    for (const row of inner) row.parent = range;
    return range;
  });
  for (const row of rows) row.parent = owner;
  return rows;
}
