/**
 * The review panel: one item of an MLflow review queue at a time, its trace (drawn by the trace
 * view, the same code as the trace panel's) beside the queue's questions, each answered from the
 * keyboard. Submitting writes one assessment per answered question through the store (the one
 * write path, with its lost-answer recovery), as MLflow's Review tab writes them, then completes
 * the item and moves to the next unreviewed one. One review panel at a time: starting another
 * queue shows it in the same panel. The rules (which questions, which item is next, what a submit
 * writes) are in review/review-logic.ts.
 */
import * as vscode from 'vscode';
import * as z from '../mlflow/zod';
import {
  asTraceId,
  MlflowNetworkError,
  type LabelSchema,
  type ReviewClient,
  type ReviewQueue,
  type ReviewQueueItem,
  type Span,
  type TraceId,
  type TraceInfo,
} from '../mlflow';
import {
  isLocalQueueId,
  localQueue,
  serverQueue,
  type KeyValueStore,
  type QueueSource,
} from '../review/queue-source';
import {
  mlflowReviewUrl,
  nextUnreviewed,
  planSubmit,
  prefill,
  progressOf,
  questionsOf,
  startItem,
  step,
} from '../review/review-logic';
import { describeAssessment, revealBidi, truncate } from '../shared/format';
import { assertNever } from '../shared/protocol/common';
import {
  REVIEW_PROTOCOL,
  type QuestionView,
  type ReviewAction,
  type ReviewFromWebview,
  type ReviewToWebview,
} from '../shared/protocol/review';
import type { TraceFromWebview } from '../shared/protocol/trace';
import { firstRootIndex } from '../shared/span-tree';
import type { ReviewerIdentity } from '../store/review-identity';
import { WEBVIEW_TYPES } from '../ui/ids';
import { copyToClipboard, notify } from '../ui/notify';
import { errorMessage } from '../util/error-message';
import type { FormPanels } from './form-panel';
import type { PanelContext } from './panel-context';
import { PanelHost } from './panel-host';
import { queuesMessage, toSpanDetails, toTraceView, traceOrigin } from './trace-view';
import { assessmentOfTrace, checkSpanOfTrace } from './webview-checks';

/** What the review panel needs beyond the other panels' context. */
export interface ReviewDeps {
  review(): ReviewClient;
  reviewer(): Promise<ReviewerIdentity>;
  /** Where local queues (servers without review queues) keep their items' statuses. */
  readonly workspaceState: KeyValueStore;
  /** The Review Queues view shows the new statuses. */
  queuesChanged(): void;
}

/** What a review webview saves: which queue and item, on which server. */
const savedState = z.object({
  queueId: z.string(),
  traceId: z.optional(z.string()),
  server: z.string(),
});

/** One measure of the webview: from an action to the next item drawn. */
export interface ReviewDraw {
  traceId: string;
  cause: string;
  ms: number | undefined;
}

export class ReviewPanels implements vscode.Disposable {
  private current: ReviewPanel | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly drawn = new vscode.EventEmitter<ReviewDraw>();
  /** Each item the webview drew, with the time since the action that led to it. */
  readonly onDidDrawItem = this.drawn.event;

  constructor(
    private readonly ctx: PanelContext,
    private readonly forms: FormPanels,
    private readonly deps: ReviewDeps,
  ) {
    this.subscriptions.push(
      this.drawn,
      ctx.store.onDidChange((change) => {
        if (change.kind === 'trace') this.current?.onTraceChange(change.trace);
      }),
      ctx.onDidChangeServer(() => {
        this.current?.onServerChange();
      }),
      vscode.window.registerWebviewPanelSerializer(WEBVIEW_TYPES.review, {
        deserializeWebviewPanel: async (panel, state: unknown) => {
          ctx.start();
          const parsed = savedState.safeParse(state);
          if (!parsed.success || parsed.data.server !== ctx.serverUrl()) {
            panel.dispose();
            return;
          }
          const { queueId, traceId } = parsed.data;
          const review = this.adopt(panel);
          await review.start(queueId, traceId === undefined ? undefined : asTraceId(traceId));
        },
      }),
    );
  }

  /** Review panels held now (0 or 1). */
  get count(): number {
    return this.current ? 1 : 0;
  }

  /** The panel, when one is open. */
  get active(): ReviewPanel | undefined {
    return this.current;
  }

  /** Shows the queue in the review panel (made if needed), at `traceId` or its first pending. */
  async show(queueId: string, traceId?: TraceId): Promise<ReviewPanel> {
    let review = this.current;
    if (review) review.host.panel.reveal(review.host.panel.viewColumn);
    else
      review = this.adopt(
        vscode.window.createWebviewPanel(WEBVIEW_TYPES.review, 'Review', {
          viewColumn: vscode.ViewColumn.Active,
        }),
      );
    await review.start(queueId, traceId);
    return review;
  }

  dispose(): void {
    this.current?.host.dispose();
    for (const s of this.subscriptions) s.dispose();
  }

  private adopt(panel: vscode.WebviewPanel): ReviewPanel {
    const review = new ReviewPanel(this.ctx, this.forms, this.deps, panel, (draw) => {
      this.drawn.fire(draw);
    });
    this.current = review;
    review.host.onDispose(() => {
      if (this.current === review) this.current = undefined;
    });
    return review;
  }
}

export class ReviewPanel {
  readonly host: PanelHost<ReviewToWebview, ReviewFromWebview>;
  private queue: ReviewQueue | undefined;
  private source: QueueSource | undefined;
  private items: ReviewQueueItem[] = [];
  private questions: LabelSchema[] = [];
  private missing: string[] = [];
  private identity: ReviewerIdentity | undefined;
  /** The item shown; undefined on the finish state. */
  private item: ReviewQueueItem | undefined;
  private trace: TraceInfo | undefined;
  private shownSpans: { spans: Span[]; origin: bigint | undefined } | undefined;
  private generation = 0;
  private readonly server: string;
  /** Traces read ahead (the next unreviewed item's), by id. */
  private readonly preloaded = new Map<string, Promise<TraceInfo>>();
  private busy = false;

  constructor(
    private readonly ctx: PanelContext,
    private readonly forms: FormPanels,
    private readonly deps: ReviewDeps,
    panel: vscode.WebviewPanel,
    private readonly onDraw: (draw: ReviewDraw) => void,
  ) {
    this.server = ctx.serverUrl();
    panel.title = 'Review';
    this.host = new PanelHost(panel, {
      extensionUri: ctx.extensionUri,
      kind: 'review',
      protocol: REVIEW_PROTOCOL,
      log: ctx.log,
      reporter: ctx.reporter,
      onReady: () => this.resend(),
      onMessage: (message) => this.onMessage(message),
    });
  }

  get queueId(): string | undefined {
    return this.queue?.queueId;
  }

  get traceId(): TraceId | undefined {
    return this.item?.traceId;
  }

  get experimentId(): string | undefined {
    return this.queue?.experimentId;
  }

  /** The queue (read again), its items and questions; then the item asked for or the first pending. */
  async start(queueId: string, traceId: TraceId | undefined): Promise<void> {
    try {
      this.source = isLocalQueueId(queueId)
        ? localQueue(this.deps.workspaceState, this.server, queueId)
        : serverQueue(this.deps.review(), queueId);
      this.identity = await this.deps.reviewer();
      this.queue = await this.source.queue();
      this.host.panel.title = `Review: ${revealBidi(truncate(this.queue.name, 30))}`;
      [this.items] = await Promise.all([this.listItems(), this.loadQuestions()]);
      await this.show(startItem(this.items, traceId), 'open');
    } catch (error) {
      this.host.post({ type: 'error', message: errorMessage(error) });
      if (!(error instanceof MlflowNetworkError)) throw error;
    }
  }

  /** A VS Code command (a key bound in package.json): the webview acts with what it holds. */
  command(action: ReviewAction): void {
    if (this.host.isReady) this.host.post({ type: 'command', action });
  }

  /** The deep link into MLflow's Review tab for the queue and the item shown. */
  mlflowUrl(): string {
    if (!this.queue) throw new Error('The review panel has no queue loaded yet.');
    if (this.source?.local)
      throw new Error(
        "This is a local queue, kept in this workspace: MLflow's Review tab does not have it. Review queues came with MLflow 3.14.",
      );
    return mlflowReviewUrl(
      this.ctx.serverUrl(),
      this.queue.experimentId,
      this.queue.queueId,
      this.item?.traceId,
    );
  }

  /** A newer copy of a trace (a write, a refresh): the item's trace view follows. */
  onTraceChange(trace: TraceInfo): void {
    if (trace.traceId !== this.item?.traceId || this.isElsewhere) return;
    this.trace = trace;
    this.preloaded.delete(trace.traceId);
    const view = toTraceView(trace, this.shownSpans?.spans ?? []);
    const { spans: _s, request: _q, response: _r, spansError: _e, ...rest } = view;
    this.host.post({ type: 'traceUpdate', trace: rest });
  }

  onServerChange(): void {
    if (this.isElsewhere)
      this.host.post({
        type: 'failed',
        message: `This queue is on ${this.server}, and the extension now reads ${this.ctx.serverUrl()}: connect to ${this.server} again to go on reviewing. Your answers are kept.`,
        problems: [],
      });
  }

  private get isElsewhere(): boolean {
    return this.ctx.serverUrl() !== this.server;
  }

  // ---- showing -----------------------------------------------------------------------------

  private async listItems(): Promise<ReviewQueueItem[]> {
    return this.source ? this.source.items() : [];
  }

  /** The queue's questions as the server has them now; true when they changed. */
  private async loadQuestions(): Promise<boolean> {
    const queue = this.queue;
    if (!queue || !this.source) return false;
    const schemas = await this.source.schemas(queue.experimentId);
    const { questions, missing } = questionsOf(queue, schemas);
    const changed = JSON.stringify(questions) !== JSON.stringify(this.questions);
    this.questions = questions;
    this.missing = missing;
    return changed;
  }

  private traceOf(traceId: TraceId): Promise<TraceInfo> {
    const ahead = this.preloaded.get(traceId);
    this.preloaded.delete(traceId);
    return ahead ?? this.ctx.store.getTrace(traceId);
  }

  /** The trace of the item the reviewer will most likely see next, read while they read this one. */
  private preloadNext(): void {
    const next = nextUnreviewed(this.items, this.item?.traceId);
    if (!next || this.preloaded.has(next.traceId)) return;
    this.ctx.store.prefetchSpans(next.traceId);
    const trace = this.ctx.store.getTrace(next.traceId);
    this.preloaded.set(next.traceId, trace);
    // The spans too (kept in the store's cache); failures are the showing's to report.
    trace.then((t) => this.ctx.store.spansOf(t)).catch(() => undefined);
  }

  private async show(item: ReviewQueueItem | undefined, cause: string): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    this.generation++;
    this.item = item;
    if (!item) {
      this.trace = undefined;
      this.post({
        type: 'finished',
        queue: queueInfo(queue),
        progress: progressOf(this.items),
        server: this.server,
      });
      return;
    }
    const generation = this.generation;
    const trace = await this.traceOf(item.traceId);
    let spans: Span[] | { error: string };
    try {
      spans = await this.ctx.store.spansOf(trace);
    } catch (error) {
      spans = { error: errorMessage(error) };
    }
    if (generation !== this.generation) return;
    this.trace = trace;
    this.sendItem(cause);
    this.sendTrace(trace, spans);
    this.preloadNext();
  }

  private sendItem(cause: string): void {
    const { queue, item, trace, identity } = this;
    if (!queue || !item || !trace || !identity) return;
    this.post({
      type: 'item',
      generation: this.generation,
      queue: queueInfo(queue),
      traceId: item.traceId,
      status: item.status,
      ...(item.completedBy ? { completedBy: item.completedBy } : {}),
      position: this.items.indexOf(item),
      progress: progressOf(this.items),
      questions: this.questions.map(questionView),
      prefill: prefill(trace, this.questions, identity.user),
      ...(this.missing.length > 0
        ? {
            notice: `${this.missing.length} of this queue's questions no longer exist (deleted in MLflow): they are not shown.`,
          }
        : {}),
      reviewer: identity.user,
      server: this.server,
    });
    this.ctx.log.debug(`Review panel: item ${item.traceId} (${cause})`);
  }

  private sendTrace(trace: TraceInfo, spans: Span[] | { error: string }): void {
    const list = Array.isArray(spans) ? spans : undefined;
    this.shownSpans = list && { spans: list, origin: traceOrigin(list) };
    const details = list
      ? toSpanDetails(list, firstRootIndex(list), this.shownSpans?.origin, true)
      : undefined;
    this.post({
      type: 'trace',
      trace: toTraceView(trace, spans),
      server: this.server,
      ...(details ? { details } : {}),
    });
    void this.ctx.sourceCommit(trace).then((text) => {
      if (text && trace.traceId === this.item?.traceId)
        this.post({ type: 'sourceCommit', traceId: trace.traceId, text });
    });
    void this.sendQueues(trace);
  }

  private async sendQueues(trace: TraceInfo): Promise<void> {
    const message = await queuesMessage(this.ctx, trace);
    if (trace.traceId === this.item?.traceId && !this.host.isDisposed) this.post(message);
  }

  /** A new webview (first shown, or re-made after being hidden) gets what was shown. */
  private async resend(): Promise<void> {
    if (!this.queue) return;
    if (!this.item) {
      await this.show(undefined, 'ready');
      return;
    }
    const trace = this.trace;
    if (!trace) return;
    this.sendItem('ready');
    this.sendTrace(trace, this.shownSpans?.spans ?? (await this.ctx.store.spansOf(trace)));
  }

  private post(message: ReviewToWebview): void {
    this.host.post(message);
  }

  // ---- acting ------------------------------------------------------------------------------

  private async onMessage(message: Exclude<ReviewFromWebview, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'submit':
        await this.guarded(message.generation, message.traceId, 'Saving your answers…', () =>
          this.submit(message.answers),
        );
        return;
      case 'act':
        if (message.action === 'first') {
          await this.show(this.items[0], 'first');
          return;
        }
        await this.guarded(message.generation, message.traceId, busyText(message.action), () =>
          this.act(message.action as Exclude<typeof message.action, 'first'>),
        );
        return;
      case 'openInMlflow':
        await vscode.env.openExternal(vscode.Uri.parse(this.mlflowUrl(), true));
        return;
      case 'itemDrawn':
        this.onDraw({ traceId: message.traceId, cause: message.cause, ms: message.ms });
        return;
      default:
        await this.onTraceMessage(message);
    }
  }

  /**
   * Runs an action on the item shown, one at a time: a message about another item (one shown
   * before) is refused, and a failure is told in the panel, where the answers stay as typed.
   */
  private async guarded(
    generation: number,
    traceId: string,
    what: string,
    action: () => Promise<void>,
  ): Promise<void> {
    if (this.busy) return;
    if (generation !== this.generation || traceId !== this.item?.traceId) {
      this.post({
        type: 'failed',
        message: 'That was meant for an item no longer shown: nothing was done.',
        problems: [],
      });
      return;
    }
    if (this.isElsewhere) {
      this.onServerChange();
      return;
    }
    this.busy = true;
    this.post({ type: 'busy', what });
    try {
      await action();
    } catch (error) {
      this.ctx.log.warn(`Review panel: ${errorMessage(error)}`);
      this.post({ type: 'failed', message: errorMessage(error), problems: [] });
    } finally {
      this.busy = false;
    }
  }

  /**
   * The queue and the item as the server has them now, the questions too (changed: the panel
   * shows the new ones, the answers stay); then the answers checked against them and written,
   * one assessment each; then the item completed, and the next unreviewed item shown.
   */
  private async submit(answers: Record<string, QuestionDraft>): Promise<void> {
    const queue = this.queue;
    const identity = this.identity;
    const traceId = this.item?.traceId;
    if (!queue || !identity || !traceId) return;
    await this.refreshItems(traceId);
    if (await this.loadQuestions())
      this.post({
        type: 'questions',
        generation: this.generation,
        questions: this.questions.map(questionView),
      });
    const trace = await this.ctx.store.refreshTrace(traceId);
    const plan = planSubmit(this.questions, answers, trace, identity.user);
    if (!plan.ok) {
      this.post({
        type: 'failed',
        message: plan.problems.map((p) => p.message).join('\n'),
        problems: plan.problems,
      });
      return;
    }
    const saved: string[] = [];
    for (const write of plan.writes) {
      try {
        await this.ctx.store.logReviewAnswer(traceId, {
          kind: write.kind,
          name: write.name,
          value: write.value,
          ...(write.rationale ? { rationale: write.rationale } : {}),
          ...(write.overrides ? { overrides: write.overrides } : {}),
          source: { sourceType: 'HUMAN', sourceId: identity.user },
        });
        saved.push(write.name);
      } catch (error) {
        const done = saved.length > 0 ? ` Saved before it: ${saved.join(', ')}.` : '';
        throw new Error(
          `Your answer to "${write.name}" was not saved: ${errorMessage(error)}${done} Your answers are kept: submit again when the server answers (saved ones are replaced by the new ones, not repeated).`,
          { cause: error },
        );
      }
    }
    await this.setStatus(traceId, 'complete');
    await this.show(nextUnreviewed(this.items, traceId), 'submit');
  }

  private async act(
    action: 'decline' | 'reopen' | 'next' | 'previous' | 'nextUnreviewed',
  ): Promise<void> {
    const traceId = this.item?.traceId;
    if (!traceId) return;
    switch (action) {
      case 'decline':
        await this.refreshItems(traceId);
        await this.setStatus(traceId, 'declined');
        await this.show(nextUnreviewed(this.items, traceId), 'decline');
        return;
      case 'reopen': {
        await this.refreshItems(traceId);
        const item = await this.setStatus(traceId, 'pending');
        this.post({
          type: 'status',
          generation: this.generation,
          status: item.status,
          progress: progressOf(this.items),
        });
        return;
      }
      case 'next':
      case 'previous': {
        const target = step(this.items, traceId, action === 'next' ? 1 : -1);
        if (!target) {
          this.post({
            type: 'failed',
            message:
              action === 'next'
                ? 'This is the last item of the queue.'
                : 'This is the first item of the queue.',
            problems: [],
          });
          return;
        }
        await this.show(target, action);
        return;
      }
      case 'nextUnreviewed': {
        this.items = await this.listItems();
        await this.show(nextUnreviewed(this.items, traceId), action);
        return;
      }
      default:
        assertNever(action);
    }
  }

  /** The items as the server has them now; the one shown must still be one of them. */
  private async refreshItems(traceId: string): Promise<void> {
    this.items = await this.listItems();
    const item = this.items.find((i) => i.traceId === traceId);
    if (!item)
      throw new Error(
        `This trace was removed from the queue "${this.queue?.name ?? ''}" meanwhile: nothing was saved. Your answers are kept; go to the next item (Alt+N) or close the panel.`,
      );
    this.item = item;
  }

  private async setStatus(
    traceId: string,
    status: 'complete' | 'declined' | 'pending',
  ): Promise<ReviewQueueItem> {
    const identity = this.identity;
    if (!this.source || !identity) throw new Error('The review panel has no queue loaded.');
    const item = await this.source.setStatus(traceId, status, identity.user);
    this.items = this.items.map((i) => (i.traceId === traceId ? item : i));
    if (this.item?.traceId === traceId) this.item = item;
    this.deps.queuesChanged();
    return item;
  }

  // ---- the trace view's own messages -------------------------------------------------------

  private async onTraceMessage(
    message: Exclude<TraceFromWebview, { type: 'ready' }>,
  ): Promise<void> {
    const traceId = this.item?.traceId;
    if (!traceId) return;
    switch (message.type) {
      case 'rendered':
        return;
      case 'selectSpan': {
        const shown = this.shownSpans;
        if (message.traceId !== traceId || shown?.spans[message.index]?.spanId !== message.spanId)
          return;
        const details = toSpanDetails(shown.spans, message.index, shown.origin);
        if (details) this.post({ type: 'spanDetails', traceId, details });
        return;
      }
      case 'addToQueue': {
        const added = await this.ctx.addToQueue(traceId);
        if (added !== undefined && this.trace?.traceId === traceId)
          await this.sendQueues(this.trace);
        return;
      }
      case 'compareCommit':
        await this.ctx.compareCommit(await this.ctx.store.getTrace(traceId));
        return;
      case 'goToSource':
        checkSpanOfTrace(traceId, this.shownSpans?.spans, message.spanId);
        await this.ctx.goToSource(traceId, message.spanId);
        return;
      case 'refresh':
        await this.ctx.store.refreshTrace(traceId);
        return;
      case 'openSession':
        await this.ctx.openSession(traceId);
        return;
      case 'openForm':
        if (message.spanId) checkSpanOfTrace(traceId, this.shownSpans?.spans, message.spanId);
        await this.forms.show({
          mode: message.mode,
          traceId,
          ...(message.spanId ? { spanId: message.spanId } : {}),
          returnFocus: this.returnHere,
        });
        return;
      case 'assessmentAction': {
        const assessment = assessmentOfTrace(traceId, this.trace, message.assessmentId);
        if (message.action === 'copyId') await copyToClipboard(assessment.assessmentId);
        else if (message.action === 'delete') {
          await this.ctx.store.deleteAssessment(traceId, assessment.assessmentId);
          notify(`$(trash) Deleted ${describeAssessment(assessment)}`);
        } else
          await this.forms.show({
            mode: message.action,
            traceId,
            assessmentId: assessment.assessmentId,
            returnFocus: this.returnHere,
          });
        return;
      }
      default:
        assertNever(message);
    }
  }

  private readonly returnHere = (): Thenable<void> => {
    if (!this.host.isDisposed) this.host.panel.reveal(this.host.panel.viewColumn, false);
    return Promise.resolve();
  };
}

type QuestionDraft = Parameters<typeof planSubmit>[1][string];

function queueInfo(queue: ReviewQueue): { queueId: string; name: string; experimentId: string } {
  return { queueId: queue.queueId, name: queue.name, experimentId: queue.experimentId };
}

function questionView(schema: LabelSchema): QuestionView {
  return {
    schemaId: schema.schemaId,
    name: schema.name,
    kind: schema.kind,
    ...(schema.instruction ? { instruction: schema.instruction } : {}),
    enableComment: schema.enableComment,
    input: schema.input,
  };
}

function busyText(action: string): string {
  switch (action) {
    case 'decline':
      return 'Declining…';
    case 'reopen':
      return 'Reopening…';
    default:
      return 'Loading…';
  }
}
