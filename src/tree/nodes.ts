/**
 * The rows of the trace tree as data: what each row stands for, and its parent (for reveal).
 * Pure (no `vscode`): the tree's logic (tree-model.ts) builds them and is tested in plain Node;
 * tree-items.ts draws them.
 */
import type { Assessment, Experiment, ExperimentId, Span, TraceInfo } from '../mlflow';
import type { CommandName } from '../ui/ids';

export class ExperimentNode {
  readonly kind = 'experiment';
  constructor(readonly experiment: Experiment) {}
}

export class TraceNode {
  readonly kind = 'trace';
  constructor(
    public trace: TraceInfo,
    readonly experimentId: ExperimentId,
  ) {}

  get traceId(): string {
    return this.trace.traceId;
  }
}

export class AssessmentNode {
  readonly kind = 'assessment';
  /** The trace or span row it sits under (for reveal). */
  parent: TraceNode | SpanNode | undefined;
  constructor(
    readonly assessment: Assessment,
    readonly trace: TraceInfo,
    /** The feedback that overrides this one, when it is no longer in force. */
    readonly overriddenBy: Assessment | undefined,
  ) {}
}

export class SpanNode {
  readonly kind = 'span';
  parent: SpanNode | SpansGroupNode | undefined;
  constructor(
    readonly span: Span,
    readonly trace: TraceInfo,
    readonly children: SpanNode[],
    readonly assessments: Assessment[],
    /** Unique among the trace's span rows: the span id, with a suffix when the id repeats. */
    readonly key: string = span.spanId,
  ) {
    for (const child of children) child.parent = this;
  }
}

/** A node that groups a trace's spans under one collapsible row. */
export class SpansGroupNode {
  readonly kind = 'spans';
  constructor(readonly trace: TraceInfo) {}
}

export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(
    readonly experimentId: ExperimentId,
    readonly hiddenCount: number,
  ) {}
}

/** What clicking a message row does. */
export interface RowAction {
  command: CommandName;
  title: string;
  /** The command's argument (args.ts parses it). */
  argument?: string;
}

/** A row that says something (an error, an empty list) and may offer a command. */
export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly id: string,
    readonly text: string,
    readonly icon: string,
    readonly tooltip?: string,
    readonly action?: RowAction,
  ) {}
}

export type TreeNode =
  | ExperimentNode
  | TraceNode
  | AssessmentNode
  | SpansGroupNode
  | SpanNode
  | LoadMoreNode
  | MessageNode;
