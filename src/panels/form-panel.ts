/**
 * The feedback and expectation forms, in a panel: new feedback, new expectation, edit in place,
 * override. The webview checks each field as it is typed; the host checks the draft again
 * (the webview is not trusted) and sends it through the store. A failed submit leaves the draft
 * where it is; drafts also survive hiding the panel and reloading the window (webview state and
 * a serializer).
 */
import * as vscode from 'vscode';
import type { Assessment, TraceInfo } from '../mlflow';
import {
  checkEdit,
  checkExpectation,
  checkFeedback,
  draftFrom,
  emptyDraft,
} from '../shared/form-logic';
import {
  assertNever,
  formInit,
  type FormDraft,
  type FormInit,
  type FromWebview,
  type SpanView,
} from '../shared/protocol';
import { spansInTreeOrder } from '../shared/span-tree';
import { hasHumanFeedback } from '../store/trace-filters';
import { traceName, truncate } from '../tree/format';
import { errorMessage } from '../util/error-message';
import type { PanelContext } from './panel-context';
import { FORM_VIEW_TYPE, PanelHost } from './panel-host';
import { toTraceView } from './trace-view';

export interface FormRequest {
  mode: FormInit['mode'];
  traceId: string;
  spanId?: string;
  /** For edit and override. */
  assessmentId?: string;
}

const TITLES: Record<FormInit['mode'], string> = {
  feedback: 'Feedback',
  expectation: 'Expectation',
  edit: 'Edit',
  override: 'Override',
};

export class FormPanels implements vscode.Disposable {
  private readonly open = new Set<FormPanel>();
  private readonly serializer: vscode.Disposable;

  constructor(private readonly ctx: PanelContext) {
    this.serializer = vscode.window.registerWebviewPanelSerializer(FORM_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => {
        // The webview saved its form and draft; anything else is not ours to restore.
        const saved = formInit.safeParse((state as { form?: unknown } | undefined)?.form);
        if (!saved.success) panel.dispose();
        else this.adopt(panel, saved.data);
        return Promise.resolve();
      },
    });
  }

  /** Opens a form for a trace (and span), or for an existing assessment. */
  async show(request: FormRequest): Promise<vscode.WebviewPanel> {
    const init = await this.initFor(request);
    const panel = vscode.window.createWebviewPanel(
      FORM_VIEW_TYPE,
      TITLES[init.mode],
      vscode.ViewColumn.Beside,
      {
        retainContextWhenHidden: false,
      },
    );
    this.adopt(panel, init);
    return panel;
  }

  dispose(): void {
    for (const form of this.open) form.host.dispose();
    this.serializer.dispose();
  }

  private adopt(panel: vscode.WebviewPanel, init: FormInit): void {
    const form = new FormPanel(this.ctx, panel, init, (request) => this.initFor(request));
    this.open.add(form);
    form.host.onDispose(() => this.open.delete(form));
  }

  private async initFor(request: FormRequest): Promise<FormInit> {
    const { store, connection } = this.ctx;
    const trace = store.trace(request.traceId) ?? (await store.refreshTrace(request.traceId));
    let spans: FormInit['spans'] = [];
    try {
      spans = spanOutline(toTraceView(trace, await store.spansOf(trace)).spans);
    } catch {
      // Without spans the form still works for the whole trace.
    }
    const reviewer = connection.settings.reviewer;
    const assessment = request.assessmentId
      ? trace.assessments.find((a) => a.assessmentId === request.assessmentId)
      : undefined;
    if (request.assessmentId && !assessment) {
      throw new Error(
        `Trace ${request.traceId} has no assessment ${request.assessmentId}. Refresh: it may have been deleted.`,
      );
    }
    const view = assessment
      ? toTraceView({ ...trace, assessments: [assessment] }, []).assessments[0]
      : undefined;
    const kind =
      request.mode === 'expectation' || view?.kind === 'expectation' ? 'expectation' : 'feedback';
    const draft = view
      ? draftFrom(view, request.mode, reviewer)
      : emptyDraft(reviewer, request.spanId ?? '');
    if (kind === 'expectation' && !view)
      Object.assign(draft, { valueType: 'string', valueText: '' } satisfies Partial<FormDraft>);
    return {
      mode: request.mode,
      traceId: trace.traceId,
      traceName: traceName(trace),
      spans,
      nameSuggestions: suggestions(
        store.recentAssessmentNames(trace.experimentId, kind),
        trace,
        kind,
      ),
      reviewer,
      ...(view ? { assessment: view } : {}),
      draft,
    };
  }
}

class FormPanel {
  readonly host: PanelHost;

  constructor(
    private readonly ctx: PanelContext,
    panel: vscode.WebviewPanel,
    private init: FormInit,
    private readonly initFor: (request: FormRequest) => Promise<FormInit>,
  ) {
    this.host = new PanelHost(panel, ctx.extensionUri, 'form', ctx.log, (m) => this.onMessage(m));
    this.setTitle();
  }

  private setTitle(): void {
    this.host.panel.title = `${TITLES[this.init.mode]}: ${truncate(this.init.traceName, 30)}`;
  }

  private async onMessage(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.host.post({ type: 'form', form: this.init });
        return;
      case 'submit':
        await this.submit(message.draft, message.next);
        return;
      case 'cancel':
        this.host.dispose();
        return;
      case 'assessmentAction':
      case 'openForm':
      case 'refresh':
      case 'rendered':
        return; // trace panel messages: not for this one
      default:
        assertNever(message);
    }
  }

  private async submit(draft: FormDraft, next: boolean): Promise<void> {
    this.host.post({ type: 'submitting' });
    let saved: Assessment;
    try {
      const result = await this.send(draft);
      if (!result.ok) {
        const [field, text] = Object.entries(result.errors)[0] ?? ['form', 'Check the form.'];
        this.host.post({ type: 'submitFailed', message: text, field });
        return;
      }
      saved = result.value;
    } catch (error) {
      // Nothing is lost: the webview keeps the draft; the message says what to do.
      this.host.post({ type: 'submitFailed', message: errorMessage(error) });
      return;
    }
    const [view] = toTraceView(
      { ...(await this.traceOf(saved.traceId)), assessments: [saved] },
      [],
    ).assessments;
    if (view) this.host.post({ type: 'submitted', assessment: view });
    if (next) await this.openNext(draft);
    else this.host.dispose();
  }

  private async send(
    draft: FormDraft,
  ): Promise<{ ok: true; value: Assessment } | { ok: false; errors: Record<string, string> }> {
    const { store } = this.ctx;
    const { traceId, assessment } = this.init;
    switch (this.init.mode) {
      case 'feedback': {
        const checked = checkFeedback(draft);
        if (!checked.ok) return { ok: false, errors: checked.errors };
        const { kind: _kind, ...input } = checked.value;
        return { ok: true, value: await store.logFeedback({ traceId, ...input }) };
      }
      case 'expectation': {
        const checked = checkExpectation(draft);
        if (!checked.ok) return { ok: false, errors: checked.errors };
        const { kind: _kind, ...input } = checked.value;
        return { ok: true, value: await store.logExpectation({ traceId, ...input }) };
      }
      case 'edit': {
        if (!assessment)
          return { ok: false, errors: { form: 'The assessment to edit is missing.' } };
        const checked = checkEdit(assessment, draft);
        if (!checked.ok) return { ok: false, errors: checked.errors };
        return {
          ok: true,
          value: await store.updateAssessment(traceId, assessment.assessmentId, checked.value),
        };
      }
      case 'override': {
        if (!assessment)
          return { ok: false, errors: { form: 'The feedback to override is missing.' } };
        const checked = checkFeedback({ ...draft, errorMode: false });
        if (!checked.ok) return { ok: false, errors: checked.errors };
        const { value, rationale, source, metadata } = checked.value;
        if (value === undefined) return { ok: false, errors: { valueText: 'Enter the value' } };
        return {
          ok: true,
          value: await store.overrideFeedback({
            traceId,
            assessmentId: assessment.assessmentId,
            value,
            ...(rationale ? { rationale } : {}),
            source,
            metadata,
          }),
        };
      }
    }
  }

  private async traceOf(traceId: string): Promise<TraceInfo> {
    return this.ctx.store.trace(traceId) ?? this.ctx.store.refreshTrace(traceId);
  }

  /** "Submit and next": the same form for the newest trace of the experiment no person has rated yet (among those loaded). */
  private async openNext(previous: FormDraft): Promise<void> {
    const { store } = this.ctx;
    const current = await this.traceOf(this.init.traceId);
    const experiment = (await store.experiments()).find(
      (e) => e.experimentId === current.experimentId,
    );
    const candidates = experiment ? (await store.ensureList(experiment)).traces : [];
    const next = candidates
      .filter((t) => t.traceId !== current.traceId && !hasHumanFeedback(t))
      .sort((a, b) => Date.parse(b.requestTime) - Date.parse(a.requestTime))[0];
    if (!next) {
      vscode.window.setStatusBarMessage('$(check) Every loaded trace has human feedback', 5000);
      this.host.dispose();
      return;
    }
    const init = await this.initFor({ mode: 'feedback', traceId: next.traceId });
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
    this.host.post({ type: 'form', form: this.init });
  }
}

/** Spans in tree order with their depth, for the target picker. */
function spanOutline(spans: SpanView[]): FormInit['spans'] {
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
