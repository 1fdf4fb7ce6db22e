/**
 * The trace panel: header, request and response, the span tree with duration bars and the
 * selected span's details, and the assessments with their actions.
 */
import { isMadeUpId } from '../src/mlflow/ids';
import type { JsonValue } from '../src/mlflow/types';
import { sourceLabel } from '../src/shared/format';
import type { AssessmentView } from '../src/shared/protocol/common';
import type { SpanView, TraceUpdate, TraceView } from '../src/shared/protocol/trace';
import { spanKeys, spansInTreeOrder } from '../src/shared/span-tree';
import { append, button, clear, el, formatMs, formatTime } from './dom';
import { TRACE_PROTOCOL } from '../src/shared/protocol/trace';
import { channel } from './host';
import { renderJson, renderValue } from './json-view';

interface ViewState {
  raw: boolean;
  /** Set while the extension reads another server than the trace's: actions are off. */
  elsewhere: { server: string; current: string } | undefined;
  /** The selected span's key (spanKeys): an id can repeat, and each of its rows selects its own. */
  selectedSpanKey: string | undefined;
  /** Feedback names whose history (what an override replaced) is open. */
  openHistories: Set<string>;
}

export const traceChannel = channel(TRACE_PROTOCOL);
const send = traceChannel.send;

const state: ViewState = {
  raw: false,
  elsewhere: undefined,
  selectedSpanKey: undefined,
  openHistories: new Set(),
};

/** The buttons that ask the extension to read or write the trace's server. */
const ACTING_BUTTONS = [
  'add-feedback',
  'add-expectation',
  'refresh',
  'edit',
  'override',
  'delete',
  'confirm-delete',
];
let current: TraceView | undefined;

/** A trace from the extension: read from the current server, so its actions are on. */
export function showTrace(root: HTMLElement, trace: TraceView, since: number): void {
  state.elsewhere = undefined;
  renderTrace(root, trace, since);
}

/**
 * New info and assessments for the trace shown, its spans unchanged (they were not sent again):
 * what the page shows of the spans (the selection, the request and response) stays.
 */
export function updateTrace(root: HTMLElement, update: TraceUpdate, since: number): void {
  if (current?.traceId !== update.traceId) return;
  const { spans, request, response, spansError } = current;
  renderTrace(
    root,
    {
      ...update,
      spans,
      ...(request === undefined ? {} : { request }),
      ...(response === undefined ? {} : { response }),
      ...(spansError === undefined ? {} : { spansError }),
    },
    since,
  );
}

/** Builds the page; reports the time since `since` (by default, now) to the extension. */
function renderTrace(root: HTMLElement, trace: TraceView, since: number = performance.now()): void {
  current = trace;
  const keys = spanKeys(trace.spans);
  const known = new Set(keys.values());
  if (state.selectedSpanKey !== undefined && !known.has(state.selectedSpanKey))
    state.selectedSpanKey = undefined;
  const firstRoot = trace.spans.find((s) => s.parentSpanId === null);
  state.selectedSpanKey ??= firstRoot ? keys.get(firstRoot) : undefined;
  clear(root);
  append(
    root,
    elsewhereBanner(),
    header(trace),
    requestResponse(trace),
    assessmentsSection(trace, undefined),
    spansSection(trace, keys),
  );
  if (state.elsewhere) disableActions(root);
  send({ type: 'rendered', ms: performance.now() - since });
}

/** The extension now reads another server (or reads this trace's server again: `undefined`). */
export function setElsewhere(root: HTMLElement, elsewhere: ViewState['elsewhere']): void {
  state.elsewhere = elsewhere;
  if (current) rerender();
  else {
    clear(root);
    append(root, elsewhereBanner());
  }
}

function elsewhereBanner(): HTMLElement | null {
  if (!state.elsewhere) return null;
  const { server, current: now } = state.elsewhere;
  return el(
    'p',
    { class: 'banner', role: 'status', 'data-testid': 'elsewhere' },
    `This trace is on ${server}. The extension now reads ${now}, so this panel is read-only: connect to ${server} again to act on the trace.`,
  );
}

function disableActions(root: HTMLElement): void {
  for (const id of ACTING_BUTTONS)
    for (const b of root.querySelectorAll(`[data-testid="${id}"]`)) b.setAttribute('disabled', '');
}

function rerender(): void {
  const root = document.getElementById('app');
  if (root && current) renderTrace(root, current);
}

function header(trace: TraceView): HTMLElement {
  const facts: [string, string][] = [
    ['Trace', trace.traceId],
    ['Started', formatTime(trace.requestTime)],
  ];
  if (trace.durationMs !== undefined) facts.push(['Duration', formatMs(trace.durationMs)]);
  if (trace.tokenUsage) {
    const { input, output, total } = trace.tokenUsage;
    facts.push([
      'Tokens',
      [
        input !== undefined ? `${input} in` : '',
        output !== undefined ? `${output} out` : '',
        total !== undefined ? `${total} total` : '',
      ]
        .filter(Boolean)
        .join(' · '),
    ]);
  }
  const actions = el(
    'div',
    { class: 'actions' },
    button(
      'Add Feedback',
      () => send({ type: 'openForm', mode: 'feedback' }),
      false,
      'add-feedback',
    ),
    button(
      'Add Expectation',
      () => send({ type: 'openForm', mode: 'expectation' }),
      true,
      'add-expectation',
    ),
    button('Refresh', () => send({ type: 'refresh' }), true, 'refresh'),
  );
  return el(
    'header',
    {},
    el(
      'h1',
      {},
      trace.name,
      ' ',
      el('vscode-badge', { class: `state state-${trace.state.toLowerCase()}` }, trace.state),
    ),
    problemLine(trace.problem),
    el('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
    keyValues('Tags', trace.tags),
    keyValues('Metadata', trace.metadata),
    actions,
  );
}

function keyValues(title: string, values: Record<string, string>): HTMLElement | null {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  return el(
    'details',
    { class: 'key-values' },
    el('summary', {}, `${title} (${entries.length})`),
    el('dl', {}, ...entries.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])),
  );
}

function requestResponse(trace: TraceView): HTMLElement {
  const toggle = el('vscode-checkbox', {
    label: 'Raw JSON',
    'data-testid': 'raw-toggle',
    checked: state.raw,
  });
  toggle.addEventListener('change', () => {
    state.raw = !state.raw;
    rerender();
  });
  return el(
    'section',
    { class: 'io', 'aria-label': 'Request and response' },
    el('div', { class: 'section-title' }, el('h2', {}, 'Request and response'), toggle),
    el(
      'div',
      { class: 'io-grid' },
      el(
        'div',
        { class: 'io-cell', 'data-testid': 'request' },
        el('h3', {}, 'Request'),
        renderValue(trace.request, state.raw),
      ),
      el(
        'div',
        { class: 'io-cell', 'data-testid': 'response' },
        el('h3', {}, 'Response'),
        renderValue(trace.response, state.raw),
      ),
    ),
  );
}

function spansSection(trace: TraceView, keys: Map<SpanView, string>): HTMLElement {
  const section = el(
    'section',
    { class: 'spans', 'aria-label': 'Spans' },
    el('h2', {}, `Spans (${trace.spans.length})`),
  );
  if (trace.spansError) {
    section.appendChild(
      el(
        'p',
        { class: 'error', role: 'alert' },
        `The spans could not be loaded: ${trace.spansError}`,
      ),
    );
    return section;
  }
  // A loop, not Math.max(...spans): spreading 100 000 arguments overflows the stack.
  let total = 0.001;
  for (const s of trace.spans) total = Math.max(total, s.startOffsetMs + (s.durationMs ?? 0));
  const list = el('div', { class: 'span-list', role: 'listbox', 'aria-label': 'Span tree' });
  for (const { span, depth } of spansInTreeOrder(trace.spans, (s) => s.startOffsetMs)) {
    const key = keys.get(span) ?? span.spanId;
    const selected = key === state.selectedSpanKey;
    const bar = el('div', { class: 'bar' });
    // CSSOM, not a style attribute: allowed under the CSP.
    bar.style.left = `${(span.startOffsetMs / total) * 100}%`;
    bar.style.width = `${Math.max(0.5, ((span.durationMs ?? total - span.startOffsetMs) / total) * 100)}%`;
    // A repeated id's assessments count on its first span only, as in the tree.
    const count =
      key === span.spanId
        ? trace.assessments.filter((a) => a.spanId === span.spanId && a.valid).length
        : 0;
    const row = el(
      'div',
      {
        class: `span-row${selected ? ' selected' : ''}${span.status.code === 'STATUS_CODE_ERROR' ? ' failed' : ''}${span.problem ? ' flagged' : ''}`,
        role: 'option',
        tabindex: '0',
        'aria-selected': selected ? 'true' : 'false',
        'data-span-id': span.spanId,
        'data-span-key': key,
      },
      el('span', { class: 'span-name' }, span.name),
      el(
        'span',
        { class: 'muted' },
        [
          span.spanType,
          formatMs(span.durationMs),
          count > 0 ? `${count} assessment${count > 1 ? 's' : ''}` : '',
        ]
          .filter(Boolean)
          .join(' · '),
      ),
      span.problem
        ? el(
            'span',
            { class: 'error problem', 'data-testid': 'problem', title: span.problem },
            // Cut short in the row; the details have it whole.
            span.problem.length > 80 ? `${span.problem.slice(0, 80)}…` : span.problem,
          )
        : null,
      el('div', { class: 'bar-track' }, bar),
    );
    // Indentation stops growing: a chain thousands of spans deep stays on screen.
    row.style.paddingLeft = `${Math.min(depth, 40) * 16 + 4}px`;
    const choose = () => {
      state.selectedSpanKey = key;
      rerender();
      // Compared, not put in a selector: an id from the server can hold any character.
      for (const other of document.querySelectorAll<HTMLElement>('.span-row'))
        if (other.dataset.spanKey === key) other.focus();
    };
    row.addEventListener('click', choose);
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') choose();
      if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
        event.preventDefault();
        const sibling =
          event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
        (sibling as HTMLElement | null)?.focus();
      }
    });
    list.appendChild(row);
  }
  section.appendChild(el('div', { class: 'span-layout' }, list, spanDetails(trace, keys)));
  return section;
}

function spanDetails(trace: TraceView, keys: Map<SpanView, string>): HTMLElement {
  const span = trace.spans.find((s) => keys.get(s) === state.selectedSpanKey);
  const panel = el('div', { class: 'span-details', 'data-testid': 'span-details' });
  if (!span) return panel;
  append(
    panel,
    el('h3', {}, span.name),
    problemLine(span.problem),
    el(
      'dl',
      { class: 'facts' },
      el('dt', {}, 'Span'),
      el('dd', {}, span.spanId),
      el('dt', {}, 'Type'),
      el('dd', {}, span.spanType ?? '—'),
      el('dt', {}, 'Duration'),
      el('dd', {}, formatMs(span.durationMs)),
      el('dt', {}, 'Status'),
      el(
        'dd',
        { class: span.status.code === 'STATUS_CODE_ERROR' ? 'error' : '' },
        [span.status.code.replace('STATUS_CODE_', ''), span.status.message]
          .filter(Boolean)
          .join(': '),
      ),
    ),
    el(
      'div',
      { class: 'actions' },
      button(
        'Add Feedback on This Span',
        () => send({ type: 'openForm', mode: 'feedback', spanId: span.spanId }),
        true,
      ),
      button(
        'Add Expectation on This Span',
        () => send({ type: 'openForm', mode: 'expectation', spanId: span.spanId }),
        true,
      ),
    ),
    // A repeated id's assessments show under its first span only, as in the tree.
    keys.get(span) === span.spanId ? assessmentsSection(trace, span.spanId) : null,
    valueBlock('Inputs', span.inputs),
    valueBlock('Outputs', span.outputs),
    valueBlock('Attributes', span.attributes),
    span.events.length > 0 ? eventsBlock(span) : null,
  );
  return panel;
}

function valueBlock(title: string, value: JsonValue | undefined): HTMLElement | null {
  if (value === undefined) return null;
  return el('div', { class: 'value-block' }, el('h4', {}, title), renderValue(value, state.raw));
}

function eventsBlock(span: SpanView): HTMLElement {
  return el(
    'div',
    { class: 'value-block' },
    el('h4', {}, `Events (${span.events.length})`),
    ...span.events.map((e) =>
      el(
        'details',
        {},
        el('summary', {}, `${e.name} at +${formatMs(e.offsetMs)}`),
        renderJson(e.attributes, 1),
      ),
    ),
  );
}

/** Assessments on the trace (spanId undefined) or on one span. */
function assessmentsSection(trace: TraceView, spanId: string | undefined): HTMLElement {
  const here = trace.assessments.filter((a) => (a.spanId ?? undefined) === spanId);
  const section = el('section', {
    class: 'assessments',
    'aria-label': spanId ? 'Assessments on this span' : 'Assessments',
  });
  section.appendChild(
    el(
      spanId ? 'h4' : 'h2',
      {},
      `${spanId ? 'Assessments on this span' : 'Assessments'} (${here.filter((a) => a.valid).length})`,
    ),
  );
  const feedback = here.filter((a) => a.kind === 'feedback');
  const names = [...new Set(feedback.map((a) => a.name))].sort();
  for (const name of names) {
    const all = feedback.filter((a) => a.name === name);
    const inForce = all.filter((a) => a.valid);
    const replaced = all.filter((a) => !a.valid);
    const group = el('div', { class: 'feedback-group', 'data-name': name });
    group.appendChild(el('h3', {}, name));
    for (const a of inForce)
      group.appendChild(assessmentCard(a, replaced.length > 0 && a.overrides !== undefined));
    if (replaced.length > 0 && inForce.every((a) => !a.overrides)) {
      // Overridden, but the override is gone from this view: still show the history.
      for (const a of replaced) group.appendChild(assessmentCard(a, false));
    } else if (replaced.length > 0 && state.openHistories.has(name)) {
      const history = el('div', {
        class: 'history',
        'aria-label': `What the override of ${name} replaced`,
      });
      for (const a of replaced) history.appendChild(assessmentCard(a, false));
      group.appendChild(history);
    }
    section.appendChild(group);
  }
  const expectations = here.filter((a) => a.kind === 'expectation');
  if (expectations.length > 0) {
    section.appendChild(el('h3', {}, 'Expectations'));
    for (const a of expectations) section.appendChild(assessmentCard(a, false));
  }
  if (here.length === 0)
    section.appendChild(el('p', { class: 'muted' }, spanId ? 'None on this span.' : 'None yet.'));
  return section;
}

function assessmentCard(a: AssessmentView, edited: boolean): HTMLElement {
  const card = el('article', {
    class: `assessment${a.valid ? '' : ' overridden'}${a.problem ? ' flagged' : ''}`,
    'data-assessment-id': a.assessmentId,
    'aria-label': `${a.kind} ${a.name}`,
  });
  const source = sourceLabel(a);
  const line = el('div', { class: 'assessment-line' });
  const structured = a.kind === 'expectation' && a.value !== null && typeof a.value === 'object';
  if (a.error) {
    const message = a.error.errorMessage ? `: ${a.error.errorMessage}` : '';
    line.appendChild(el('span', { class: 'error' }, `Error ${a.error.errorCode}${message}`));
  } else if (!structured) {
    // A structured expectation shows as a tree below instead.
    const text = typeof a.value === 'string' ? a.value : JSON.stringify(a.value);
    line.appendChild(el('span', { class: 'assessment-value', 'data-testid': 'value' }, text));
  }
  line.append(el('span', { class: 'muted' }, ` · ${source} · ${formatTime(a.lastUpdateTime)}`));
  if (!a.valid) line.append(el('vscode-badge', { class: 'overridden-badge' }, 'overridden'));
  if (edited) {
    const marker = button(
      state.openHistories.has(a.name) ? 'Hide history' : 'edited',
      () => {
        if (state.openHistories.has(a.name)) state.openHistories.delete(a.name);
        else state.openHistories.add(a.name);
        rerender();
      },
      true,
      'history',
    );
    marker.setAttribute('title', 'This feedback overrides another: show what it replaced');
    line.append(marker);
  }
  card.appendChild(line);
  const problem = problemLine(a.problem);
  if (problem) card.appendChild(problem);
  if (structured) card.appendChild(renderValue(a.value, state.raw));
  if (a.rationale) card.appendChild(el('p', { class: 'rationale' }, a.rationale));
  if (a.error?.stackTrace)
    card.appendChild(
      el('details', {}, el('summary', {}, 'Stack trace'), el('pre', {}, a.error.stackTrace)),
    );
  const metadata = Object.entries(a.metadata);
  if (metadata.length > 0)
    card.appendChild(
      el(
        'dl',
        { class: 'metadata' },
        ...metadata.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]),
      ),
    );
  const actions = el('div', { class: 'actions' });
  const act = (action: 'edit' | 'override' | 'delete' | 'copyId') => () =>
    send({ type: 'assessmentAction', action, assessmentId: a.assessmentId });
  // Repeated on every card: each says which assessment it acts on to a screen reader.
  const named = (b: HTMLElement, verb: string) => {
    b.setAttribute('aria-label', `${verb} the ${a.kind} “${a.name}” by ${source}`);
    return b;
  };
  // An id made up for a record whose own could not be read names nothing on the server.
  const identified = !(a.problem && isMadeUpId(a.assessmentId));
  if (a.valid && identified)
    actions.appendChild(named(button('Edit', act('edit'), true, 'edit'), 'Edit'));
  if (a.valid && identified && a.kind === 'feedback')
    actions.appendChild(named(button('Override', act('override'), true, 'override'), 'Override'));
  actions.append(
    named(
      button('Delete', () => confirmDelete(a, actions), true, 'delete'),
      'Delete',
    ),
    named(button('Copy ID', act('copyId'), true, 'copy-id'), 'Copy the ID of'),
  );
  card.appendChild(actions);
  return card;
}

/**
 * What did not fit in a record the server sent (it shows with what could be read of it): text,
 * in the colour of a judge's error.
 */
function problemLine(problem: string | undefined): HTMLElement | null {
  if (!problem) return null;
  return el(
    'p',
    { class: 'error problem', 'data-testid': 'problem' },
    `Unexpected record from the server: ${problem}`,
  );
}

/** Asks in place (no modal) and says what goes; deleting an override restores the original. */
function confirmDelete(a: AssessmentView, actions: HTMLElement): void {
  const restores = a.overrides
    ? ' Deleting this override brings back the feedback it replaced.'
    : ' This cannot be undone.';
  const keep = button('Keep', () => rerender(), true, 'keep');
  const remove = button(
    'Delete',
    () => send({ type: 'assessmentAction', action: 'delete', assessmentId: a.assessmentId }),
    false,
    'confirm-delete',
  );
  actions.replaceChildren(
    el('span', { class: 'confirm', role: 'alert' }, `Delete the ${a.kind} “${a.name}”?${restores}`),
    remove,
    keep,
  );
  keep.focus();
}
