/**
 * What a command acts on. Commands get a tree node from menus, a plain object from other code
 * (`{ traceId, spanId }`, `{ traceId, assessmentId }`), or nothing from the palette; then the
 * view's selection counts, and failing that the person picks.
 */
import * as vscode from 'vscode';
import type { Assessment, TraceInfo } from '../mlflow';
import { AssessmentNode, SpanNode, TraceNode, type TreeNode } from '../tree/nodes';
import { formatAge, previewLine, traceName } from '../tree/format';
import type { CommandContext } from './context';
import { pick, type StepInfo } from './prompts';

export interface TraceTarget {
  trace: TraceInfo;
  spanId?: string;
}

export interface AssessmentTarget {
  trace: TraceInfo;
  assessment: Assessment;
}

/** The trace (and span) a new assessment goes on. */
export async function resolveTraceTarget(
  ctx: CommandContext,
  arg: unknown,
  info: StepInfo,
): Promise<TraceTarget> {
  // What the caller names first, then what is selected in the tree, then ask.
  const fromNode = traceTargetOf(arg);
  if (fromNode) return fromNode;
  const ids = idsOf(arg);
  if (ids?.traceId) {
    const trace = ctx.store.trace(ids.traceId) ?? (await ctx.store.refreshTrace(ids.traceId));
    return { trace, ...(ids.spanId ? { spanId: ids.spanId } : {}) };
  }
  return traceTargetOf(ctx.view.selection[0]) ?? { trace: await pickTrace(ctx, info) };
}

/** An existing assessment to edit, override or delete. */
export async function resolveAssessmentTarget(
  ctx: CommandContext,
  arg: unknown,
  info: StepInfo,
): Promise<AssessmentTarget> {
  const ids = idsOf(arg);
  if (ids?.traceId && ids.assessmentId) {
    const trace = await ctx.store.refreshTrace(ids.traceId);
    const assessment = trace.assessments.find((a) => a.assessmentId === ids.assessmentId);
    if (!assessment) {
      throw new Error(
        `Trace ${ids.traceId} has no assessment ${ids.assessmentId}. Refresh the view: it may have been deleted.`,
      );
    }
    return { trace, assessment };
  }
  const node = arg instanceof AssessmentNode ? arg : ids ? undefined : ctx.view.selection[0];
  if (node instanceof AssessmentNode) {
    // The row may be older than the store's copy of its trace.
    const trace = ctx.store.trace(node.trace.traceId) ?? node.trace;
    const assessment =
      trace.assessments.find((a) => a.assessmentId === node.assessment.assessmentId) ??
      node.assessment;
    return { trace, assessment };
  }
  const { trace } = await resolveTraceTarget(ctx, arg, info);
  const items = trace.assessments.map((assessment) => ({
    label: `${assessment.name}: ${JSON.stringify(assessment.value)}`,
    description: `${assessment.kind}${assessment.valid ? '' : ' · overridden'}`,
    assessment,
  }));
  if (items.length === 0) throw new Error(`Trace ${traceName(trace)} has no assessments yet.`);
  const chosen = await pick(info, items, { placeHolder: 'Which assessment?' });
  return { trace, assessment: chosen.assessment };
}

/** Loaded traces, newest first; loads the first experiment's first page if nothing is loaded. */
export async function pickTrace(ctx: CommandContext, info: StepInfo): Promise<TraceInfo> {
  const traces = await loadedTraces(ctx);
  if (traces.length === 0)
    throw new Error('No traces to choose from: run your app with MLflow tracing on, then refresh.');
  const now = Date.now();
  const chosen = await pick(
    info,
    traces.map((trace) => ({
      label: traceName(trace),
      description: formatAge(trace.requestTime, now),
      detail: previewLine(trace.requestPreview, 100),
      trace,
    })),
    { placeHolder: 'Which trace? (newest first)' },
  );
  return chosen.trace;
}

export async function loadedTraces(ctx: CommandContext): Promise<TraceInfo[]> {
  const experiments = await ctx.store.experiments();
  const lists = await Promise.all(experiments.map((e) => ctx.store.ensureList(e)));
  return lists
    .flatMap((l) => l.traces)
    .sort((a, b) => Date.parse(b.requestTime) - Date.parse(a.requestTime));
}

/** Selects a loaded trace in the tree, even before the tree has drawn its row. */
export async function revealTrace(
  ctx: CommandContext,
  trace: TraceInfo,
  options: { expand?: boolean } = {},
): Promise<void> {
  if (!trace.experimentId) return;
  const node = ctx.tree.nodeForTrace(trace, trace.experimentId);
  await ctx.view.reveal(node, { select: true, focus: true, expand: options.expand ?? false });
}

function traceTargetOf(node: unknown): TraceTarget | undefined {
  const treeNode = node as TreeNode | undefined;
  if (treeNode instanceof TraceNode) return { trace: treeNode.trace };
  if (treeNode instanceof SpanNode) return { trace: treeNode.trace, spanId: treeNode.span.spanId };
  if (treeNode instanceof AssessmentNode) {
    return {
      trace: treeNode.trace,
      ...(treeNode.assessment.spanId ? { spanId: treeNode.assessment.spanId } : {}),
    };
  }
  return undefined;
}

function idsOf(
  arg: unknown,
): { traceId?: string; spanId?: string; assessmentId?: string } | undefined {
  if (typeof arg === 'string') return arg.startsWith('a-') ? undefined : { traceId: arg };
  if (arg === null || typeof arg !== 'object') return undefined;
  const record = arg as Record<string, unknown>;
  const text = (key: string) => (typeof record[key] === 'string' ? record[key] : undefined);
  return { traceId: text('traceId'), spanId: text('spanId'), assessmentId: text('assessmentId') };
}

export function describeAssessment(assessment: Assessment): string {
  return `${assessment.kind} "${assessment.name}"`;
}

/** A short confirmation in the status bar, gone after a few seconds. */
export function notify(message: string): void {
  vscode.window.setStatusBarMessage(message, 4000);
}
