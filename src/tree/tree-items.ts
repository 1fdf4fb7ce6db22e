/**
 * How each row of the trace tree is drawn in VS Code: label, description, icon, tooltip, and
 * `contextValue`, made of space-separated tokens that the menus in package.json match with
 * regular expressions (`trace`, `span`, `assessment`, `feedback`, `valid`, ...).
 */
import * as vscode from 'vscode';
import { isMadeUpId, type Assessment, type TraceInfo } from '../mlflow';
import {
  assessmentCount,
  assessmentSummary,
  formatAge,
  formatCallMetrics,
  formatDuration,
  plain,
  sourceLabel,
  spanDurationMs,
  truncate,
  traceLabel,
  traceName,
} from '../shared/format';
import { callMetrics } from '../shared/llm-metrics';
import { sessionIdOf, userOf } from '../shared/sessions';
import { COMMANDS } from '../ui/ids';
import { assessmentTooltip, spanTooltip, traceTooltip } from './tooltips';
import type {
  AssessmentNode,
  ExperimentNode,
  LoadMoreNode,
  MessageNode,
  SpanNode,
  SpanRangeNode,
  SpansGroupNode,
  TraceNode,
  TraceBlockNode,
  TraceRangeNode,
  TreeNode,
} from './nodes';
import { rangeLabel } from './ranges';
import { groupRangeItem, sessionItem, sessionTooltip, shortSession } from './session-items';

export function toTreeItem(node: TreeNode, now: number): vscode.TreeItem {
  switch (node.kind) {
    case 'experiment':
      return experimentItem(node);
    case 'trace':
      return traceItem(node, now);
    case 'traceRange':
      return traceRangeItem(node);
    case 'traceBlock':
      return traceBlockItem(node);
    case 'session':
      return sessionItem(node, now);
    case 'groupRange':
      return groupRangeItem(node);
    case 'assessment':
      return assessmentItem(node, now);
    case 'spans':
      return spansGroupItem(node);
    case 'span':
      return spanItem(node);
    case 'spanRange':
      return spanRangeItem(node);
    case 'loadMore':
      return loadMoreItem(node);
    case 'message':
      return messageItem(node);
  }
}

/**
 * Tooltips of traces, spans and assessments, made when VS Code shows one (resolveTreeItem)
 * rather than with every redraw: an expanded experiment redraws every trace row, an expanded
 * agent trace thousands of span rows.
 */
export function tooltipFor(node: TreeNode): vscode.MarkdownString | undefined {
  if (node.kind === 'trace') return untrustedMarkdown(traceTooltip(node.trace));
  if (node.kind === 'session') return untrustedMarkdown(sessionTooltip(node.group));
  if (node.kind === 'span') return untrustedMarkdown(spanTooltip(node.span));
  if (node.kind === 'assessment')
    return untrustedMarkdown(assessmentTooltip(node.assessment, node.overriddenBy));
  return undefined;
}

/** A hover made from trace content (tooltips.ts): no command links, no HTML, no icons. */
function untrustedMarkdown(markdown: string): vscode.MarkdownString {
  const md = new vscode.MarkdownString(markdown, false);
  md.isTrusted = false;
  md.supportHtml = false;
  return md;
}

function experimentItem(node: ExperimentNode): vscode.TreeItem {
  const item = new vscode.TreeItem(
    plain(node.experiment.name),
    vscode.TreeItemCollapsibleState.Expanded,
  );
  item.id = `experiment:${node.experiment.experimentId}`;
  item.iconPath = new vscode.ThemeIcon('beaker');
  item.description = `#${node.experiment.experimentId}`;
  item.contextValue = 'experiment';
  return item;
}

function traceItem(node: TraceNode, now: number): vscode.TreeItem {
  const { trace } = node;
  const name = plain(traceName(trace));
  const item = new vscode.TreeItem(
    plain(traceLabel(trace)),
    vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = `trace:${trace.traceId}`;
  const sessionId = sessionIdOf(trace);
  const user = userOf(trace);
  // Under its session's row (grouped), the session goes without saying.
  const underSession = node.group !== undefined;
  item.description = [
    formatAge(trace.requestTime, now),
    formatDuration(trace.executionDurationMs),
    assessmentCount(trace),
    sessionId !== undefined && !underSession ? `session ${shortSession(sessionId, 24)}` : '',
    user !== undefined && !underSession ? `user ${plain(truncate(user, 24))}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  item.iconPath = trace.problem ? FLAGGED_ICON() : stateIcon(trace.state);
  if (trace.problem) item.description = flaggedDescription(trace.problem, item.description);
  item.contextValue = [
    'trace',
    trace.problem ? 'flagged' : '',
    // "This Session" and "Open Session" need a session.
    sessionId !== undefined ? 'inSession' : '',
  ]
    .filter(Boolean)
    .join(' ');
  item.command = {
    command: COMMANDS.openTrace,
    title: 'Open Trace',
    // A click previews: the next row clicked reuses the panel (a double-click keeps it).
    arguments: [{ traceId: trace.traceId, preview: true }],
  };
  item.accessibilityInformation = { label: `Trace ${name}, ${trace.state}, ${item.description}` };
  return item;
}

function assessmentItem(node: AssessmentNode, now: number): vscode.TreeItem {
  const { assessment } = node;
  const item = new vscode.TreeItem(
    plain(`${assessment.name}: ${assessmentSummary(assessment)}`),
    vscode.TreeItemCollapsibleState.None,
  );
  item.id = `assessment:${assessment.assessmentId}`;
  const parts = [plain(sourceLabel(assessment))];
  if (!assessment.valid) {
    parts.unshift(
      node.overriddenBy ? `overridden by ${plain(sourceLabel(node.overriddenBy))}` : 'overridden',
    );
  } else if (assessment.kind === 'feedback' && assessment.overrides) {
    parts.unshift('override');
  }
  parts.push(formatAge(assessment.lastUpdateTime, now));
  item.description = parts.join(' · ');
  item.iconPath = assessmentIcon(assessment);
  if (assessment.problem)
    item.description = flaggedDescription(assessment.problem, item.description);
  const tokens = ['assessment', assessment.kind, assessment.valid ? 'valid' : 'invalid'];
  if (assessment.kind === 'feedback' && assessment.error) tokens.push('error');
  if (assessment.problem) tokens.push('flagged');
  // Its own id could not be read: the menus leave out Edit and Override, which need a real one.
  if (assessment.problem && isMadeUpId(assessment.assessmentId)) tokens.push('unidentified');
  item.contextValue = tokens.join(' ');
  return item;
}

function spanItem(node: SpanNode): vscode.TreeItem {
  const { span } = node;
  const hasChildren = node.children.length > 0 || node.assessments.length > 0;
  const item = new vscode.TreeItem(
    plain(span.name),
    hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = `span:${span.traceId}:${node.key}`;
  const count = node.assessments.filter((a) => a.valid).length;
  // As the trace panel's span list: type, duration, assessments, then the LLM call's metrics.
  item.description = [
    span.spanType === undefined ? '' : plain(span.spanType),
    formatDuration(spanDurationMs(span)),
    count > 0 ? `${count} assessment${count > 1 ? 's' : ''}` : '',
    plain(formatCallMetrics(callMetrics(span.attributes))),
  ]
    .filter(Boolean)
    .join(' · ');
  item.iconPath = span.problem
    ? FLAGGED_ICON()
    : span.status.code === 'STATUS_CODE_ERROR'
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
      : new vscode.ThemeIcon(spanTypeIcon(span.spanType));
  if (span.problem) item.description = flaggedDescription(span.problem, item.description);
  item.contextValue = span.problem ? 'span flagged' : 'span';
  return item;
}

/**
 * A range of an experiment's older traces. The newest range is expanded, so that the page "Load
 * more" brought is in view; once a later range comes it is folded: a new id, which VS Code shows
 * collapsed (it keeps expansion by id), so that pages cost the same however many came before.
 * After that VS Code keeps what the person chose.
 */
function traceRangeItem(node: TraceRangeNode): vscode.TreeItem {
  const start = node.first - 1;
  const item = foldableItem(
    `Traces ${rangeLabel(start, start + node.traces.length)}`,
    `traces:${node.experimentId}:${node.index}`,
    node.folded,
  );
  item.iconPath = new vscode.ThemeIcon('list-unordered');
  item.tooltip = 'Older traces, newest first, as loaded with "Load more"';
  item.contextValue = 'traceRange';
  return item;
}

/**
 * A block of ranges of an experiment's older traces: open while pages land in it, folded (a new
 * id, so shown collapsed) once a later block comes, as a range is. A page names only the range
 * it lands in, not the block (that would make VS Code list the block's rows too), so the open
 * block's label says where it starts, which no page changes.
 */
function traceBlockItem(node: TraceBlockNode): vscode.TreeItem {
  const start = node.first - 1;
  const item = foldableItem(
    node.folded
      ? `Traces ${rangeLabel(start, start + node.traceCount)}`
      : `Traces from ${node.first.toLocaleString('en-US')}`,
    `traceBlock:${node.experimentId}:${node.index}`,
    node.folded,
  );
  item.iconPath = new vscode.ThemeIcon('list-tree');
  item.tooltip = 'Older traces, newest first, in ranges, as loaded with "Load more"';
  item.contextValue = 'traceBlock';
  return item;
}

/** A row shown open until `folded`, then under another id, which VS Code shows collapsed. */
function foldableItem(label: string, id: string, folded: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(
    label,
    folded ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded,
  );
  item.id = folded ? `${id}:folded` : id;
  return item;
}

/** A range of a span's children (or of a trace's root spans) that are too many to list at once. */
function spanRangeItem(node: SpanRangeNode): vscode.TreeItem {
  const item = new vscode.TreeItem(
    `Spans ${rangeLabel(node.start, node.end)}`,
    vscode.TreeItemCollapsibleState.Collapsed,
  );
  item.id = `spans:${node.trace.traceId}:${node.key}`;
  item.iconPath = new vscode.ThemeIcon('list-unordered');
  item.contextValue = 'spanRange';
  return item;
}

function spansGroupItem(node: SpansGroupNode): vscode.TreeItem {
  const item = new vscode.TreeItem('Spans', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `spans:${node.trace.traceId}`;
  item.iconPath = new vscode.ThemeIcon('list-tree');
  item.contextValue = 'spans';
  return item;
}

function loadMoreItem(node: LoadMoreNode): vscode.TreeItem {
  const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
  item.id = `loadMore:${node.experimentId}`;
  item.iconPath = new vscode.ThemeIcon('more');
  if (node.hiddenCount > 0) item.description = `${node.hiddenCount} hidden by the filter so far`;
  item.command = {
    command: COMMANDS.loadMore,
    title: 'Load more traces',
    arguments: [node.experimentId],
  };
  item.contextValue = 'loadMore';
  return item;
}

function messageItem(node: MessageNode): vscode.TreeItem {
  // Error rows carry the server's message.
  const item = new vscode.TreeItem(plain(node.text), vscode.TreeItemCollapsibleState.None);
  item.id = `message:${node.id}`;
  item.iconPath = new vscode.ThemeIcon(node.icon);
  if (node.tooltip) item.tooltip = plain(node.tooltip);
  if (node.action)
    item.command = {
      command: COMMANDS[node.action.command],
      title: node.action.title,
      ...(node.action.argument === undefined ? {} : { arguments: [node.action.argument] }),
    };
  item.contextValue = 'message';
  return item;
}

/** A record the server sent that did not fit: the icon a judge's error has (assessmentIcon). */
const FLAGGED_ICON = () =>
  new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));

/** The problem first (cut short; the hover has it whole), then what the row says anyway. */
function flaggedDescription(problem: string, rest: string | boolean | undefined): string {
  const shown = plain(problem.length > 80 ? `${problem.slice(0, 80)}…` : problem);
  return typeof rest === 'string' && rest ? `${shown} · ${rest}` : shown;
}

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
  if (assessment.problem) return FLAGGED_ICON();
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
