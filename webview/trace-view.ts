/**
 * The trace panel: header, request and response, the span tree with duration bars and the
 * selected span's details, the assessments with their actions, and the review queues that hold
 * the trace with its status in each.
 *
 * The page is built once per trace, then redrawn in parts: a selection redraws the details and
 * moves the list's selection mark, the raw JSON toggle redraws the values, a new version of the
 * trace's assessments redraws the header and the assessments; the span list's scroll position,
 * the page's, and which sections are open stay. The trace arrives with its spans summarised and
 * the details of the span shown first; another span's details are asked for when it is selected
 * and kept. The span list draws only the rows in view and a margin (span-window.ts): a trace of
 * 32 000 spans holds a few dozen rows in the DOM.
 */
import { isMadeUpId } from '../src/mlflow/ids';
import type { JsonValue } from '../src/mlflow/types';
import {
  formatCallMetrics,
  formatCost,
  formatDuration,
  formatTokensLong,
  sourceLabel,
} from '../src/shared/format';
import {
  ATTRIBUTES_SHOWN_ELSEWHERE,
  parseCost,
  SPAN_ATTRIBUTES,
  TRACE_METADATA,
} from '../src/shared/llm-metrics';
import type { AssessmentView } from '../src/shared/protocol/common';
import {
  TRACE_PROTOCOL,
  type RenderCause,
  type RenderedPart,
  type SpanDetails,
  type SpanSummary,
  type TraceQueue,
  type TraceUpdate,
  type TraceView,
} from '../src/shared/protocol/trace';
import { firstRootIndex, spanKeys, spansInTreeOrder } from '../src/shared/span-tree';
import { append, button, clear, el, formatTime } from './dom';
import { channel } from './host';
import { offeredTools } from './conversation-view';
import { renderJson } from './json-tree';
import { renderValue } from './json-view';
import {
  assessmentCounts,
  barGeometry,
  rowWindow,
  scrollTopToShow,
  timelineEnd,
  type RowWindow,
} from './span-window';

/** Every span row's height in pixels (media/webview.css says the same): rows are drawn by index. */
export const ROW_HEIGHT = 32;
/** Rows drawn above and below those in view, so that scrolling shows drawn rows at once. */
const ROW_MARGIN = 20;

interface ViewState {
  raw: boolean;
  /** Every attribute in the details, even those shown elsewhere: for every span since. */
  allAttributes: boolean;
  /** Set while the extension reads another server than the trace's: actions are off. */
  elsewhere: { server: string; current: string } | undefined;
  /** The selected span's key (spanKeys): an id can repeat, and each of its rows selects its own. */
  selectedSpanKey: string | undefined;
  /** Feedback names whose history (what an override replaced) is open. */
  openHistories: Set<string>;
  /** The details' sections (Inputs, Outputs, ...) the person closed: closed for every span. */
  closedBlocks: Set<string>;
}

/** The trace shown, what is derived from it once, and the page's parts (each redrawn alone). */
interface Page {
  trace: TraceView;
  /** Per span (by index in trace.spans): its key. */
  keys: string[];
  indexOfKey: Map<string, number>;
  /** The list's rows in tree order: the span's index and depth. */
  rows: { index: number; depth: number }[];
  /** Per span index: its row's position in `rows`. */
  rowOf: Int32Array;
  timelineEnd: number;
  counts: Map<string, number>;
  /** Details received, by span index (kept while the trace is shown). */
  details: Map<number, SpanDetails>;
  /** Span indexes asked for and not yet answered. */
  asked: Set<number>;
  root: HTMLElement;
  banner: HTMLElement;
  header: HTMLElement;
  io: HTMLElement;
  assessments: HTMLElement;
  /** The review queues that hold the trace (arrive after the trace, in their own message). */
  queues: HTMLElement;
  /** The scrolling list, its full-height sizer and the drawn rows; absent if spans failed. */
  list: { scroller: HTMLElement; drawn: HTMLElement; window: RowWindow } | undefined;
  details$: HTMLElement;
  /** The details' own assessments (redrawn with the trace's). */
  spanAssessments: HTMLElement | null;
}

export const traceChannel = channel(TRACE_PROTOCOL);
const send = traceChannel.send;

const state: ViewState = {
  raw: false,
  allAttributes: false,
  elsewhere: undefined,
  selectedSpanKey: undefined,
  openHistories: new Set(),
  closedBlocks: new Set(),
};

/** The buttons that ask the extension to read or write the trace's server. */
const ACTING_BUTTONS = [
  'add-feedback',
  'add-expectation',
  'refresh',
  'open-session',
  'add-to-queue',
  'edit',
  'override',
  'delete',
  'confirm-delete',
];
let page: Page | undefined;
/** The last queues message, kept so that a trace drawn again (a refresh) shows them at once. */
let lastQueues: { traceId: string; queues: TraceQueue[]; message?: string } | undefined;

/**
 * A trace from the extension: read from the current server, so its actions are on. `details`:
 * those of its first root span. The same trace again (a refresh) keeps the selection and the
 * list's scroll position.
 */
export function showTrace(
  root: HTMLElement,
  trace: TraceView,
  details: SpanDetails | undefined,
  since: number,
): void {
  state.elsewhere = undefined;
  const previous = page?.trace.traceId === trace.traceId ? page : undefined;
  const listScroll = previous?.list?.scroller.scrollTop ?? 0;
  const keys = spanKeys(trace.spans);
  const keyList = trace.spans.map((s) => keys.get(s) ?? s.spanId);
  const indexOfKey = new Map<string, number>();
  keyList.forEach((key, index) => indexOfKey.set(key, index));
  const indexOf = new Map<SpanSummary, number>();
  trace.spans.forEach((s, index) => indexOf.set(s, index));
  const rows = spansInTreeOrder(trace.spans, (s) => s.startOffsetMs).map(({ span, depth }) => ({
    index: indexOf.get(span) ?? 0,
    depth,
  }));
  const rowOf = new Int32Array(trace.spans.length);
  rows.forEach((row, position) => (rowOf[row.index] = position));
  if (state.selectedSpanKey !== undefined && !indexOfKey.has(state.selectedSpanKey))
    state.selectedSpanKey = undefined;
  if (!previous) state.selectedSpanKey = undefined;
  const first = firstRootIndex(trace.spans);
  state.selectedSpanKey ??= first >= 0 ? keyList[first] : undefined;
  clear(root);
  const next: Page = {
    trace,
    keys: keyList,
    indexOfKey,
    rows,
    rowOf,
    timelineEnd: timelineEnd(trace.spans),
    counts: assessmentCounts(trace.assessments),
    details: new Map(details ? [[details.index, details]] : []),
    asked: new Set(),
    root,
    banner: elsewhereBanner(),
    header: header(trace),
    io: requestResponse(trace),
    assessments: assessmentsSection(trace, undefined),
    queues: queuesSection(lastQueues?.traceId === trace.traceId ? lastQueues : undefined),
    list: undefined,
    details$: el('div'),
    spanAssessments: null,
  };
  page = next;
  append(
    root,
    next.banner,
    next.header,
    next.io,
    next.assessments,
    next.queues,
    spansSection(next),
  );
  if (next.list) {
    next.list.scroller.scrollTop = listScroll;
    drawRows(next, true);
  }
  showSelectedDetails(next);
  report('trace', ['page'], since);
}

/** The review queues holding the trace, read after it: their section redrawn. */
export function showQueues(
  message: { traceId: string; queues: TraceQueue[]; message?: string },
  since: number,
): void {
  lastQueues = message;
  const p = page;
  if (p?.trace.traceId !== message.traceId) return;
  p.queues = replace(p.queues, queuesSection(message));
  report('queues', ['queues'], since);
}

/** The trace panel showed an error instead: what it drew is gone. */
export function forgetTrace(): void {
  page = undefined;
}

/**
 * New info and assessments for the trace shown, its spans unchanged (they were not sent again):
 * the header and the assessments are redrawn, the list's rows in view (their counts) too; the
 * selection, the details and every scroll position stay.
 */
export function updateTrace(update: TraceUpdate, since: number): void {
  const p = page;
  if (p?.trace.traceId !== update.traceId) return;
  const { spans, request, response, spansError } = p.trace;
  p.trace = {
    ...update,
    spans,
    ...(request === undefined ? {} : { request }),
    ...(response === undefined ? {} : { response }),
    ...(spansError === undefined ? {} : { spansError }),
  };
  p.counts = assessmentCounts(p.trace.assessments);
  p.header = replace(p.header, header(p.trace));
  redrawAssessmentParts(p);
  if (p.list) drawRows(p, true);
  report('traceUpdate', ['header', 'assessments', 'list'], since);
}

/** The details of a span, asked for when it was selected: drawn if it still is. */
export function receiveDetails(traceId: string, details: SpanDetails, since: number): void {
  const p = page;
  if (p?.trace.traceId !== traceId) return;
  const summary = p.trace.spans[details.index];
  if (summary?.spanId !== details.spanId) return;
  p.details.set(details.index, details);
  p.asked.delete(details.index);
  if (selectedIndex(p) !== details.index) return;
  showSelectedDetails(p);
  report('spanDetails', ['details'], since);
}

/** The extension now reads another server (or reads this trace's server again: `undefined`). */
export function setElsewhere(root: HTMLElement, elsewhere: ViewState['elsewhere']): void {
  state.elsewhere = elsewhere;
  const p = page;
  if (!p) {
    clear(root);
    append(root, elsewhereBanner());
    return;
  }
  const since = performance.now();
  p.banner = replace(p.banner, elsewhereBanner());
  p.header = replace(p.header, header(p.trace));
  redrawAssessmentParts(p);
  showSelectedDetails(p);
  report('elsewhere', ['banner', 'header', 'assessments', 'details'], since);
}

/** Tells the extension what was drawn, why, and how long it took since `since`. */
function report(cause: RenderCause, redrawn: RenderedPart[], since: number): void {
  const p = page;
  if (p && state.elsewhere) disableActions(p.root);
  send({
    type: 'rendered',
    ms: performance.now() - since,
    cause,
    redrawn,
    rows: p?.list?.drawn.childElementCount ?? 0,
    scroll: {
      list: p?.list?.scroller.scrollTop ?? 0,
      page: document.scrollingElement?.scrollTop ?? 0,
    },
  });
}

/** Puts `next` where `old` is; returns `next`. */
function replace<T extends HTMLElement>(old: HTMLElement, next: T): T {
  old.replaceWith(next);
  return next;
}

/** The trace's assessments and the selected span's, in place. */
function redrawAssessmentParts(p: Page): void {
  p.assessments = replace(p.assessments, assessmentsSection(p.trace, undefined));
  if (p.spanAssessments) {
    const index = selectedIndex(p);
    const span = index === undefined ? undefined : p.trace.spans[index];
    if (span)
      p.spanAssessments = replace(p.spanAssessments, assessmentsSection(p.trace, span.spanId));
  }
}

function redrawAssessments(cause: RenderCause): void {
  const p = page;
  if (!p) return;
  const since = performance.now();
  redrawAssessmentParts(p);
  report(cause, ['assessments'], since);
}

function elsewhereBanner(): HTMLElement {
  if (!state.elsewhere) return el('div', { class: 'banner-slot' });
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

function header(trace: TraceView): HTMLElement {
  const facts: [string, string][] = [
    ['Trace', trace.traceId],
    ['Started', formatTime(trace.requestTime)],
  ];
  facts.push(
    ['Duration', formatDuration(trace.durationMs)],
    ['Tokens', formatTokensLong(trace.tokenUsage)],
    ['Cost', formatCost(trace.cost)],
    // The application's session and user: which conversation this turn is of, and whose.
    ['Session', trace.metadata[TRACE_METADATA.session] ?? ''],
    ['User', trace.metadata[TRACE_METADATA.user] ?? ''],
  );
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
    trace.metadata[TRACE_METADATA.session]
      ? button('Open Session', () => send({ type: 'openSession' }), true, 'open-session')
      : null,
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
    factList(facts),
    sourceCommitLine(trace.traceId),
    keyValues('Tags', trace.tags),
    keyValues('Metadata', trace.metadata),
    actions,
  );
}

/** The trace's git commit against the workspace's HEAD, when they differ (src/code/which-commit.ts). */
let sourceCommit: { traceId: string; text: string } | undefined;

export function showSourceCommit(traceId: string, text: string): void {
  sourceCommit = { traceId, text };
  const p = page;
  if (p?.trace.traceId === traceId) p.header = replace(p.header, header(p.trace));
}

function sourceCommitLine(traceId: string): HTMLElement | null {
  if (sourceCommit?.traceId !== traceId) return null;
  return el(
    'p',
    { class: 'source-commit', 'data-testid': 'source-commit' },
    `Code: ${sourceCommit.text}. `,
    button('Compare with Today', () => send({ type: 'compareCommit' }), true, 'compare-commit'),
  );
}

/** Facts as a list of terms, those with no value left out; each value tagged for the tests. */
function factList(facts: [string, string][], ...more: HTMLElement[]): HTMLElement {
  return el(
    'dl',
    { class: 'facts' },
    ...facts
      .filter(([, value]) => value !== '')
      .flatMap(([term, value]) => [
        el('dt', {}, term),
        el('dd', { 'data-fact': term.toLowerCase() }, value),
      ]),
    ...more,
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
    const p = page;
    if (!p) return;
    const since = performance.now();
    // The values only: the toggle itself, the list and every scroll position stay.
    const cells = ioCells(p.trace);
    p.io.querySelector('.io-grid')?.replaceWith(cells);
    redrawAssessmentParts(p);
    showSelectedDetails(p);
    report('raw', ['io', 'assessments', 'details'], since);
  });
  return el(
    'section',
    { class: 'io', 'aria-label': 'Request and response' },
    el('div', { class: 'section-title' }, el('h2', {}, 'Request and response'), toggle),
    ioCells(trace),
  );
}

function ioCells(trace: TraceView): HTMLElement {
  return el(
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
  );
}

function spansSection(p: Page): HTMLElement {
  const { trace } = p;
  const section = el(
    'section',
    { class: 'spans', 'aria-label': 'Spans' },
    el('h2', {}, `Spans (${trace.spans.length})`),
  );
  p.details$ = el('div', { class: 'span-details', 'data-testid': 'span-details' });
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
  const drawn = el('div', { class: 'span-window' });
  const sizer = el('div', { class: 'span-sizer' }, drawn);
  sizer.style.height = `${p.rows.length * ROW_HEIGHT}px`;
  const scroller = el(
    'div',
    { class: 'span-list', role: 'listbox', 'aria-label': 'Span tree', tabindex: '-1' },
    sizer,
  );
  p.list = { scroller, drawn, window: { start: 0, end: 0 } };
  let pending = false;
  scroller.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      if (page === p) drawRows(p, false);
    });
  });
  scroller.addEventListener('click', (event) => {
    const row = rowElement(event.target);
    if (row) choose(p, Number(row.dataset.row));
  });
  scroller.addEventListener('keydown', (event) => onListKey(p, event));
  section.appendChild(el('div', { class: 'span-layout' }, scroller, p.details$));
  return section;
}

/** The row an event happened in, if any. */
function rowElement(target: EventTarget | null): HTMLElement | null {
  return target instanceof Element ? target.closest<HTMLElement>('.span-row') : null;
}

/** A trace's list follows the window's size (its height is a share of the window's). */
window.addEventListener('resize', () => {
  if (page?.list) drawRows(page, false);
});

/**
 * Draws the rows in view and a margin; `force` redraws them even if the same rows are drawn (new
 * counts, a new trace). The row that has the focus keeps it if it is still drawn.
 */
function drawRows(p: Page, force: boolean): void {
  const list = p.list;
  if (!list) return;
  const { scroller, drawn } = list;
  const height = scroller.clientHeight || window.innerHeight;
  const next = rowWindow(
    scroller.scrollTop,
    height,
    ROW_HEIGHT,
    p.rows.length,
    ROW_MARGIN,
    force ? undefined : list.window,
  );
  if (!force && next === list.window) return;
  const focused = rowElement(document.activeElement);
  const focusedRow = focused && drawn.contains(focused) ? Number(focused.dataset.row) : undefined;
  list.window = next;
  drawn.style.transform = `translateY(${next.start * ROW_HEIGHT}px)`;
  const rows: HTMLElement[] = [];
  for (let position = next.start; position < next.end; position++) rows.push(spanRow(p, position));
  drawn.replaceChildren(...rows);
  if (focusedRow !== undefined) rowAt(p, focusedRow)?.focus({ preventScroll: true });
}

/** The drawn row at `position` in the list, if it is drawn. */
function rowAt(p: Page, position: number): HTMLElement | undefined {
  const list = p.list;
  if (!list || position < list.window.start || position >= list.window.end) return undefined;
  return list.drawn.children[position - list.window.start] as HTMLElement | undefined;
}

function spanRow(p: Page, position: number): HTMLElement {
  const { index, depth } = p.rows[position] ?? { index: 0, depth: 0 };
  const span = p.trace.spans[index] as SpanSummary;
  const key = p.keys[index] ?? span.spanId;
  const selected = key === state.selectedSpanKey;
  const bar = el('div', { class: 'bar' });
  const { left, width } = barGeometry(span, p.timelineEnd);
  // CSSOM, not a style attribute: allowed under the CSP.
  bar.style.left = `${left}%`;
  bar.style.width = `${width}%`;
  // A repeated id's assessments count on its first span only, as in the tree.
  const count = key === span.spanId ? (p.counts.get(span.spanId) ?? 0) : 0;
  const row = el(
    'div',
    {
      class: `span-row${selected ? ' selected' : ''}${span.statusCode === 'STATUS_CODE_ERROR' ? ' failed' : ''}${span.problem ? ' flagged' : ''}`,
      role: 'option',
      tabindex: '0',
      'aria-selected': selected ? 'true' : 'false',
      'aria-setsize': String(p.rows.length),
      'aria-posinset': String(position + 1),
      'data-span-id': span.spanId,
      'data-span-key': key,
      'data-row': String(position),
    },
    el(
      'div',
      { class: 'span-line' },
      el('span', { class: 'span-name', title: span.name }, span.name),
      span.problem
        ? el(
            'span',
            { class: 'error problem', 'data-testid': 'problem', title: span.problem },
            // Cut short in the row; the details have it whole.
            span.problem.length > 80 ? `${span.problem.slice(0, 80)}…` : span.problem,
          )
        : null,
      spanFacts(span, count),
    ),
    el('div', { class: 'bar-track' }, bar),
  );
  // Indentation stops growing: a chain thousands of spans deep stays on screen.
  row.style.paddingLeft = `${Math.min(depth, 40) * 16 + 4}px`;
  return row;
}

/**
 * "CHAT_MODEL · 350 ms · gpt-4o-mini · 120→45 tok · $0.0012": the call's metrics last, so that
 * a narrow list cuts them (the details have them) rather than the duration.
 */
function spanFacts(span: SpanSummary, count: number): HTMLElement {
  const text = [
    span.spanType,
    formatDuration(span.durationMs),
    count > 0 ? `${count} assessment${count > 1 ? 's' : ''}` : '',
    formatCallMetrics(span),
  ]
    .filter(Boolean)
    .join(' · ');
  return el('span', { class: 'muted span-facts', title: text }, text);
}

/** Keys move through the whole list, drawing the rows they reach. */
function onListKey(p: Page, event: KeyboardEvent): void {
  const row = rowElement(event.target);
  if (!row || !p.list) return;
  const position = Number(row.dataset.row);
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    choose(p, position);
    return;
  }
  const pageRows = Math.max(1, Math.floor(p.list.scroller.clientHeight / ROW_HEIGHT) - 1);
  const last = p.rows.length - 1;
  const target =
    event.key === 'ArrowDown'
      ? position + 1
      : event.key === 'ArrowUp'
        ? position - 1
        : event.key === 'PageDown'
          ? position + pageRows
          : event.key === 'PageUp'
            ? position - pageRows
            : event.key === 'Home'
              ? 0
              : event.key === 'End'
                ? last
                : undefined;
  if (target === undefined) return;
  event.preventDefault();
  focusRow(p, Math.max(0, Math.min(last, target)));
}

/** Scrolls row `position` into view, draws it, and gives it the focus. */
function focusRow(p: Page, position: number): void {
  const list = p.list;
  if (!list) return;
  const { scroller } = list;
  scroller.scrollTop = scrollTopToShow(
    position,
    scroller.scrollTop,
    scroller.clientHeight,
    ROW_HEIGHT,
  );
  drawRows(p, false);
  rowAt(p, position)?.focus({ preventScroll: true });
}

function selectedIndex(p: Page): number | undefined {
  return state.selectedSpanKey === undefined ? undefined : p.indexOfKey.get(state.selectedSpanKey);
}

/**
 * Selects the span of the row at `position`: the selection mark moves (two rows change), and
 * the details show it, at once if they are here, else when the extension sends them.
 */
function choose(p: Page, position: number): void {
  const since = performance.now();
  const index = p.rows[position]?.index;
  if (index === undefined) return;
  const key = p.keys[index];
  const row = rowAt(p, position);
  row?.focus({ preventScroll: true });
  if (key === state.selectedSpanKey) return;
  const before = selectedIndex(p);
  state.selectedSpanKey = key;
  if (before !== undefined) markRow(rowAt(p, p.rowOf[before] ?? -1), false);
  markRow(row, true);
  if (p.details.has(index)) {
    showSelectedDetails(p);
    report('select', ['selection', 'details'], since);
    return;
  }
  // The old details stay, marked busy, until the new ones come: no flash of an empty panel.
  p.details$.setAttribute('aria-busy', 'true');
  p.details$.classList.add('loading');
  const span = p.trace.spans[index];
  if (span && !p.asked.has(index)) {
    p.asked.add(index);
    send({ type: 'selectSpan', traceId: p.trace.traceId, index, spanId: span.spanId });
  }
  report('select', ['selection'], since);
}

function markRow(row: HTMLElement | undefined, selected: boolean): void {
  if (!row) return;
  row.classList.toggle('selected', selected);
  row.setAttribute('aria-selected', selected ? 'true' : 'false');
}

/** Draws the selected span's details if they are here; else asks for them. */
function showSelectedDetails(p: Page): void {
  const index = selectedIndex(p);
  const span = index === undefined ? undefined : p.trace.spans[index];
  const details = index === undefined ? undefined : p.details.get(index);
  const panel = el('div', { class: 'span-details', 'data-testid': 'span-details' });
  p.spanAssessments = null;
  if (span && index !== undefined && !details && !p.trace.spansError) {
    panel.setAttribute('aria-busy', 'true');
    panel.appendChild(el('p', { class: 'muted loading' }, 'Loading the span…'));
    if (!p.asked.has(index)) {
      p.asked.add(index);
      send({ type: 'selectSpan', traceId: p.trace.traceId, index, spanId: span.spanId });
    }
  }
  if (span && index !== undefined && details) {
    const key = p.keys[index];
    p.spanAssessments = key === span.spanId ? assessmentsSection(p.trace, span.spanId) : null;
    fillDetails(panel, p.trace, span, details, p.spanAssessments);
  }
  p.details$ = replace(p.details$, panel);
}

function fillDetails(
  panel: HTMLElement,
  trace: TraceView,
  span: SpanSummary,
  details: SpanDetails,
  spanAssessments: HTMLElement | null,
): void {
  const inputs = details.inputsAreRequest ? trace.request : details.inputs;
  const outputs = details.outputsAreResponse ? trace.response : details.outputs;
  append(
    panel,
    el('h3', {}, span.name),
    problemLine(span.problem),
    factList(
      spanFactList(span, details),
      el('dt', {}, 'Status'),
      el(
        'dd',
        { class: details.status.code === 'STATUS_CODE_ERROR' ? 'error' : '' },
        [details.status.code.replace('STATUS_CODE_', ''), details.status.message]
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
      button(
        'Go to Source',
        () => send({ type: 'goToSource', spanId: span.spanId }),
        true,
        'go-to-source',
      ),
    ),
    // A repeated id's assessments show under its first span only, as in the tree.
    spanAssessments,
    valueBlock('Inputs', inputs),
    // The tools offered to the model, when its inputs did not carry them.
    offeredTools(inputs, details.attributes['mlflow.chat.tools']),
    valueBlock('Outputs', outputs),
    attributesBlock(details, inputs, outputs),
    details.events.length > 0 ? eventsBlock(details) : null,
  );
}

/** The span's own facts: its id and type, the function traced, and its LLM call's metrics. */
function spanFactList(span: SpanSummary, details: SpanDetails): [string, string][] {
  const text = (key: string) => {
    const value = details.attributes[key];
    return typeof value === 'string' ? value : '';
  };
  const provider = text(SPAN_ATTRIBUTES.provider);
  const costs = parseCost(details.attributes[SPAN_ATTRIBUTES.cost]);
  const split = [
    costs?.input === undefined ? '' : `${formatCost(costs.input)} in`,
    costs?.output === undefined ? '' : `${formatCost(costs.output)} out`,
  ].filter(Boolean);
  return [
    ['Span', span.spanId],
    ['Type', span.spanType ?? '—'],
    ['Function', text(SPAN_ATTRIBUTES.functionName)],
    ['Duration', formatDuration(span.durationMs)],
    ['Model', [span.model ?? '', provider && `(${provider})`].filter(Boolean).join(' ')],
    ['Tokens', formatTokensLong(span.tokens)],
    [
      'Cost',
      span.cost === undefined
        ? ''
        : `${formatCost(span.cost)}${split.length > 0 ? ` (${split.join(' · ')})` : ''}`,
    ],
  ];
}

/**
 * The span's attributes but those shown elsewhere (inputs, outputs, type, model, tokens, cost,
 * tools) and MLflow's plumbing, with a toggle that shows them all (for every span since).
 */
function attributesBlock(
  details: SpanDetails,
  inputs: JsonValue | undefined,
  outputs: JsonValue | undefined,
): HTMLElement | null {
  // The inputs and outputs are not sent twice: put back for "all" as MLflow has them.
  const all: Record<string, JsonValue> = {
    ...(inputs === undefined ? {} : { [SPAN_ATTRIBUTES.inputs]: inputs }),
    ...(outputs === undefined ? {} : { [SPAN_ATTRIBUTES.outputs]: outputs }),
    ...details.attributes,
  };
  const keys = Object.keys(all);
  if (keys.length === 0) return null;
  const own = Object.fromEntries(
    Object.entries(all).filter(([key]) => !ATTRIBUTES_SHOWN_ELSEWHERE.has(key)),
  );
  const hidden = keys.length - Object.keys(own).length;
  const toggle = el('vscode-checkbox', {
    label: 'Show all attributes',
    'data-testid': 'all-attributes-toggle',
    checked: state.allAttributes,
  });
  toggle.addEventListener('change', () => {
    state.allAttributes = !state.allAttributes;
    const p = page;
    if (!p) return;
    const since = performance.now();
    showSelectedDetails(p);
    report('attributes', ['details'], since);
  });
  const shown = state.allAttributes ? all : own;
  const title = state.allAttributes
    ? `Attributes (${keys.length})`
    : `Attributes (${Object.keys(own).length}${hidden > 0 ? `, ${hidden} shown elsewhere` : ''})`;
  return section(
    'Attributes',
    title,
    ...(hidden > 0 ? [el('div', { class: 'attributes-toggle' }, toggle)] : []),
    Object.keys(shown).length > 0
      ? renderValue(shown, state.raw)
      : el('p', { class: 'muted' }, 'Every attribute is shown above.'),
  );
}

/** A section of the details, open unless the person closed it (for every span since). */
function valueBlock(title: string, value: JsonValue | undefined): HTMLElement | null {
  if (value === undefined) return null;
  return section(title, title, renderValue(value, state.raw));
}

function section(name: string, title: string, ...content: HTMLElement[]): HTMLElement {
  const block = el(
    'details',
    { class: 'value-block', 'data-block': name, open: !state.closedBlocks.has(name) },
    el('summary', {}, el('h4', {}, title)),
    ...content,
  );
  block.addEventListener('toggle', () => {
    if (block.open) state.closedBlocks.delete(name);
    else state.closedBlocks.add(name);
  });
  return block;
}

function eventsBlock(details: SpanDetails): HTMLElement {
  return section(
    'Events',
    `Events (${details.events.length})`,
    ...details.events.map((e) =>
      el(
        'details',
        {},
        el('summary', {}, `${e.name} at +${formatDuration(e.offsetMs)}`),
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

/** "In review queues": each queue's name and the trace's status there, as text. */
function queuesSection(shown: { queues: TraceQueue[]; message?: string } | undefined): HTMLElement {
  const section = el('section', {
    class: 'queues',
    'aria-label': 'Review queues',
    'data-testid': 'queues',
  });
  section.appendChild(
    el('h2', {}, shown ? `Review queues (${shown.queues.length})` : 'Review queues'),
  );
  if (!shown) section.appendChild(el('p', { class: 'muted' }, 'Loading…'));
  else if (shown.message) section.appendChild(el('p', { class: 'muted' }, shown.message));
  else if (shown.queues.length === 0)
    section.appendChild(el('p', { class: 'muted' }, 'In no review queue.'));
  else
    section.appendChild(
      el(
        'ul',
        { class: 'queue-list' },
        ...shown.queues.map((q) =>
          el(
            'li',
            { 'data-queue-id': q.queueId },
            el('strong', {}, q.name),
            ` · ${queueStatus(q)}`,
          ),
        ),
      ),
    );
  if (!shown?.message || shown.queues.length > 0)
    section.appendChild(
      el(
        'div',
        { class: 'actions' },
        button('Add to Review Queue…', () => send({ type: 'addToQueue' }), true, 'add-to-queue'),
      ),
    );
  return section;
}

function queueStatus(q: TraceQueue): string {
  if (!q.status) return 'status unknown (the item may just have been removed)';
  if (q.status === 'pending') return 'pending';
  return q.completedBy ? `${q.status} by ${q.completedBy}` : q.status;
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
  // Feedback shows under its name's heading; expectations share one: each card names its own.
  if (a.kind === 'expectation')
    line.appendChild(el('span', { class: 'assessment-name', 'data-testid': 'name' }, a.name));
  if (a.error) {
    const message = a.error.errorMessage ? `: ${a.error.errorMessage}` : '';
    line.appendChild(el('span', { class: 'error' }, `Error ${a.error.errorCode}${message}`));
  } else if (!structured) {
    // A structured expectation shows as a tree below instead.
    const text = typeof a.value === 'string' ? a.value : JSON.stringify(a.value);
    if (a.kind === 'expectation') line.append(': ');
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
        redrawAssessments('history');
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
  const keep = button('Keep', () => redrawAssessments('history'), true, 'keep');
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
