/**
 * The trace tree's logic, without VS Code: experiments → traces (paged, newest first) →
 * assessments and spans. Nodes load their children through the store; failures become rows,
 * never pop-ups. Node objects are kept per id so that a refresh updates rows in place: what the
 * person has expanded or selected stays as it is. trace-tree.ts adapts it to VS Code's
 * TreeDataProvider; test/store/ runs it in plain Node against a real MLflow server.
 */
import type { Assessment, ExperimentId, Span, TraceInfo } from '../mlflow';
import { spanKeys, spanTree } from '../shared/span-tree';
import { hasHumanFeedback, overriddenBy } from '../store/assessment-rules';
import { describeFilter, isFiltered } from '../store/trace-filters';
import type { StoreChange, TraceStore } from '../store/trace-store';
import { errorMessage } from '../util/error-message';
import { Emitter, type Disposable } from '../util/events';
import {
  AssessmentNode,
  ExperimentNode,
  LoadMoreNode,
  MessageNode,
  SpanNode,
  SpansGroupNode,
  TraceNode,
  type TreeNode,
} from './nodes';

/** What the tree needs of the connection. */
export interface TreeConnection {
  readonly state: { readonly kind: string };
  /** The server shown, for the rows that tell the app where to log. */
  readonly settings: { readonly trackingUri: { readonly url: string } };
  noteFailure(error: unknown): void;
}

export class TraceTreeModel implements Disposable {
  private readonly changed = new Emitter<TreeNode | undefined>();
  /** A node whose row (and children) must be drawn again; undefined: the whole tree. */
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
  private readonly subscription: Disposable;

  constructor(
    private readonly store: TraceStore,
    private readonly connection: TreeConnection,
  ) {
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

  /** Draws every row again. */
  refreshAll(): void {
    this.changed.fire(undefined);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    switch (node.kind) {
      case 'trace':
        return this.experimentNodes.get(node.experimentId);
      case 'assessment':
      case 'span':
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
        case 'trace':
          return this.traceChildren(node);
        case 'spans':
          return await this.spanRoots(node);
        case 'span':
          return [
            ...node.assessments.map((a) => this.assessmentNodeFor(a, node.trace, node)),
            ...node.children,
          ];
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
    let count = 0;
    let loaded = 0;
    for (const node of this.traceNodes.values()) {
      loaded++;
      if (!hasHumanFeedback(node.trace)) count++;
    }
    return { count, loaded };
  }

  /** The view's description line: the active filters. */
  description(): string | undefined {
    return describeFilter(this.store.filter);
  }

  /** The node of a trace, made now if the tree has not drawn it yet. */
  nodeForTrace(trace: TraceInfo, experimentId: ExperimentId): TraceNode {
    let node = this.traceNodes.get(trace.traceId);
    if (node) node.trace = trace;
    else {
      node = new TraceNode(trace, experimentId);
      this.traceNodes.set(trace.traceId, node);
    }
    return node;
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
    const rows: TreeNode[] = list.traces.map((trace) => this.nodeForTrace(trace, id));
    if (list.nextPageToken) rows.push(new LoadMoreNode(id, list.hiddenCount));
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
    const roots = buildSpanTree(spans, group.trace);
    for (const root of roots) root.parent = group;
    return roots;
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
        this.experimentNodes.clear();
        this.assessmentNodes.clear();
        this.spanGroups.clear();
        this.changed.fire(undefined);
        this.countsChanged.fire();
        return;
      case 'list':
        this.changed.fire(this.experimentNodes.get(change.experimentId));
        return;
      case 'trace': {
        const node = this.traceNodes.get(change.trace.traceId);
        if (!node) return;
        node.trace = change.trace;
        this.changed.fire(node);
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
    case 'assessment':
      return `assessment:${node.assessment.assessmentId}`;
    case 'spans':
      return `spans:${node.trace.traceId}`;
    case 'span':
      return `span:${node.span.traceId}:${node.key}`;
    case 'loadMore':
      return `loadMore:${node.experimentId}`;
    case 'message':
      return `message:${node.id}`;
  }
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
export function buildSpanTree(spans: Span[], trace: TraceInfo): SpanNode[] {
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
    nodes.set(
      span,
      new SpanNode(
        span,
        trace,
        tree.childrenOf(span).flatMap((child) => nodes.get(child) ?? []),
        key === span.spanId ? sortAssessments(bySpan.get(span.spanId) ?? []) : [],
        key,
      ),
    );
  }
  return tree.roots.flatMap((root) => nodes.get(root) ?? []);
}
