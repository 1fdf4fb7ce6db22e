/**
 * The trace tree: experiments → traces (paged, newest first) → assessments and spans. Nodes load
 * their own children through the store; failures become rows, never pop-ups. Node objects are
 * kept per id so that a refresh updates rows in place: what the person has expanded or selected
 * stays as it is.
 */
import * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import type { Assessment, Span, TraceInfo } from '../mlflow';
import { childrenByParent } from '../shared/span-tree';
import { describeFilter, hasHumanFeedback } from '../store/trace-filters';
import type { StoreChange, TraceStore } from '../store/trace-store';
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
import { errorMessage } from '../util/error-message';

export class TraceTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly countsChanged = new vscode.EventEmitter<void>();
  /** Fires when the loaded traces change (for the badge). */
  readonly onDidChangeCounts = this.countsChanged.event;
  private readonly traceNodes = new Map<string, TraceNode>();
  private readonly experimentNodes = new Map<string, ExperimentNode>();
  private readonly assessmentNodes = new Map<string, AssessmentNode>();
  private readonly spanGroups = new Map<string, SpansGroupNode>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: TraceStore,
    private readonly connection: Connection,
  ) {
    this.disposables.push(
      this.changed,
      this.countsChanged,
      store.onDidChange((change) => {
        this.onStoreChange(change);
      }),
    );
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

  refreshAll(): void {
    this.changed.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const now = Date.now();
    switch (node.kind) {
      case 'trace':
      case 'assessment':
        return node.toTreeItem(now);
      default:
        return node.toTreeItem();
    }
  }

  /** Tooltips of traces and assessments, made when VS Code shows one rather than per redraw. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (item.tooltip === undefined && (node.kind === 'trace' || node.kind === 'assessment'))
      item.tooltip = node.tooltip();
    return item;
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
        new MessageNode(
          `error:${node ? (this.getTreeItem(node).id ?? '') : 'root'}`,
          message,
          'error',
          message,
          {
            command: 'mlflowTraceReview.refresh',
            title: 'Retry',
          },
        ),
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

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private async rootChildren(): Promise<TreeNode[]> {
    // Until the server answers, the welcome content (package.json viewsWelcome) says why.
    if (this.connection.state.kind !== 'connected') return [];
    const experiments = await this.store.experiments();
    // An empty tree shows the welcome content that says why (package.json viewsWelcome).
    void vscode.commands.executeCommand(
      'setContext',
      'mlflowTraceReview.noExperiments',
      experiments.length === 0,
    );
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
          command: 'mlflowTraceReview.refresh',
          title: 'Retry',
        }),
      ];
    }
    const rows: TreeNode[] = list.traces.map((trace) => this.nodeForTrace(trace, id));
    if (list.nextPageToken) rows.push(new LoadMoreNode(id, list.hiddenCount));
    this.countsChanged.fire();
    if (rows.length === 0) {
      rows.push(
        this.store.filter.quick.size > 0 || this.store.filter.text
          ? new MessageNode(`empty:${id}`, 'No traces match the filter', 'filter', undefined, {
              command: 'mlflowTraceReview.clearFilter',
              title: 'Clear filters',
            })
          : new MessageNode(
              `empty:${id}`,
              'No traces yet: run your app with MLflow tracing on',
              'info',
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
    const overriddenBy = assessment.valid
      ? undefined
      : trace.assessments.find(
          (a) => a.kind === 'feedback' && a.overrides === assessment.assessmentId,
        );
    const node = new AssessmentNode(assessment, trace, overriddenBy);
    node.parent = parent;
    this.assessmentNodes.set(assessment.assessmentId, node);
    return node;
  }

  /** The node of a trace, made now if the tree has not drawn it yet. */
  nodeForTrace(trace: TraceInfo, experimentId: string): TraceNode {
    let node = this.traceNodes.get(trace.traceId);
    if (node) node.trace = trace;
    else {
      node = new TraceNode(trace, experimentId);
      this.traceNodes.set(trace.traceId, node);
    }
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

/** Feedback in force first (by name), then expectations, then what was overridden. */
function sortAssessments(assessments: Assessment[]): Assessment[] {
  const rank = (a: Assessment) => (!a.valid ? 2 : a.kind === 'feedback' ? 0 : 1);
  return [...assessments].sort(
    (a, b) =>
      rank(a) - rank(b) || a.name.localeCompare(b.name) || a.createTime.localeCompare(b.createTime),
  );
}

/** Spans as a tree by parent id, in start order; span-level assessments go under their span. */
export function buildSpanTree(spans: Span[], trace: TraceInfo): SpanNode[] {
  const children = childrenByParent(spans, (s) => s.startTimeUnixNano);
  const build = (parent: string | null): SpanNode[] =>
    (children.get(parent) ?? []).map(
      (span) =>
        new SpanNode(
          span,
          trace,
          build(span.spanId),
          sortAssessments(trace.assessments.filter((a) => a.spanId === span.spanId)),
        ),
    );
  return build(null);
}
