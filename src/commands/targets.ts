/**
 * What a command acts on: the target its argument names (args.ts), else the view's selection,
 * and failing that the person picks.
 */
import type { Assessment, TraceInfo } from '../mlflow';
import { AssessmentNode, SpanNode, TraceNode, type TreeNode } from '../tree/nodes';
import type { AssessmentRef, TraceRef } from './args';
import { formatAge, previewLine, traceName } from '../shared/format';
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
  ref: TraceRef | undefined,
  info: StepInfo,
): Promise<TraceTarget> {
  // What the caller names first, then what is selected in the tree, then ask.
  if (ref && 'node' in ref) return targetOfNode(ref.node);
  if (ref) {
    const trace = await ctx.store.getTrace(ref.traceId);
    return { trace, ...(ref.spanId ? { spanId: ref.spanId } : {}) };
  }
  const selected = ctx.view.selection[0];
  return selected && isTargetNode(selected)
    ? targetOfNode(selected)
    : { trace: await pickTrace(ctx, info) };
}

/** An existing assessment to edit, override or delete. */
export async function resolveAssessmentTarget(
  ctx: CommandContext,
  ref: AssessmentRef | undefined,
  info: StepInfo,
): Promise<AssessmentTarget> {
  if (ref && 'assessmentId' in ref) {
    // Fetched again: what is about to change must be the server's current copy.
    const trace = await ctx.store.refreshTrace(ref.traceId);
    const assessment = trace.assessments.find((a) => a.assessmentId === ref.assessmentId);
    if (!assessment) {
      throw new Error(
        `Trace ${ref.traceId} has no assessment ${ref.assessmentId}. Refresh the view: it may have been deleted.`,
      );
    }
    return { trace, assessment };
  }
  const node = ref
    ? 'node' in ref && ref.node instanceof AssessmentNode
      ? ref.node
      : undefined
    : ctx.view.selection[0];
  if (node instanceof AssessmentNode) {
    // The row may be older than the store's copy of its trace.
    const trace = ctx.store.trace(node.trace.traceId) ?? node.trace;
    const assessment =
      trace.assessments.find((a) => a.assessmentId === node.assessment.assessmentId) ??
      node.assessment;
    return { trace, assessment };
  }
  const { trace } = await resolveTraceTarget(ctx, ref, info);
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
  const traces = await ctx.store.loadedTraces();
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

function isTargetNode(node: TreeNode): node is TraceNode | SpanNode | AssessmentNode {
  return node instanceof TraceNode || node instanceof SpanNode || node instanceof AssessmentNode;
}

function targetOfNode(node: TraceNode | SpanNode | AssessmentNode): TraceTarget {
  if (node instanceof TraceNode) return { trace: node.trace };
  if (node instanceof SpanNode) return { trace: node.trace, spanId: node.span.spanId };
  return {
    trace: node.trace,
    ...(node.assessment.spanId ? { spanId: node.assessment.spanId } : {}),
  };
}
