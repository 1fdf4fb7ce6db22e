/**
 * What a command acts on: the target its argument names (args.ts), else the view's selection,
 * and failing that the person picks.
 */
import type * as vscode from 'vscode';
import { asTraceId, type Assessment, type TraceId, type TraceInfo } from '../mlflow';
import { AssessmentNode, SpanNode, TraceNode, type TreeNode } from '../tree/nodes';
import type { AssessmentRef, TraceRef } from './args';
import {
  assessmentCount,
  assessmentSummary,
  formatAge,
  plain,
  previewLine,
  sourceLabel,
  traceName,
} from '../shared/format';
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
  /** The traces a picker offers (all loaded ones by default). */
  offers: (trace: TraceInfo) => boolean = () => true,
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
    : { trace: await pickTrace(ctx, info, offers) };
}

/** An existing assessment to edit, override or delete. */
export async function resolveAssessmentTarget(
  ctx: CommandContext,
  ref: AssessmentRef | undefined,
  info: StepInfo,
  /** Which assessments a picker offers (all by default), and how to say so when none is left. */
  offer: { accepts(a: Assessment): boolean; what: string } = {
    accepts: () => true,
    what: 'assessments',
  },
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
  const { trace } = await resolveTraceTarget(ctx, ref, info, (t) =>
    t.assessments.some((a) => offer.accepts(a)),
  );
  const items = trace.assessments
    .filter((a) => offer.accepts(a))
    .map((assessment) => ({
      label: plain(`${assessment.name}: ${assessmentSummary(assessment)}`),
      description: [
        assessment.kind,
        plain(sourceLabel(assessment)),
        assessment.valid ? '' : 'overridden',
      ]
        .filter(Boolean)
        .join(' · '),
      assessment,
    }));
  if (items.length === 0) throw new Error(`Trace ${traceName(trace)} has no ${offer.what}.`);
  const chosen = await pick(info, items, { placeHolder: 'Which assessment?' });
  return { trace, assessment: chosen.assessment };
}

/** A trace id as MLflow 3 makes them: `tr-` and 32 hex digits. */
const TRACE_ID = /^tr-[0-9a-f]{32}$/i;

/**
 * Loaded traces, newest first (the first page of each experiment is loaded if needed); a pasted
 * trace id that is not among them is fetched.
 */
export async function pickTrace(
  ctx: CommandContext,
  info: StepInfo,
  offers: (trace: TraceInfo) => boolean = () => true,
): Promise<TraceInfo> {
  const traces = (await ctx.store.loadedTraces()).filter(offers);
  if (traces.length === 0)
    throw new Error(
      'No loaded trace fits: run your app with MLflow tracing on, load more traces, or clear the filters.',
    );
  const now = Date.now();
  const experiments = new Map(
    (await ctx.store.experiments()).map((e) => [e.experimentId, plain(e.name)]),
  );
  const chosen = await pick<vscode.QuickPickItem & { traceId: TraceId; trace?: TraceInfo }>(
    info,
    traces.map((trace) => ({
      label: `${trace.state === 'ERROR' ? '$(error) ' : ''}${plain(traceName(trace))}`,
      description: [
        formatAge(trace.requestTime, now),
        trace.experimentId ? experiments.get(trace.experimentId) : undefined,
        assessmentCount(trace),
        plain(trace.traceId),
      ]
        .filter(Boolean)
        .join(' · '),
      detail: plain(previewLine(trace.requestPreview, 100)),
      traceId: trace.traceId,
      trace,
    })),
    {
      placeHolder: 'Which trace? (newest first; or paste a trace id)',
      typed: (text) =>
        TRACE_ID.test(text) ? { label: text, traceId: asTraceId(text.toLowerCase()) } : undefined,
    },
  );
  return chosen.trace ?? (await ctx.store.getTrace(chosen.traceId));
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
