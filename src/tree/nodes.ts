/**
 * The rows of the trace tree as data: what each row stands for, and its parent (for reveal).
 * Pure (no `vscode`): the tree's logic (tree-model.ts) builds them and is tested in plain Node;
 * tree-items.ts draws them.
 */
import type { Assessment, Experiment, ExperimentId, Span, TraceInfo } from '../mlflow';
import type { SessionGroup } from '../shared/sessions';
import type { CommandName } from '../ui/ids';

export class ExperimentNode {
  readonly kind = 'experiment';
  constructor(readonly experiment: Experiment) {}
}

export class TraceNode {
  readonly kind = 'trace';
  /** The range it is listed in; undefined: directly under its experiment (the newest traces). */
  range: TraceRangeNode | undefined;
  /** Grouped by session: the session row (or range of turns) it is listed under. */
  group: SessionNode | GroupRangeNode | undefined;
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

/**
 * The traces of an experiment loaded after the first TRACE_RANGE_SIZE (ranges.ts),
 * TRACE_RANGE_SIZE to a range: "Traces 101–200". A page of "Load more" lands in the last range,
 * so only that range is listed again; the row above it (the experiment, or the block it is in)
 * is, only when a range is added.
 */
export class TraceRangeNode {
  readonly kind = 'traceRange';
  /** Its traces, newest first; the last range grows as pages load. */
  readonly traces: TraceNode[] = [];
  /** The block it is listed in; undefined: directly under its experiment. */
  block: TraceBlockNode | undefined;
  /**
   * A later range has come: this one is shown collapsed, under another id (tree-items.ts).
   * VS Code lists again every open row below a row it refreshes, so ranges left open as pages
   * came would make each new range cost every trace loaded so far.
   */
  folded = false;
  constructor(
    readonly experimentId: ExperimentId,
    /** 1 for the first range after the traces listed directly under the experiment. */
    readonly index: number,
    /** The position of its first trace among the experiment's loaded traces (1-based). */
    public first: number,
  ) {}
}

/**
 * Ranges of an experiment's older traces, TRACE_RANGES_PER_BLOCK to a block ("Traces
 * 1,101–2,100"), once the experiment lists that many ranges directly: the experiment lists a
 * row per block instead of one per range, and is listed again only when a block is added.
 */
export class TraceBlockNode {
  readonly kind = 'traceBlock';
  /** Its ranges, newest traces first; the last block grows as pages load. */
  readonly ranges: TraceRangeNode[] = [];
  /** A later block has come: shown collapsed, under another id, as a folded range is. */
  folded = false;
  constructor(
    readonly experimentId: ExperimentId,
    /** 1 for the first block after the ranges listed directly under the experiment. */
    readonly index: number,
  ) {}

  /** The position of its first trace among the experiment's loaded traces (1-based). */
  get first(): number {
    return this.ranges[0]?.first ?? 0;
  }

  /** How many traces its ranges hold. */
  get traceCount(): number {
    return this.ranges.reduce((sum, range) => sum + range.traces.length, 0);
  }
}

/**
 * Grouped by session: a session's loaded turns, under its experiment. One object per experiment
 * and session, kept while grouped, so that a regroup updates the row in place.
 */
export class SessionNode {
  readonly kind = 'session';
  /** The range of the experiment's grouped rows it is listed in, if any. */
  parent: GroupRangeNode | undefined;
  /** Its child rows: the turns oldest first, past RANGE_SIZE in ranges. */
  rows: (TraceNode | GroupRangeNode)[] = [];
  constructor(
    readonly experimentId: ExperimentId,
    public group: SessionGroup,
  ) {}

  get sessionId(): string {
    return this.group.sessionId;
  }
}

/**
 * Grouped by session, a list too long to show at once: an experiment's rows (sessions and traces
 * without one) or a session's turns, start+1 to end.
 */
export class GroupRangeNode {
  readonly kind = 'groupRange';
  parent: ExperimentNode | SessionNode | GroupRangeNode | undefined;
  rows: (SessionNode | TraceNode | GroupRangeNode)[] = [];
  constructor(
    /** Unique in the tree: the owner's key and the range's bounds. */
    readonly key: string,
    /** What the range holds: "Sessions and traces", "Turns". */
    readonly what: string,
    readonly start: number,
    readonly end: number,
  ) {}
}

export class SpanNode {
  readonly kind = 'span';
  parent: SpanNode | SpansGroupNode | SpanRangeNode | undefined;
  /** The child rows it lists: its children, with those past RANGE_SIZE in ranges. */
  rows: (SpanNode | SpanRangeNode)[];
  constructor(
    readonly span: Span,
    readonly trace: TraceInfo,
    readonly children: SpanNode[],
    readonly assessments: Assessment[],
    /** Unique among the trace's span rows: the span id, with a suffix when the id repeats. */
    readonly key: string = span.spanId,
  ) {
    for (const child of children) child.parent = this;
    this.rows = children;
  }
}

/** Spans start+1 to end of a span's children (or of a trace's root spans), listed together. */
export class SpanRangeNode {
  readonly kind = 'spanRange';
  parent: SpanNode | SpansGroupNode | SpanRangeNode | undefined;
  rows: (SpanNode | SpanRangeNode)[] = [];
  constructor(
    readonly trace: TraceInfo,
    /** Unique among the trace's rows: the parent's key and the range's start. */
    readonly key: string,
    readonly start: number,
    readonly end: number,
  ) {}
}

/** A node that groups a trace's spans under one collapsible row. */
export class SpansGroupNode {
  readonly kind = 'spans';
  /** Its rows, made once from the spans they were made of (the store caches the array). */
  built: { spans: readonly Span[]; rows: (SpanNode | SpanRangeNode)[] } | undefined;
  constructor(readonly trace: TraceInfo) {}
}

/** One object per experiment: a refresh of its row (the hidden count changed) names it. */
export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(
    readonly experimentId: ExperimentId,
    public hiddenCount: number,
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
  | TraceRangeNode
  | TraceBlockNode
  | SessionNode
  | GroupRangeNode
  | AssessmentNode
  | SpansGroupNode
  | SpanNode
  | SpanRangeNode
  | LoadMoreNode
  | MessageNode;
