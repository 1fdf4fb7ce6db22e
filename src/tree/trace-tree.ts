/**
 * The trace tree in VS Code: a TreeDataProvider over the tree's logic (tree-model.ts), drawing
 * each row with tree-items.ts. Everything that decides what the rows are lives in the model.
 */
import * as vscode from 'vscode';
import type { ExperimentId, TraceInfo } from '../mlflow';
import type { TraceStore } from '../store/trace-store';
import { CONTEXT_KEYS } from '../ui/ids';
import { setContext } from '../ui/vscode-commands';
import type { AssessmentNode, ExperimentNode, SessionNode, TraceNode, TreeNode } from './nodes';
import { ShownAges } from './shown-ages';
import { toTreeItem, tooltipFor } from './tree-items';
import { TraceTreeModel, type TreeConnection } from './tree-model';

export class TraceTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  readonly model: TraceTreeModel;
  private readonly changed = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  private readonly ages = new ShownAges<TraceNode | AssessmentNode | SessionNode>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Fires when the loaded traces change (for the badge). */
  readonly onDidChangeCounts: vscode.Event<void>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(store: TraceStore, connection: TreeConnection) {
    this.model = new TraceTreeModel(store, connection);
    this.onDidChangeCounts = this.model.onDidChangeCounts;
    this.disposables.push(
      this.model,
      this.changed,
      this.model.onDidChange((nodes) => {
        if (!nodes) this.ages.clear();
        this.changed.fire(nodes && [...nodes]);
      }),
      this.model.onDidListExperiments((count) => {
        // An empty tree shows the welcome content that says why (package.json viewsWelcome).
        setContext(CONTEXT_KEYS.noExperiments, count === 0);
      }),
    );
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const now = Date.now();
    if (node.kind === 'trace') this.ages.note(node, node.trace.requestTime, now);
    else if (node.kind === 'assessment') this.ages.note(node, node.assessment.lastUpdateTime, now);
    else if (node.kind === 'session') this.ages.note(node, node.group.lastActivity, now);
    return toTreeItem(node, now);
  }

  /**
   * Redraws the rows whose age ("3 min ago", a session's last activity) reads differently now;
   * returns how many.
   */
  refreshAges(now = Date.now()): number {
    const stale = this.ages.stale(now, (row) => {
      switch (row.kind) {
        case 'trace':
          return this.model.traceNode(row.traceId) === row;
        case 'assessment':
          return this.model.assessmentNode(row.assessment.assessmentId) === row;
        case 'session':
          return this.model.sessionNode(row.experimentId, row.group.sessionId) === row;
      }
    });
    if (stale.length > 0) this.changed.fire(stale);
    return stale.length;
  }

  /** Tooltips of traces and assessments, made when VS Code shows one rather than per redraw. */
  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    if (item.tooltip === undefined) {
      const tooltip = tooltipFor(node);
      if (tooltip) item.tooltip = tooltip;
    }
    return item;
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return this.model.getParent(node);
  }

  getChildren(node?: TreeNode): Promise<TreeNode[]> {
    return this.model.getChildren(node);
  }

  // ---- what commands and tests ask of the tree (the model answers) ---------------------------

  traceNode(traceId: string): TraceNode | undefined {
    return this.model.traceNode(traceId);
  }

  experimentNode(experimentId: string): ExperimentNode | undefined {
    return this.model.experimentNode(experimentId);
  }

  assessmentNode(assessmentId: string): AssessmentNode | undefined {
    return this.model.assessmentNode(assessmentId);
  }

  loadedTraces(): TraceInfo[] {
    return this.model.loadedTraces();
  }

  nodeForTrace(trace: TraceInfo, experimentId: ExperimentId): TraceNode {
    return this.model.nodeForTrace(trace, experimentId);
  }

  unratedCount(): { count: number; loaded: number } {
    return this.model.unratedCount();
  }

  description(): string | undefined {
    return this.model.description();
  }

  refreshAll(): void {
    this.model.refreshAll();
  }

  /** A session's row, while the tree is grouped by session and has drawn it. */
  sessionNode(experimentId: string, sessionId: string): SessionNode | undefined {
    return this.model.sessionNode(experimentId, sessionId);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
