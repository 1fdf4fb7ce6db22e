/**
 * The rows of the trace tree. Each node knows how to draw itself; the provider (trace-tree.ts)
 * knows how to find children. `contextValue` is made of space-separated tokens that the menus in
 * package.json match with regular expressions (`trace`, `span`, `assessment`, `feedback`, ...).
 */
import * as vscode from 'vscode';
import type { Assessment, Experiment, Span, TraceInfo } from '../mlflow';
import {
  assessmentCount,
  assessmentSummary,
  codeBlock,
  codeSpan,
  formatAge,
  formatDuration,
  prettyPreview,
  previewLine,
  sourceLabel,
  traceName,
  truncate,
} from './format';

export class ExperimentNode {
  readonly kind = 'experiment';
  constructor(readonly experiment: Experiment) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.experiment.name,
      vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = `experiment:${this.experiment.experimentId}`;
    item.iconPath = new vscode.ThemeIcon('beaker');
    item.description = `#${this.experiment.experimentId}`;
    item.contextValue = 'experiment';
    return item;
  }
}

export class TraceNode {
  readonly kind = 'trace';
  constructor(
    public trace: TraceInfo,
    readonly experimentId: string,
  ) {}

  get traceId(): string {
    return this.trace.traceId;
  }

  toTreeItem(now: number): vscode.TreeItem {
    const { trace } = this;
    const name = traceName(trace);
    const request = previewLine(trace.requestPreview, 60);
    const item = new vscode.TreeItem(
      request ? `${name}: ${request}` : name,
      vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = `trace:${trace.traceId}`;
    item.description = [
      formatAge(trace.requestTime, now),
      formatDuration(trace.executionDurationMs),
      assessmentCount(trace),
    ]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = stateIcon(trace.state);
    item.contextValue = 'trace';
    item.command = {
      command: 'mlflowTraceReview.openTrace',
      title: 'Open Trace',
      arguments: [{ traceId: trace.traceId }],
    };
    item.accessibilityInformation = { label: `Trace ${name}, ${trace.state}, ${item.description}` };
    return item;
  }

  /** Made on hover only (resolveTreeItem): an expanded experiment redraws every trace row. */
  tooltip(): vscode.MarkdownString {
    return traceTooltip(this.trace);
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

  toTreeItem(now: number): vscode.TreeItem {
    const { assessment } = this;
    const item = new vscode.TreeItem(
      `${assessment.name}: ${assessmentSummary(assessment)}`,
      vscode.TreeItemCollapsibleState.None,
    );
    item.id = `assessment:${assessment.assessmentId}`;
    const parts = [sourceLabel(assessment)];
    if (!assessment.valid) {
      parts.unshift(
        this.overriddenBy ? `overridden by ${sourceLabel(this.overriddenBy)}` : 'overridden',
      );
    } else if (assessment.kind === 'feedback' && assessment.overrides) {
      parts.unshift('override');
    }
    parts.push(formatAge(assessment.lastUpdateTime, now));
    item.description = parts.join(' · ');
    item.iconPath = assessmentIcon(assessment);
    const tokens = ['assessment', assessment.kind, assessment.valid ? 'valid' : 'invalid'];
    if (assessment.kind === 'feedback' && assessment.error) tokens.push('error');
    item.contextValue = tokens.join(' ');
    return item;
  }

  /** Made on hover only, as for traces. */
  tooltip(): vscode.MarkdownString {
    return assessmentTooltip(this.assessment, this.overriddenBy);
  }
}

export class SpanNode {
  readonly kind = 'span';
  parent: SpanNode | SpansGroupNode | undefined;
  constructor(
    readonly span: Span,
    readonly trace: TraceInfo,
    readonly children: SpanNode[],
    readonly assessments: Assessment[],
  ) {
    for (const child of children) child.parent = this;
  }

  toTreeItem(): vscode.TreeItem {
    const { span } = this;
    const hasChildren = this.children.length > 0 || this.assessments.length > 0;
    const item = new vscode.TreeItem(
      span.name,
      hasChildren
        ? vscode.TreeItemCollapsibleState.Collapsed
        : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `span:${span.traceId}:${span.spanId}`;
    const duration =
      span.endTimeUnixNano === null
        ? ''
        : formatDuration(Number((span.endTimeUnixNano - span.startTimeUnixNano) / 1_000_000n));
    const count = this.assessments.filter((a) => a.valid).length;
    item.description = [
      span.spanType,
      duration,
      count > 0 ? `${count} assessment${count > 1 ? 's' : ''}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    item.iconPath =
      span.status.code === 'STATUS_CODE_ERROR'
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
        : new vscode.ThemeIcon(spanTypeIcon(span.spanType));
    item.contextValue = 'span';
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**Span** ${codeSpan(span.name)} · ${codeSpan(span.spanId)}\n\n`);
    if (span.status.message) md.appendMarkdown(`Status: ${codeSpan(span.status.message)}\n\n`);
    if (span.inputs !== undefined)
      md.appendMarkdown(
        `Inputs\n\n${codeBlock(truncate(JSON.stringify(span.inputs, null, 2), 1500), 'json')}\n\n`,
      );
    if (span.outputs !== undefined)
      md.appendMarkdown(
        `Outputs\n\n${codeBlock(truncate(JSON.stringify(span.outputs, null, 2), 1500), 'json')}`,
      );
    item.tooltip = md;
    return item;
  }
}

/** A node that groups a trace's spans under one collapsible row. */
export class SpansGroupNode {
  readonly kind = 'spans';
  constructor(readonly trace: TraceInfo) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Spans', vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `spans:${this.trace.traceId}`;
    item.iconPath = new vscode.ThemeIcon('list-tree');
    item.contextValue = 'spans';
    return item;
  }
}

export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(
    readonly experimentId: string,
    readonly hiddenCount: number,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
    item.id = `loadMore:${this.experimentId}`;
    item.iconPath = new vscode.ThemeIcon('more');
    if (this.hiddenCount > 0) item.description = `${this.hiddenCount} hidden by the filter so far`;
    item.command = {
      command: 'mlflowTraceReview.loadMore',
      title: 'Load more traces',
      arguments: [this.experimentId],
    };
    item.contextValue = 'loadMore';
    return item;
  }
}

/** A row that says something (an error, an empty list) and may offer a command. */
export class MessageNode {
  readonly kind = 'message';
  constructor(
    readonly id: string,
    readonly text: string,
    readonly icon: string,
    readonly tooltip?: string,
    readonly command?: vscode.Command,
  ) {}

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.text, vscode.TreeItemCollapsibleState.None);
    item.id = `message:${this.id}`;
    item.iconPath = new vscode.ThemeIcon(this.icon);
    if (this.tooltip) item.tooltip = this.tooltip;
    if (this.command) item.command = this.command;
    item.contextValue = 'message';
    return item;
  }
}

export type TreeNode =
  | ExperimentNode
  | TraceNode
  | AssessmentNode
  | SpansGroupNode
  | SpanNode
  | LoadMoreNode
  | MessageNode;

function stateIcon(state: TraceInfo['state']): vscode.ThemeIcon {
  switch (state) {
    case 'OK':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'ERROR':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
    case 'IN_PROGRESS':
      return new vscode.ThemeIcon('loading~spin');
    case 'STATE_UNSPECIFIED':
      return new vscode.ThemeIcon('circle-outline');
  }
}

function assessmentIcon(assessment: Assessment): vscode.ThemeIcon {
  if (!assessment.valid)
    return new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
  if (assessment.kind === 'expectation') return new vscode.ThemeIcon('target');
  if (assessment.error)
    return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
  switch (assessment.source.sourceType) {
    case 'HUMAN':
      return new vscode.ThemeIcon('person');
    case 'LLM_JUDGE':
      return new vscode.ThemeIcon('hubot');
    case 'CODE':
      return new vscode.ThemeIcon('code');
    case 'SOURCE_TYPE_UNSPECIFIED':
      return new vscode.ThemeIcon('question');
  }
}

function spanTypeIcon(spanType: string | undefined): string {
  switch (spanType) {
    case 'LLM':
    case 'CHAT_MODEL':
      return 'sparkle';
    case 'TOOL':
      return 'tools';
    case 'RETRIEVER':
      return 'search';
    case 'AGENT':
      return 'hubot';
    case 'EMBEDDING':
      return 'symbol-array';
    default:
      return 'symbol-method';
  }
}

function traceTooltip(trace: TraceInfo): vscode.MarkdownString {
  // Untrusted content: no command links, no HTML; every value inside code spans or fences.
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**${escapeMarkdown(traceName(trace))}** · ${trace.state}\n\n`);
  md.appendMarkdown(`${codeSpan(trace.traceId)} · ${new Date(trace.requestTime).toLocaleString()}`);
  if (trace.executionDurationMs !== undefined)
    md.appendMarkdown(` · ${formatDuration(trace.executionDurationMs)}`);
  md.appendMarkdown('\n\n');
  if (trace.requestPreview)
    md.appendMarkdown(
      `Request\n\n${codeBlock(truncate(prettyPreview(trace.requestPreview), 1200), 'json')}\n\n`,
    );
  if (trace.responsePreview)
    md.appendMarkdown(
      `Response\n\n${codeBlock(truncate(prettyPreview(trace.responsePreview), 1200), 'json')}\n\n`,
    );
  return md;
}

function assessmentTooltip(
  assessment: Assessment,
  overriddenBy: Assessment | undefined,
): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown(
    `**${escapeMarkdown(assessment.name)}** · ${assessment.kind} by ${escapeMarkdown(sourceLabel(assessment))}\n\n`,
  );
  if (!assessment.valid) {
    md.appendMarkdown(
      overriddenBy
        ? `Overridden by ${escapeMarkdown(sourceLabel(overriddenBy))}: ${codeSpan(assessmentSummary(overriddenBy))}\n\n`
        : 'Overridden (no longer in force)\n\n',
    );
  }
  if (assessment.kind === 'feedback' && assessment.error) {
    const { errorCode, errorMessage, stackTrace } = assessment.error;
    md.appendMarkdown(
      `Error ${codeSpan(errorCode)}${errorMessage ? `: ${codeSpan(errorMessage)}` : ''}\n\n`,
    );
    if (stackTrace) md.appendMarkdown(`${codeBlock(truncate(stackTrace, 1500))}\n\n`);
  } else {
    md.appendMarkdown(
      `${codeBlock(truncate(JSON.stringify(assessment.value, null, 2), 1500), 'json')}\n\n`,
    );
  }
  if (assessment.kind === 'feedback' && assessment.rationale) {
    md.appendMarkdown(`Rationale\n\n${codeBlock(truncate(assessment.rationale, 1500))}\n\n`);
  }
  const metadata = Object.entries(assessment.metadata);
  if (metadata.length > 0) {
    md.appendMarkdown(
      `Metadata: ${metadata.map(([k, v]) => `${codeSpan(k)} = ${codeSpan(truncate(v, 200))}`).join(', ')}\n\n`,
    );
  }
  if (assessment.spanId) md.appendMarkdown(`Span ${codeSpan(assessment.spanId)}\n\n`);
  md.appendMarkdown(
    `${codeSpan(assessment.assessmentId)} · updated ${new Date(assessment.lastUpdateTime).toLocaleString()}`,
  );
  return md;
}

/** Escapes Markdown punctuation so a name shows as typed. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}
