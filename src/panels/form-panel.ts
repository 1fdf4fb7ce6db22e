/**
 * The feedback and expectation forms, in a panel: new feedback, new expectation, edit in place,
 * override. The webview checks each field as it is typed; the host checks the draft again
 * (the webview is not trusted) and sends it through the store. A failed submit leaves the draft
 * where it is; drafts also survive hiding the panel and reloading the window (webview state and
 * a serializer).
 */
import * as vscode from 'vscode';
import * as z from '../mlflow/zod';
import {
  asAssessmentId,
  asTraceId,
  type Assessment,
  type AssessmentId,
  type LabelSchema,
  type Span,
  type TraceId,
  type TraceInfo,
} from '../mlflow';
import { revealBidi, traceLabel, truncate } from '../shared/format';
import {
  checkEdit,
  checkExpectation,
  checkFeedback,
  draftFrom,
  emptyDraft,
  type FieldErrors,
} from '../shared/form-logic';
import { assertNever } from '../shared/protocol/common';
import {
  FORM_PROTOCOL,
  formInit,
  type FormDraft,
  type FormFromWebview,
  type FormInit,
  type FormQuestion,
  type FormToWebview,
} from '../shared/protocol/form';
import type { SpanSummary } from '../shared/protocol/trace';
import { sessionAssessmentMetadata, sessionLabel } from '../shared/sessions';
import { spansInTreeOrder } from '../shared/span-tree';
import { ErrorWithActions } from '../ui/error-reporter';
import { WEBVIEW_TYPES } from '../ui/ids';
import { notify } from '../ui/notify';
import { errorMessage } from '../util/error-message';
import type { PanelContext } from './panel-context';
import { PanelHost } from './panel-host';
import { toAssessmentView, toTraceView } from './trace-view';
import { SubmitGate } from './submit-gate';
import { checkSpanOfTrace, checkSubmittedTrace } from './webview-checks';

export interface FormRequest {
  mode: FormInit['mode'];
  traceId: TraceId;
  spanId?: string;
  /** For edit and override. */
  assessmentId?: AssessmentId;
  /**
   * New feedback on a whole session: the trace is the session's first turn, and the draft's
   * metadata starts with `mlflow.trace.session` (how MLflow marks a session-level assessment).
   */
  sessionId?: string;
  /**
   * Puts the focus back where the form was opened from (the tree row, the trace panel, the
   * editor) once the form closes by Submit or Cancel.
   */
  returnFocus?: () => Thenable<unknown>;
}

/** A form as its webview saved it; forms saved before they carried their server lack it. */
const savedForm = z.extend(formInit, { server: z.optional(z.string()) });

const TITLES: Record<FormInit['mode'], string> = {
  feedback: 'Feedback',
  expectation: 'Expectation',
  edit: 'Edit',
  override: 'Override',
};

export class FormPanels implements vscode.Disposable {
  private readonly open = new Set<FormPanel>();

  /** Forms held now (each is forgotten when its panel goes). */
  get count(): number {
    return this.open.size;
  }
  private readonly serializer: vscode.Disposable;
  private readonly serverChanges: vscode.Disposable;

  constructor(private readonly ctx: PanelContext) {
    // Forms of another server say so at once; back on their server, the notice goes.
    this.serverChanges = ctx.onDidChangeServer(() => {
      for (const form of this.open) form.serverChanged();
    });
    this.serializer = vscode.window.registerWebviewPanelSerializer(WEBVIEW_TYPES.form, {
      deserializeWebviewPanel: (panel, state: unknown) => {
        ctx.start();
        // The webview saved its form and draft; anything else is not ours to restore.
        const saved = savedForm.safeParse((state as { form?: unknown } | undefined)?.form);
        if (!saved.success) panel.dispose();
        else this.adopt(panel, { ...saved.data, server: saved.data.server ?? ctx.serverUrl() });
        return Promise.resolve();
      },
    });
  }

  /** Opens a form for a trace (and span), or for an existing assessment. */
  async show(request: FormRequest): Promise<vscode.WebviewPanel> {
    const init = await this.initFor(request);
    const panel = vscode.window.createWebviewPanel(
      WEBVIEW_TYPES.form,
      TITLES[init.mode],
      vscode.ViewColumn.Beside,
      {
        retainContextWhenHidden: false,
      },
    );
    this.adopt(panel, init, request.returnFocus);
    return panel;
  }

  dispose(): void {
    for (const form of this.open) form.host.dispose();
    this.serverChanges.dispose();
    this.serializer.dispose();
  }

  private adopt(
    panel: vscode.WebviewPanel,
    init: FormInit,
    returnFocus?: () => Thenable<unknown>,
  ): void {
    const form = new FormPanel(
      this.ctx,
      panel,
      init,
      (request) => this.initFor(request),
      returnFocus,
    );
    this.open.add(form);
    form.host.onDispose(() => this.open.delete(form));
  }

  private async initFor(request: FormRequest): Promise<FormInit> {
    const { store } = this.ctx;
    const trace = await store.getTrace(request.traceId);
    let spans: FormInit['spans'] = [];
    try {
      spans = spanOutline(toTraceView(trace, await store.spansOf(trace)).spans);
    } catch {
      // Without spans the form still works for the whole trace.
    }
    const reviewer = this.ctx.reviewer();
    const assessment = request.assessmentId
      ? trace.assessments.find((a) => a.assessmentId === request.assessmentId)
      : undefined;
    if (request.assessmentId && !assessment) {
      throw new Error(
        `Trace ${request.traceId} has no assessment ${request.assessmentId}. Refresh: it may have been deleted.`,
      );
    }
    const view = assessment ? toAssessmentView(assessment) : undefined;
    const kind =
      request.mode === 'expectation' || view?.kind === 'expectation' ? 'expectation' : 'feedback';
    const draft = view
      ? draftFrom(view, request.mode, reviewer)
      : emptyDraft(reviewer, request.spanId ?? '');
    if (kind === 'expectation' && !view)
      Object.assign(draft, { valueType: 'string', valueText: '' } satisfies Partial<FormDraft>);
    const session = request.mode === 'feedback' && !view ? request.sessionId : undefined;
    if (session !== undefined) {
      draft.metadata = Object.entries(sessionAssessmentMetadata(session)).map(([key, value]) => ({
        key,
        value,
      }));
    }
    // The experiment's questions of this kind, offered first (none before MLflow 3.14).
    const questions = (await this.ctx.questionsOf(trace.experimentId, kind)).map(toFormQuestion);
    return {
      mode: request.mode,
      traceId: trace.traceId,
      server: this.ctx.serverUrl(),
      // A session's rating is on the session, not on its first turn alone: no span to target.
      traceName:
        session === undefined
          ? traceLabel(trace)
          : `Session ${sessionLabel(session)} (logged on its first turn, ${traceLabel(trace, 30)})`,
      spans: session === undefined ? spans : [],
      nameSuggestions: suggestions(
        store.recentAssessmentNames(trace.experimentId, kind),
        trace,
        kind,
      ),
      ...(questions.length > 0 ? { questions } : {}),
      reviewer,
      ...(view ? { assessment: view } : {}),
      draft,
    };
  }
}

class FormPanel {
  readonly host: PanelHost<FormToWebview, FormFromWebview>;
  private readonly submits = new SubmitGate();

  constructor(
    private readonly ctx: PanelContext,
    panel: vscode.WebviewPanel,
    private init: FormInit,
    private readonly initFor: (request: FormRequest) => Promise<FormInit>,
    private readonly returnFocus?: () => Thenable<unknown>,
  ) {
    this.host = new PanelHost(panel, {
      extensionUri: ctx.extensionUri,
      kind: 'form',
      protocol: FORM_PROTOCOL,
      log: ctx.log,
      reporter: ctx.reporter,
      onReady: () => {
        this.sendForm();
      },
      onMessage: (message) => this.onMessage(message),
    });
    this.setTitle();
  }

  /** The extension reads another server, or this form's again: the notice shows or goes. */
  serverChanged(): void {
    this.host.post({
      type: 'elsewhere',
      ...(this.isElsewhere ? { message: this.elsewhere().message } : {}),
    });
  }

  /** The form, and (restored or shown again while on another server) that it is elsewhere. */
  private sendForm(): void {
    this.host.post({ type: 'form', form: this.init, generation: this.submits.nextGeneration() });
    if (this.isElsewhere) this.serverChanged();
  }

  /** Closed by its own buttons: the focus goes back where the form came from. */
  private close(): void {
    this.host.dispose();
    // Best effort: what it returns to may be gone (a closed panel, a tree row refreshed away).
    void Promise.resolve(this.returnFocus?.()).catch(() => undefined);
  }

  /** The trace the form is about (an id that crossed the webview boundary, branded here). */
  private get traceId(): TraceId {
    return asTraceId(this.init.traceId);
  }

  /** Whether the extension now reads another server than the one this form's trace is on. */
  private get isElsewhere(): boolean {
    return this.ctx.serverUrl() !== this.init.server;
  }

  private elsewhere(): ErrorWithActions {
    const { server } = this.init;
    return new ErrorWithActions(
      `This form is for a trace on ${server}, and the extension now reads ${this.ctx.serverUrl()}. Connect to ${server} again to submit it: it is not sent to another server, and the draft is kept.`,
      [{ title: 'Connect to Another Server', command: 'selectServer' }],
    );
  }

  private setTitle(): void {
    this.host.panel.title = `${TITLES[this.init.mode]}: ${revealBidi(truncate(this.init.traceName, 30))}`;
  }

  private async onMessage(message: Exclude<FormFromWebview, { type: 'ready' }>): Promise<void> {
    switch (message.type) {
      case 'submit': {
        // Until it fails, closes the form or sends the next one (submit-gate.ts).
        const refused = await this.submits.run(message.generation, () =>
          this.submit(message.traceId, message.draft, message.next),
        );
        if (!refused) return;
        this.ctx.log.warn(`A submit for ${refused} was ignored.`);
        // The form on show waits for an answer: it keeps its draft and may be submitted again.
        if (message.generation === this.submits.generation)
          this.host.post({
            type: 'submitFailed',
            message:
              'The previous submit of this form is still being saved. Submit again once it is done.',
          });
        return;
      }
      case 'cancel':
        this.close();
        return;
      default:
        assertNever(message);
    }
  }

  private async submit(traceId: string, draft: FormDraft, next: boolean): Promise<void> {
    this.host.post({ type: 'submitting' });
    let saved: Assessment;
    try {
      // Never written to another server than the form's, nor onto another trace than its own.
      if (this.isElsewhere) throw this.elsewhere();
      checkSubmittedTrace(this.traceId, traceId);
      const result = await this.send(draft);
      if (!result.ok) {
        const [field, text = 'Check the form.'] = Object.entries(result.errors)[0] ?? ['form'];
        this.host.post({ type: 'submitFailed', message: text, field });
        return;
      }
      saved = result.value;
    } catch (error) {
      // Nothing is lost: the webview keeps the draft; the message says what to do. A write is not
      // repeated by itself: the person submits again (no "Try Again" on the notification).
      this.host.post({ type: 'submitFailed', message: errorMessage(error) });
      this.ctx.reporter.report(error);
      return;
    }
    this.host.post({ type: 'submitted', assessment: toAssessmentView(saved) });
    if (!next) {
      this.close();
      return;
    }
    try {
      await this.openNext(draft);
    } catch (error) {
      // The write is done: report what went wrong after it, but never offer to send it again.
      this.ctx.reporter.report(error);
      this.host.dispose();
    }
  }

  private async send(
    draft: FormDraft,
  ): Promise<{ ok: true; value: Assessment } | { ok: false; errors: FieldErrors }> {
    const { store } = this.ctx;
    const { traceId } = this;
    const { assessment } = this.init;
    switch (this.init.mode) {
      case 'feedback': {
        const checked = checkFeedback(draft, this.init.questions);
        if (!checked.ok) return { ok: false, errors: checked.errors };
        await this.checkSpan(checked.value.spanId);
        const { kind: _kind, ...input } = checked.value;
        return { ok: true, value: await store.logFeedback({ traceId, ...input }) };
      }
      case 'expectation': {
        const checked = checkExpectation(draft, this.init.questions);
        if (!checked.ok) return { ok: false, errors: checked.errors };
        await this.checkSpan(checked.value.spanId);
        const { kind: _kind, ...input } = checked.value;
        return { ok: true, value: await store.logExpectation({ traceId, ...input }) };
      }
      case 'edit': {
        if (!assessment)
          return { ok: false, errors: { form: 'The assessment to edit is missing.' } };
        const checked = checkEdit(assessment, draft, this.init.questions);
        if (!checked.ok) return { ok: false, errors: checked.errors };
        return {
          ok: true,
          value: await store.updateAssessment(
            traceId,
            asAssessmentId(assessment.assessmentId),
            checked.value,
          ),
        };
      }
      case 'override': {
        if (!assessment)
          return { ok: false, errors: { form: 'The feedback to override is missing.' } };
        const checked = checkFeedback({ ...draft, errorMode: false }, this.init.questions);
        if (!checked.ok) return { ok: false, errors: checked.errors };
        const { value, rationale, source, metadata } = checked.value;
        if (value === undefined) return { ok: false, errors: { valueText: 'Enter the value' } };
        return {
          ok: true,
          value: await store.overrideFeedback(await store.getTrace(traceId), {
            assessmentId: asAssessmentId(assessment.assessmentId),
            value,
            ...(rationale ? { rationale } : {}),
            source,
            metadata,
          }),
        };
      }
    }
  }

  /**
   * Refuses a target span that is not one of the trace's: the webview, or a draft restored from
   * its saved state, may name any. Checked against the trace's spans from the store (which
   * fetches them once); when they cannot be had, as in the trace panel, only the id's form.
   */
  private async checkSpan(spanId: string | undefined): Promise<void> {
    if (!spanId) return;
    const { store } = this.ctx;
    let spans: readonly Span[] | undefined;
    try {
      spans = await store.spansOf(await store.getTrace(this.traceId));
    } catch {
      // Not to be had now (the write would fail too): the id's form is still checked.
    }
    checkSpanOfTrace(this.traceId, spans, spanId, 'form');
  }

  /** "Submit and Next": the same form for the next trace to rate (the store's rule). */
  private async openNext(previous: FormDraft): Promise<void> {
    const { store } = this.ctx;
    const next = await store.nextUnrated(await store.getTrace(this.traceId));
    if (!next) {
      notify(
        store.inReviewList(this.traceId)
          ? '$(check) Every trace of this run has human feedback'
          : '$(check) Every loaded trace has human feedback',
        5000,
      );
      this.close();
      return;
    }
    const init = await this.initFor({ mode: 'feedback', traceId: next.traceId });
    const rated = this.traceId;
    // Keep the name and kind of value: rating one trace after another uses the same ones.
    this.init = {
      ...init,
      draft: {
        ...init.draft,
        name: previous.name,
        valueType: previous.valueType,
        valueText: previous.valueType === 'boolean' ? 'true' : '',
      },
    };
    this.setTitle();
    this.sendForm();
    // Then the trace itself, where the previous one was shown. Not awaited: the form works
    // without it, and this submit holds the form's gate until it returns, so a reviewer quick to
    // submit the next form would be refused while the panel loads and the tree reveals the row
    // (seconds in a tree of thousands of traces on a loaded machine: the bench's stalls).
    this.ctx.showTraceBeingRated(next, rated).catch((error: unknown) => {
      this.ctx.log.warn(
        `Could not show trace ${next.traceId} beside its form: ${errorMessage(error)}`,
      );
    });
  }
}

/** Spans in tree order with their depth, for the target picker. */
function spanOutline(spans: SpanSummary[]): FormInit['spans'] {
  return spansInTreeOrder(spans, (s) => s.startOffsetMs).map(({ span, depth }) => ({
    spanId: span.spanId,
    name: span.name,
    depth,
  }));
}

function suggestions(
  recent: string[],
  trace: TraceInfo,
  kind: 'feedback' | 'expectation',
): string[] {
  const onTrace = trace.assessments.filter((a) => a.kind === kind).map((a) => a.name);
  return [...new Set([...recent, ...onTrace])];
}

function toFormQuestion(schema: LabelSchema): FormQuestion {
  return {
    name: schema.name,
    ...(schema.instruction ? { instruction: schema.instruction } : {}),
    enableComment: schema.enableComment,
    input: schema.input,
  };
}
