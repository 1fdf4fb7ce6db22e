/**
 * What each command accepts, parsed at its entry. A command gets a tree node from a menu, an
 * object of ids from other code (`{ traceId, spanId }`, `{ traceId, assessmentId }`) or a test,
 * a string from a row's command, or nothing from the palette. Each parser turns that `unknown`
 * into the command's own argument type, branding ids, or throws a message that says what is
 * wrong; nothing past the entry casts.
 */
import * as z from '../mlflow/zod';
import {
  asAssessmentId,
  asExperimentId,
  asTraceId,
  type AssessmentId,
  type AssessmentUpdate,
  type ExperimentId,
  type FeedbackValue,
  type JsonValue,
  type LabelInputSpec,
  type LabelSchemaKind,
  type TraceId,
} from '../mlflow';
import { recordOf } from '../mlflow/records';
import { assessmentError, json } from '../shared/protocol/common';
import { QUICK_FILTERS, type QuickFilter } from '../store/trace-filters';
import { AssessmentNode, ExperimentNode, SessionNode, SpanNode, TraceNode } from '../tree/nodes';
import { QueueExperimentNode, QueueItemNode, QueueNode } from '../tree/queue-model';
import type { CommandName } from '../ui/ids';

/** A trace (and span) to act on: a tree row, or ids. */
export type TraceRef =
  { node: TraceNode | SpanNode | AssessmentNode } | { traceId: TraceId; spanId?: string };

/** An assessment to act on: a tree row or ids; a trace ref means "ask which of its assessments". */
export type AssessmentRef =
  { node: AssessmentNode } | { traceId: TraceId; assessmentId: AssessmentId } | TraceRef;

/** A session to act on: its row in the grouped tree, or a trace of it (a row or ids). */
export type SessionRef = { node: SessionNode } | TraceRef;

export interface Credentials {
  username?: string;
  password?: string;
  token?: string;
}

/** Every command's argument type, by command name. */
export interface CommandArgs {
  /** `failed`: load again only what failed (a Retry row), keeping what loaded. */
  refresh: 'failed' | undefined;
  setFilter: string | undefined;
  clearFilter: undefined;
  quickFilter: QuickFilter[] | undefined;
  loadMore: ExperimentId | undefined;
  selectServer: string | undefined;
  selectExperiments: string[] | undefined;
  signIn: Credentials | undefined;
  signOut: undefined;
  /** The passphrase: stored without asking ('' forgets it), for tests and scripts. */
  setClientKeyPassphrase: string | undefined;
  startLocalServer: undefined;
  stopLocalServer: undefined;
  /** A path: use that interpreter without asking (for tests and scripts). */
  choosePythonInterpreter: string | undefined;
  showLog: undefined;
  openSettings: undefined;
  logFeedback: { target?: TraceRef; name?: string; value?: FeedbackValue; rationale?: string };
  logExpectation: { target?: TraceRef; name?: string; value?: JsonValue };
  editAssessment: { target?: AssessmentRef; update?: AssessmentUpdate };
  overrideFeedback: { target?: AssessmentRef; value?: FeedbackValue; rationale?: string };
  deleteAssessment: { target?: AssessmentRef; confirmed: boolean };
  reviewLatestTrace: undefined;
  copyTraceId: { target?: TraceRef };
  copyAssessmentId: { target?: AssessmentRef };
  openInMlflowUi: { target?: TraceRef };
  revealAssessment: AssessmentId | undefined;
  /** `ask`: the palette's "type a trace id" (argument 'prompt'). */
  /** `preview`: a click on a tree row, shown in the preview panel (TracePanels.show). */
  openTrace: { target?: TraceRef; ask: boolean; preview: boolean };
  openFeedbackForm: { target?: TraceRef };
  openExpectationForm: { target?: TraceRef };
  openAssessmentForm: { target?: AssessmentRef; mode: 'edit' | 'override' };
  filterSession: { target?: SessionRef };
  groupBySession: undefined;
  ungroupBySession: undefined;
  openSession: { target?: SessionRef };
  /** With `name` and `value`, logs without asking (as logFeedback does). */
  rateSession: { target?: SessionRef; name?: string; value?: FeedbackValue; rationale?: string };
  refreshQueues: undefined;
  /** The experiment whose queue it is (its row in the Review Queues view, or its id). */
  createMyQueue: ExperimentId | undefined;
  /**
   * The traces to add: the rows selected with the one the menu was opened on, or ids; none means
   * the tree's selection, else the person picks one. `queueId` adds without asking which queue.
   */
  addToReviewQueue: { traces: TraceRef[]; queueId?: string };
  /** A lens's click: the traces that contain a span of this name. */
  showSpanTraces: { spanName: string };
  /** A span row, or `{ traceId, spanId }`: the code that made the span. */
  goToSource: { target?: TraceRef };
  /** A queue (its row, an item's row, or ids); none: the person picks one, theirs first. */
  startReview: QueueRef;
  /** The experiment (its id); `fresh` makes its local queue again without asking. */
  startLocalReview: { experimentId?: ExperimentId; fresh?: boolean };
  reviewSubmit: undefined;
  reviewDecline: undefined;
  reviewReopen: undefined;
  reviewNext: undefined;
  reviewPrevious: undefined;
  reviewNextUnreviewed: undefined;
  reviewShowKeys: undefined;
  /** A queue or an item (a row, or ids); none: the review panel's queue and item. */
  openInMlflowReview: QueueRef;
  /**
   * The experiment (its row in MLflow Traces, or its id); `queueId` adds without asking which
   * queue, `confirmed` without the confirmation (for tests and scripts).
   */
  addMatchingToQueue: { experimentId?: ExperimentId; queueId?: string; confirmed?: boolean };
  /** With a name, users and questions, creates without asking. */
  createQueue: {
    experimentId?: ExperimentId;
    name?: string;
    users?: string[];
    schemaIds?: string[];
  };
  /** With a name, kind and input, creates without asking. */
  createQuestion: {
    experimentId?: ExperimentId;
    name?: string;
    kind?: LabelSchemaKind;
    input?: LabelInputSpec;
    instruction?: string;
    enableComment?: boolean;
  };
  /**
   * As addToReviewQueue; `datasetId` adds without asking which dataset, `withoutExpectations`
   * answers the question about traces that have none.
   */
  addToEvaluationDataset: {
    traces: TraceRef[];
    datasetId?: string;
    withoutExpectations?: 'inputsOnly' | 'skip';
  };
  /** The traces of the last run of the app (runs/), or none: the last run's. */
  reviewRunTraces: TraceId[] | undefined;
}

/** A review queue, and optionally one of its items (a trace). */
export interface QueueRef {
  queueId?: string;
  traceId?: TraceId;
}

// ---- schemas of what other code passes ------------------------------------------------------

const feedbackValue: z.ZodMiniType<FeedbackValue> = z.union([
  z.boolean(),
  z.number(),
  z.string(),
  z.array(json),
  z.record(z.string(), json),
]);

const ids = z.object({
  traceId: z.optional(z.string().check(z.minLength(1))),
  spanId: z.optional(z.string()),
  assessmentId: z.optional(z.string().check(z.minLength(1))),
});

const assessmentUpdate: z.ZodMiniType<AssessmentUpdate> = z.object({
  name: z.optional(z.string()),
  feedback: z.optional(
    z.object({
      value: z.optional(feedbackValue),
      error: z.optional(assessmentError),
    }),
  ),
  expectation: z.optional(z.object({ value: json })),
  rationale: z.optional(z.string()),
  metadata: z.optional(recordOf(json)),
});

const labelInput: z.ZodMiniType<LabelInputSpec> = z.union([
  z.object({ type: z.literal('passFail'), positiveLabel: z.string(), negativeLabel: z.string() }),
  z.object({
    type: z.literal('categorical'),
    options: z.array(z.string()),
    multiSelect: z.boolean(),
  }),
  z.object({
    type: z.literal('numeric'),
    minValue: z.optional(z.number()),
    maxValue: z.optional(z.number()),
  }),
  z.object({ type: z.literal('text'), maxLength: z.optional(z.number()) }),
]);

const fields = {
  showSpanTraces: z.object({ spanName: z.string().check(z.minLength(1)) }),
  logFeedback: z.object({
    name: z.optional(z.string()),
    value: z.optional(feedbackValue),
    rationale: z.optional(z.string()),
  }),
  logExpectation: z.object({ name: z.optional(z.string()), value: z.optional(json) }),
  editAssessment: z.object({ update: z.optional(assessmentUpdate) }),
  overrideFeedback: z.object({
    value: z.optional(feedbackValue),
    rationale: z.optional(z.string()),
  }),
  deleteAssessment: z.object({ confirmed: z.optional(z.boolean()) }),
  openAssessmentForm: z.object({ mode: z.optional(z.enum(['edit', 'override'])) }),
  openTrace: z.object({ preview: z.optional(z.boolean()) }),
  startLocalReview: z.object({
    experimentId: z.optional(z.string().check(z.minLength(1))),
    fresh: z.optional(z.boolean()),
  }),
  queueRef: z.object({
    queueId: z.optional(z.string().check(z.minLength(1))),
    traceId: z.optional(z.string().check(z.minLength(1))),
  }),
  addToReviewQueue: z.object({
    traceIds: z.optional(z.array(z.string().check(z.minLength(1)))),
    queueId: z.optional(z.string().check(z.minLength(1))),
  }),
  addMatchingToQueue: z.object({
    experimentId: z.optional(z.string().check(z.minLength(1))),
    queueId: z.optional(z.string().check(z.minLength(1))),
    confirmed: z.optional(z.boolean()),
  }),
  createQueue: z.object({
    experimentId: z.optional(z.string().check(z.minLength(1))),
    name: z.optional(z.string()),
    users: z.optional(z.array(z.string())),
    schemaIds: z.optional(z.array(z.string().check(z.minLength(1)))),
  }),
  createQuestion: z.object({
    experimentId: z.optional(z.string().check(z.minLength(1))),
    name: z.optional(z.string()),
    kind: z.optional(z.enum(['feedback', 'expectation'])),
    input: z.optional(labelInput),
    instruction: z.optional(z.string()),
    enableComment: z.optional(z.boolean()),
  }),
  addToEvaluationDataset: z.object({
    traceIds: z.optional(z.array(z.string().check(z.minLength(1)))),
    datasetId: z.optional(z.string().check(z.minLength(1))),
    withoutExpectations: z.optional(z.enum(['inputsOnly', 'skip'])),
  }),
  signIn: z.object({
    username: z.optional(z.string()),
    password: z.optional(z.string()),
    token: z.optional(z.string()),
  }),
};

/** Thrown for an argument of the wrong shape: a caller's bug, said plainly. */
export class BadCommandArgument extends Error {}

function parse<T>(command: CommandName, schema: z.ZodMiniType<T>, arg: unknown): T {
  // A tree node or a bare id carries no options: only objects are read for them.
  const result = schema.safeParse(arg !== null && typeof arg === 'object' ? arg : {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new BadCommandArgument(
    `MLflow: ${command} got an argument it cannot use (${issue ? `${issue.path.join('.') || 'argument'}: ${issue.message}` : 'invalid'}).`,
  );
}

// ---- targets --------------------------------------------------------------------------------

export function traceRef(arg: unknown): TraceRef | undefined {
  if (arg instanceof TraceNode || arg instanceof SpanNode || arg instanceof AssessmentNode)
    return { node: arg };
  // A bare string is a trace id (assessment ids start with "a-").
  if (typeof arg === 'string')
    return arg.startsWith('a-') ? undefined : { traceId: asTraceId(arg) };
  const parsed = ids.safeParse(arg);
  if (!parsed.success) {
    // Ids of the wrong kind are the caller's mistake: never fall back to the selection.
    if (arg !== null && typeof arg === 'object' && 'traceId' in arg)
      throw new BadCommandArgument(`The trace id given is not a non-empty string.`);
    return undefined;
  }
  if (!parsed.data.traceId) return undefined;
  const { traceId, spanId } = parsed.data;
  return { traceId: asTraceId(traceId), ...(spanId ? { spanId } : {}) };
}

export function assessmentRef(arg: unknown): AssessmentRef | undefined {
  if (arg instanceof AssessmentNode) return { node: arg };
  const parsed = ids.safeParse(arg);
  if (parsed.success && parsed.data.traceId && parsed.data.assessmentId) {
    return {
      traceId: asTraceId(parsed.data.traceId),
      assessmentId: asAssessmentId(parsed.data.assessmentId),
    };
  }
  return traceRef(arg);
}

/** The options, with the trace the argument names, if it names one. */
function onTrace<T extends object>(arg: unknown, rest: T): T & { target?: TraceRef } {
  const target = traceRef(arg);
  return target ? { ...rest, target } : rest;
}

/** The options, with the session (a session row, or a trace of it) the argument names. */
function onSession<T extends object>(arg: unknown, rest: T): T & { target?: SessionRef } {
  if (arg instanceof SessionNode) return { ...rest, target: { node: arg } };
  const target = traceRef(arg);
  return target ? { ...rest, target } : rest;
}

/** The options, with the assessment (or trace) the argument names, if it names one. */
function onAssessment<T extends object>(arg: unknown, rest: T): T & { target?: AssessmentRef } {
  const target = assessmentRef(arg);
  return target ? { ...rest, target } : rest;
}

const nothing = (): undefined => undefined;
const text = (arg: unknown): string | undefined => (typeof arg === 'string' ? arg : undefined);
const texts = (arg: unknown): string[] | undefined =>
  Array.isArray(arg) ? arg.filter((e): e is string => typeof e === 'string') : undefined;

/** An experiment row (either view's) or an experiment id. */
function experimentOf(arg: unknown): ExperimentId | undefined {
  if (arg instanceof QueueExperimentNode || arg instanceof ExperimentNode)
    return arg.experiment.experimentId;
  return typeof arg === 'string' ? asExperimentId(arg) : undefined;
}

// ---- every command's parser -----------------------------------------------------------------

/**
 * The traces a tree menu acts on: VS Code passes the row clicked and, when several rows are
 * selected, all of them (the clicked one among them); rows other than traces are left out.
 */
function selectedTraces(arg: unknown, selection: unknown): TraceRef[] {
  const rows = Array.isArray(selection) && selection.includes(arg) ? selection : [arg];
  return rows.filter((row) => row instanceof TraceNode).map((node) => ({ node }));
}

export const PARSERS: {
  [K in CommandName]: (arg: unknown, selection?: unknown) => CommandArgs[K];
} = {
  refresh: (arg) => (arg === 'failed' ? 'failed' : undefined),
  setFilter: text,
  clearFilter: nothing,
  quickFilter: (arg) => texts(arg)?.filter((q): q is QuickFilter => q in QUICK_FILTERS),
  loadMore: (arg) => (typeof arg === 'string' ? asExperimentId(arg) : undefined),
  selectServer: text,
  selectExperiments: texts,
  signIn: (arg) => (arg === undefined ? undefined : parse('signIn', fields.signIn, arg)),
  signOut: nothing,
  setClientKeyPassphrase: text,
  startLocalServer: nothing,
  stopLocalServer: nothing,
  choosePythonInterpreter: text,
  showLog: nothing,
  openSettings: nothing,
  logFeedback: (arg) => onTrace(arg, parse('logFeedback', fields.logFeedback, arg)),
  logExpectation: (arg) => onTrace(arg, parse('logExpectation', fields.logExpectation, arg)),
  editAssessment: (arg) => onAssessment(arg, parse('editAssessment', fields.editAssessment, arg)),
  overrideFeedback: (arg) =>
    onAssessment(arg, parse('overrideFeedback', fields.overrideFeedback, arg)),
  deleteAssessment: (arg) =>
    onAssessment(arg, {
      confirmed: parse('deleteAssessment', fields.deleteAssessment, arg).confirmed === true,
    }),
  reviewLatestTrace: nothing,
  copyTraceId: (arg) => onTrace(arg, {}),
  copyAssessmentId: (arg) => onAssessment(arg, {}),
  openInMlflowUi: (arg) => onTrace(arg, {}),
  revealAssessment: (arg) => (typeof arg === 'string' ? asAssessmentId(arg) : undefined),
  openTrace: (arg) =>
    arg === 'prompt'
      ? { ask: true, preview: false }
      : onTrace(arg, {
          ask: false,
          preview: parse('openTrace', fields.openTrace, arg).preview === true,
        }),
  openFeedbackForm: (arg) => onTrace(arg, {}),
  openExpectationForm: (arg) => onTrace(arg, {}),
  openAssessmentForm: (arg) =>
    onAssessment(arg, {
      mode: parse('openAssessmentForm', fields.openAssessmentForm, arg).mode ?? 'edit',
    }),
  filterSession: (arg) => onSession(arg, {}),
  groupBySession: nothing,
  ungroupBySession: nothing,
  openSession: (arg) => onSession(arg, {}),
  rateSession: (arg) =>
    arg instanceof SessionNode
      ? onSession(arg, {})
      : onSession(arg, parse('rateSession', fields.logFeedback, arg)),
  refreshQueues: nothing,
  addToReviewQueue: (arg, selection) => {
    if (arg instanceof TraceNode) return { traces: selectedTraces(arg, selection) };
    const { traceIds, queueId } = parse('addToReviewQueue', fields.addToReviewQueue, arg);
    const traces = (traceIds ?? (typeof arg === 'string' ? [arg] : [])).map((id) => ({
      traceId: asTraceId(id),
    }));
    return { traces, ...(queueId ? { queueId } : {}) };
  },
  showSpanTraces: (arg) => ({
    spanName:
      typeof arg === 'string' ? arg : parse('showSpanTraces', fields.showSpanTraces, arg).spanName,
  }),
  goToSource: (arg) => onTrace(arg, {}),
  startReview: queueRef,
  startLocalReview: (arg) => {
    if (typeof arg === 'string') return { experimentId: asExperimentId(arg) };
    const { experimentId, fresh } = parse('startLocalReview', fields.startLocalReview, arg);
    return {
      ...(experimentId ? { experimentId: asExperimentId(experimentId) } : {}),
      ...(fresh !== undefined ? { fresh } : {}),
    };
  },
  reviewSubmit: nothing,
  reviewDecline: nothing,
  reviewReopen: nothing,
  reviewNext: nothing,
  reviewPrevious: nothing,
  reviewNextUnreviewed: nothing,
  reviewShowKeys: nothing,
  openInMlflowReview: queueRef,
  addMatchingToQueue: (arg) => {
    if (arg instanceof ExperimentNode) return { experimentId: arg.experiment.experimentId };
    if (typeof arg === 'string') return { experimentId: asExperimentId(arg) };
    const { experimentId, ...rest } = parse('addMatchingToQueue', fields.addMatchingToQueue, arg);
    return { ...rest, ...(experimentId ? { experimentId: asExperimentId(experimentId) } : {}) };
  },
  createQueue: (arg) => {
    const given = experimentOf(arg);
    if (given) return { experimentId: given };
    const { experimentId, ...rest } = parse('createQueue', fields.createQueue, arg);
    return { ...rest, ...(experimentId ? { experimentId: asExperimentId(experimentId) } : {}) };
  },
  createQuestion: (arg) => {
    const given = experimentOf(arg);
    if (given) return { experimentId: given };
    const { experimentId, ...rest } = parse('createQuestion', fields.createQuestion, arg);
    return { ...rest, ...(experimentId ? { experimentId: asExperimentId(experimentId) } : {}) };
  },
  addToEvaluationDataset: (arg, selection) => {
    if (arg instanceof TraceNode) return { traces: selectedTraces(arg, selection) };
    const { traceIds, datasetId, withoutExpectations } = parse(
      'addToEvaluationDataset',
      fields.addToEvaluationDataset,
      arg,
    );
    const traces = (traceIds ?? (typeof arg === 'string' ? [arg] : [])).map((id) => ({
      traceId: asTraceId(id),
    }));
    return {
      traces,
      ...(datasetId ? { datasetId } : {}),
      ...(withoutExpectations ? { withoutExpectations } : {}),
    };
  },
  reviewRunTraces: (arg) => texts(arg)?.map(asTraceId),
  createMyQueue: (arg) =>
    arg instanceof QueueExperimentNode
      ? arg.experiment.experimentId
      : typeof arg === 'string'
        ? asExperimentId(arg)
        : undefined,
};

/** A queue row, an item row, a queue id, or `{ queueId, traceId }`; nothing: `{}`. */
function queueRef(arg: unknown): QueueRef {
  if (arg instanceof QueueNode) return { queueId: arg.queue.queueId };
  if (arg instanceof QueueItemNode)
    return { queueId: arg.queue.queueId, traceId: arg.item.traceId };
  if (arg === undefined) return {};
  if (typeof arg === 'string') return { queueId: arg };
  const { queueId, traceId } = parse('startReview', fields.queueRef, arg);
  return { ...(queueId ? { queueId } : {}), ...(traceId ? { traceId: asTraceId(traceId) } : {}) };
}
