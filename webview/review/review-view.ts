/**
 * The review panel's page: the queue's bar (progress, the item's status, its actions), the trace
 * (drawn by trace-view.ts, the trace panel's own code) and the queue's questions, each drawn from
 * its schema and answered from the keyboard:
 *
 * - the digits pick the focused question's options (1 = pass, 2 = fail; 0 is the tenth option),
 * - Tab and Shift+Tab move between questions, C goes to a question's comment box,
 * - `?` shows the keys; Escape hides them.
 *
 * Submit, decline, reopen and moving between items are VS Code commands with default keys
 * (package.json: Ctrl/Cmd+Enter, Ctrl/Cmd+D, Alt+R, Alt+N, Alt+PageDown/PageUp), so that they can
 * be rebound: the webview forwards its keys to the workbench, which runs the command, which asks
 * this page to act with the answers it holds. Answers are checked as typed; a failure keeps them.
 */
import { checkDraft, isAnswered } from '../../src/shared/review-answers';
import { assertNever } from '../../src/shared/protocol/common';
import {
  REVIEW_PROTOCOL,
  type AnswerDraft,
  type QuestionView,
  type ReviewAction,
  type ReviewToWebview,
} from '../../src/shared/protocol/review';
import { textLength } from '../../src/shared/label-validation';
import { append, button, clear, el } from '../dom';
import { channel, saveState } from '../host';
import {
  receiveDetails,
  setElsewhere,
  showQueues,
  showSourceCommit,
  showTrace,
  updateTrace,
} from '../trace-view';

type ItemMessage = Extract<ReviewToWebview, { type: 'item' }>;

export const reviewChannel = channel(REVIEW_PROTOCOL);
const send = reviewChannel.send;

/** The keys the page handles itself, and those VS Code binds (shown in the cheat sheet). */
const KEYS: [string, string][] = [
  ['1 … 9, 0', 'Pick an option of the focused question (pass/fail: 1 = pass, 2 = fail)'],
  ['Tab / Shift+Tab', 'Next / previous question'],
  ['C', 'The focused question’s comment box'],
  ['Ctrl+Enter (⌘Enter)', 'Submit and go to the next unreviewed item'],
  ['Ctrl+D (⌘D)', 'Decline the item and go to the next unreviewed one'],
  ['Alt+R', 'Reopen the item (back to pending)'],
  ['Alt+N', 'Next unreviewed item'],
  ['Alt+PageDown / Alt+PageUp', 'Next / previous item'],
  ['?', 'Show or hide these keys'],
];

interface Current {
  item: ItemMessage;
  questions: QuestionView[];
  drafts: Record<string, AnswerDraft>;
  problems: Map<string, string>;
}

interface Parts {
  bar: HTMLElement;
  status: HTMLElement;
  progress: HTMLElement;
  message: HTMLElement;
  trace: HTMLElement;
  questions: HTMLElement;
  keys: HTMLElement;
}

let parts: Parts | undefined;
let current: Current | undefined;
/** Unsaved answers by trace, kept while the reviewer moves between items. */
const unsaved = new Map<string, Record<string, AnswerDraft>>();
/** The action that will bring the next item, and when it was asked (for the draw time). */
let pendingAction: { cause: string; at: number } | undefined;
let busy = false;

export function runReview(root: HTMLElement): void {
  window.addEventListener('keydown', onKey);
  reviewChannel.onMessage((message, receivedAt) => {
    onMessage(root, message, receivedAt);
  });
  send({ type: 'ready' });
}

function onMessage(root: HTMLElement, message: ReviewToWebview, receivedAt: number): void {
  switch (message.type) {
    case 'item':
      showItem(root, message);
      return;
    case 'finished':
      showFinished(root, message);
      return;
    case 'questions': {
      if (!current || current.item.generation !== message.generation) return;
      current.questions = message.questions;
      drawQuestions();
      return;
    }
    case 'status': {
      if (!current || current.item.generation !== message.generation) return;
      current.item = {
        ...current.item,
        status: message.status,
        progress: message.progress,
      };
      delete current.item.completedBy;
      if (message.completedBy) current.item.completedBy = message.completedBy;
      setBusy(false);
      drawBar();
      say(`The item is ${message.status} again: answer and submit it.`, 'info');
      focusQuestion(focusedQuestionIndex() ?? 0);
      return;
    }
    case 'busy':
      setBusy(true);
      say(message.what, 'info');
      return;
    case 'failed':
      setBusy(false);
      pendingAction = undefined;
      if (current) {
        current.problems = new Map(message.problems.map((p) => [p.schemaId, p.message]));
        drawQuestions();
      }
      say(message.message, 'error');
      focusFirstProblem();
      return;
    case 'command':
      act(message.action);
      return;
    case 'error':
      setBusy(false);
      clear(root);
      parts = undefined;
      root.appendChild(el('p', { class: 'error', role: 'alert' }, message.message));
      return;
    // The trace view's messages: drawn into the trace's column.
    case 'trace':
      if (!parts || current?.item.traceId !== message.trace.traceId) return;
      showTrace(parts.trace, message.trace, message.details, receivedAt);
      reportDrawn(message.trace.traceId);
      return;
    case 'traceUpdate':
      updateTrace(message.trace, receivedAt);
      return;
    case 'spanDetails':
      receiveDetails(message.traceId, message.details, receivedAt);
      return;
    case 'elsewhere':
      if (parts) setElsewhere(parts.trace, { server: message.server, current: message.current });
      return;
    case 'sourceCommit':
      showSourceCommit(message.traceId, message.text);
      return;
    case 'queues':
      showQueues(message, receivedAt);
      return;
    default:
      assertNever(message);
  }
}

// ---- the page ---------------------------------------------------------------------------------

function layout(root: HTMLElement): Parts {
  if (parts && root.contains(parts.bar)) return parts;
  clear(root);
  const made: Parts = {
    bar: el('header', { class: 'review-bar', 'data-testid': 'review-bar' }),
    status: el('span', { class: 'review-status', 'data-testid': 'review-status' }),
    progress: el('span', { class: 'review-progress', 'data-testid': 'review-progress' }),
    message: el('p', { class: 'review-message', role: 'status', 'data-testid': 'review-message' }),
    trace: el('section', { class: 'review-trace', 'aria-label': 'Trace' }),
    questions: el('section', {
      class: 'review-questions',
      'aria-label': 'Questions',
      'data-testid': 'review-questions',
    }),
    keys: keySheet(),
  };
  append(
    root,
    made.bar,
    made.message,
    el('div', { class: 'review-body' }, made.trace, made.questions),
    made.keys,
  );
  parts = made;
  return made;
}

function showItem(root: HTMLElement, item: ItemMessage): void {
  const previous = current;
  // What was submitted or declined is saved: its drafts go.
  const saved = pendingAction?.cause === 'submit' || pendingAction?.cause === 'decline';
  if (previous && saved && previous.item.traceId !== item.traceId)
    unsaved.delete(previous.item.traceId);
  else if (previous) unsaved.set(previous.item.traceId, previous.drafts);
  const kept = unsaved.get(item.traceId);
  current = {
    item,
    questions: item.questions,
    drafts: structuredClone(kept ?? item.prefill),
    problems: new Map(),
  };
  saveState({ queueId: item.queue.queueId, traceId: item.traceId, server: item.server });
  const p = layout(root);
  setBusy(false);
  drawBar();
  say(item.notice ?? '', item.notice ? 'info' : 'none');
  clear(p.trace);
  p.trace.appendChild(el('p', { class: 'loading' }, 'Loading the trace…'));
  drawQuestions();
  focusQuestion(0);
}

function showFinished(root: HTMLElement, message: Extract<ReviewToWebview, { type: 'finished' }>) {
  if (current && (pendingAction?.cause === 'submit' || pendingAction?.cause === 'decline'))
    unsaved.delete(current.item.traceId);
  current = undefined;
  saveState({ queueId: message.queue.queueId, server: message.server });
  setBusy(false);
  clear(root);
  parts = undefined;
  const { total, reviewed } = message.progress;
  const done = el(
    'section',
    { class: 'review-finished', 'data-testid': 'review-finished', tabindex: '-1' },
    el('h2', {}, message.queue.name),
    el(
      'p',
      {},
      total === 0
        ? 'This queue has no items yet: add traces to it with "Add to Review Queue…".'
        : `All items in this queue have been reviewed! ${reviewed} of ${total} reviewed.`,
    ),
    el(
      'div',
      { class: 'review-actions' },
      total > 0
        ? button(
            'Back to the First Item',
            () => {
              send({ type: 'act', generation: -1, traceId: '', action: 'first' });
            },
            false,
            'review-first',
          )
        : null,
      button(
        'Open in MLflow Review',
        () => {
          send({ type: 'openInMlflow' });
        },
        true,
      ),
    ),
  );
  root.appendChild(done);
  done.focus();
  reportDrawn(undefined);
}

function drawBar(): void {
  const p = parts;
  const c = current;
  if (!p || !c) return;
  const { item } = c;
  const { total, reviewed } = item.progress;
  p.progress.textContent = `Item ${item.position + 1} of ${total} · ${reviewed} of ${total} reviewed`;
  p.status.textContent =
    item.status === 'pending'
      ? 'pending'
      : `${item.status}${item.completedBy ? ` by ${item.completedBy}` : ''}`;
  p.status.dataset.status = item.status;
  clear(p.bar);
  append(
    p.bar,
    el('strong', { class: 'review-queue-name' }, item.queue.name),
    p.progress,
    p.status,
    el('span', { class: 'review-reviewer' }, `as ${item.reviewer}`),
    el(
      'span',
      { class: 'review-actions' },
      button('Submit', () => act('submit'), false, 'review-submit'),
      item.status === 'pending'
        ? button('Decline', () => act('decline'), true, 'review-decline')
        : button('Reopen', () => act('reopen'), true, 'review-reopen'),
      button('Previous', () => act('previous'), true, 'review-previous'),
      button('Next', () => act('next'), true, 'review-next'),
      button('Next Unreviewed', () => act('nextUnreviewed'), true, 'review-next-unreviewed'),
      button(
        'Open in MLflow Review',
        () => {
          send({ type: 'openInMlflow' });
        },
        true,
        'review-open-mlflow',
      ),
      button('Keys (?)', () => toggleKeys(), true, 'review-keys'),
    ),
  );
}

function say(text: string, kind: 'info' | 'error' | 'none'): void {
  const p = parts;
  if (!p) return;
  p.message.textContent = text;
  p.message.className = `review-message ${kind}`;
  p.message.setAttribute('role', kind === 'error' ? 'alert' : 'status');
}

function setBusy(on: boolean): void {
  busy = on;
  document.body.classList.toggle('busy', on);
}

function keySheet(): HTMLElement {
  const sheet = el(
    'aside',
    { class: 'review-keys', 'data-testid': 'review-cheat-sheet', tabindex: '-1' },
    el('h2', {}, 'Keys'),
    el(
      'dl',
      {},
      ...KEYS.flatMap(([key, what]) => [el('dt', {}, el('kbd', {}, key)), el('dd', {}, what)]),
    ),
    el(
      'p',
      { class: 'hint' },
      'Escape closes this. The keys are VS Code keybindings: rebind them in Keyboard Shortcuts ("MLflow: Review").',
    ),
  );
  sheet.hidden = true;
  return sheet;
}

function toggleKeys(show?: boolean): void {
  const sheet = parts?.keys;
  if (!sheet) return;
  sheet.hidden = show === undefined ? !sheet.hidden : !show;
}

// ---- the questions ----------------------------------------------------------------------------

function drawQuestions(): void {
  const p = parts;
  const c = current;
  if (!p || !c) return;
  const focused = focusedQuestionIndex();
  clear(p.questions);
  if (c.questions.length === 0)
    p.questions.appendChild(
      el(
        'p',
        { class: 'hint' },
        'This queue asks no questions: submit completes the item, or define questions (label schemas) in MLflow.',
      ),
    );
  c.questions.forEach((q, index) => {
    p.questions.appendChild(questionBlock(c, q, index));
  });
  if (focused !== undefined) focusQuestion(focused);
}

function questionBlock(c: Current, q: QuestionView, index: number): HTMLElement {
  const draft = (c.drafts[q.schemaId] ??= {});
  const problem = c.problems.get(q.schemaId) ?? liveProblem(q, draft);
  const choice = q.input.type === 'passFail' || q.input.type === 'categorical';
  const block = el(
    'div',
    {
      class: `question${problem ? ' invalid' : ''}`,
      'data-question': String(index),
      'data-schema-id': q.schemaId,
      'data-testid': `question-${q.name}`,
      role: choice
        ? q.input.type === 'categorical' && q.input.multiSelect
          ? 'group'
          : 'radiogroup'
        : 'group',
      'aria-label': q.name,
      tabindex: choice ? '0' : undefined,
    },
    el(
      'div',
      { class: 'question-head' },
      el('span', { class: 'question-name' }, q.name),
      el('span', { class: 'question-kind' }, kindLabel(q)),
    ),
    q.instruction ? el('p', { class: 'question-instruction' }, q.instruction) : null,
    answerInput(c, q, draft),
    el('p', { class: 'error question-problem', 'data-testid': 'question-problem' }, problem ?? ''),
    q.enableComment ? commentBox(q, draft) : null,
  );
  return block;
}

function kindLabel(q: QuestionView): string {
  const input = q.input;
  const what =
    input.type === 'passFail'
      ? 'pass/fail'
      : input.type === 'categorical'
        ? input.multiSelect
          ? 'pick any'
          : 'pick one'
        : input.type === 'numeric'
          ? `number${rangeText(input.minValue, input.maxValue)}`
          : input.type === 'text'
            ? `text${input.maxLength !== undefined ? `, at most ${input.maxLength} characters` : ''}`
            : 'not supported here';
  return `${what} · ${q.kind}`;
}

function rangeText(min: number | undefined, max: number | undefined): string {
  if (min !== undefined && max !== undefined) return ` from ${min} to ${max}`;
  if (min !== undefined) return ` of at least ${min}`;
  if (max !== undefined) return ` of at most ${max}`;
  return '';
}

/** A message for what is typed, as it is typed (a choice cannot be wrong). */
function liveProblem(q: QuestionView, draft: AnswerDraft): string | undefined {
  if (q.input.type !== 'numeric' && q.input.type !== 'text') return undefined;
  if (!isAnswered(draft)) return undefined;
  const checked = checkDraft(q.input, draft);
  return checked.ok ? undefined : checked.message;
}

function choices(q: QuestionView): { label: string; value: boolean | string }[] {
  if (q.input.type === 'passFail')
    return [
      { label: q.input.positiveLabel, value: true },
      { label: q.input.negativeLabel, value: false },
    ];
  if (q.input.type === 'categorical') return q.input.options.map((o) => ({ label: o, value: o }));
  return [];
}

function isPicked(draft: AnswerDraft, value: boolean | string): boolean {
  return Array.isArray(draft.value) ? draft.value.includes(value as string) : draft.value === value;
}

function answerInput(c: Current, q: QuestionView, draft: AnswerDraft): HTMLElement {
  const input = q.input;
  switch (input.type) {
    case 'passFail':
    case 'categorical': {
      const row = el('div', { class: 'choices' });
      choices(q).forEach((choice, i) => {
        const picked = isPicked(draft, choice.value);
        const b = el(
          'button',
          {
            type: 'button',
            class: `choice${picked ? ' picked' : ''}`,
            'aria-pressed': picked ? 'true' : 'false',
            tabindex: '-1',
            'data-testid': `choice-${String(choice.value)}`,
          },
          el('kbd', {}, i < 9 ? String(i + 1) : i === 9 ? '0' : ''),
          ` ${choice.label}`,
        );
        b.addEventListener('click', () => {
          pickChoice(q, i);
        });
        row.appendChild(b);
      });
      return row;
    }
    case 'numeric': {
      const field = el('input', {
        type: 'text',
        class: 'answer-number',
        'aria-label': `${q.name}${rangeText(input.minValue, input.maxValue)}`,
        placeholder: `a number${rangeText(input.minValue, input.maxValue)}`,
        'data-answer': 'true',
      });
      field.inputMode = 'decimal';
      field.value = draft.text ?? '';
      field.addEventListener('input', () => {
        setText(c, q, field.value);
      });
      return field;
    }
    case 'text': {
      const area = el('textarea', {
        class: 'answer-text',
        'aria-label': q.name,
        'data-answer': 'true',
      });
      area.value = draft.text ?? '';
      const counter = el('span', { class: 'counter' }, counterText(area.value, input.maxLength));
      area.addEventListener('input', () => {
        setText(c, q, area.value);
        counter.textContent = counterText(area.value, input.maxLength);
      });
      return el('div', { class: 'text-answer' }, area, counter);
    }
    case 'unsupported':
      return el(
        'p',
        { class: 'hint' },
        `This kind of question ("${input.variant}") cannot be answered here: answer it in MLflow's Review tab.`,
      );
    default:
      return assertNever(input);
  }
}

function counterText(text: string, max: number | undefined): string {
  const n = textLength(text);
  return max === undefined ? `${n} characters` : `${n} / ${max}`;
}

function commentBox(q: QuestionView, draft: AnswerDraft): HTMLElement {
  const area = el('textarea', {
    class: 'comment',
    'aria-label': `Comment on ${q.name}`,
    placeholder: 'Comment (optional; logged as the rationale)',
    'data-comment': 'true',
  });
  area.value = draft.comment ?? '';
  area.addEventListener('input', () => {
    const d = current?.drafts[q.schemaId];
    if (d) d.comment = area.value;
  });
  return area;
}

/** What was typed, kept and checked at once (the message updates in place, focus stays). */
function setText(c: Current, q: QuestionView, text: string): void {
  const draft = (c.drafts[q.schemaId] ??= {});
  draft.text = text;
  c.problems.delete(q.schemaId);
  const block = questionElement(c.questions.indexOf(q));
  const problem = liveProblem(q, draft);
  block?.classList.toggle('invalid', problem !== undefined);
  const line = block?.querySelector('.question-problem');
  if (line) line.textContent = problem ?? '';
}

function pickChoice(q: QuestionView, index: number): void {
  const c = current;
  if (!c || busy) return;
  const choice = choices(q)[index];
  if (!choice) return;
  const draft = (c.drafts[q.schemaId] ??= {});
  if (q.input.type === 'categorical' && q.input.multiSelect) {
    const picked = Array.isArray(draft.value) ? draft.value : [];
    const option = choice.value as string;
    draft.value = picked.includes(option)
      ? picked.filter((o) => o !== option)
      : [...picked, option];
  } else draft.value = choice.value;
  c.problems.delete(q.schemaId);
  const at = c.questions.indexOf(q);
  const old = questionElement(at);
  if (old) {
    const fresh = questionBlock(c, q, at);
    const hadFocus = old.contains(document.activeElement);
    old.replaceWith(fresh);
    if (hadFocus || document.activeElement === document.body) fresh.focus();
  }
}

// ---- focus and keys ---------------------------------------------------------------------------

function questionElement(index: number): HTMLElement | null {
  return parts?.questions.querySelector<HTMLElement>(`[data-question="${index}"]`) ?? null;
}

function focusedQuestionIndex(): number | undefined {
  const active = document.activeElement;
  const block =
    active instanceof HTMLElement ? active.closest<HTMLElement>('[data-question]') : null;
  return block ? Number(block.dataset.question) : undefined;
}

/** A question's own place for the keys: its answer field, or the question (choices). */
function focusQuestion(index: number): void {
  const block = questionElement(index);
  if (!block) return;
  const field = block.querySelector<HTMLElement>('[data-answer]');
  (field ?? block).focus();
}

function focusFirstProblem(): void {
  const c = current;
  if (!c) return;
  const index = c.questions.findIndex((q) => c.problems.has(q.schemaId));
  if (index >= 0) focusQuestion(index);
}

function onKey(event: KeyboardEvent): void {
  const sheet = parts?.keys;
  if (event.key === 'Escape' && sheet && !sheet.hidden) {
    event.preventDefault();
    toggleKeys(false);
    return;
  }
  // Bound in VS Code (it receives the key too): only the browser's own meaning is stopped.
  if ((event.ctrlKey || event.metaKey) && (event.key === 'd' || event.key === 'D')) {
    event.preventDefault();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target instanceof HTMLElement ? event.target : undefined;
  const typing = target?.matches('input, textarea') ?? false;
  const c = current;
  if (event.key === 'Tab' && c && c.questions.length > 0) {
    const at = focusedQuestionIndex();
    const inQuestions = at !== undefined || target === document.body || !target;
    if (!inQuestions) return;
    event.preventDefault();
    const n = c.questions.length;
    const from = at ?? (event.shiftKey ? 0 : -1);
    focusQuestion((from + (event.shiftKey ? n - 1 : 1)) % n);
    return;
  }
  if (typing) return;
  if (event.key === '?') {
    event.preventDefault();
    toggleKeys();
    return;
  }
  const at = focusedQuestionIndex();
  if (!c || at === undefined) return;
  const q = c.questions[at];
  if (!q) return;
  if (/^[0-9]$/.test(event.key)) {
    event.preventDefault();
    const index = event.key === '0' ? 9 : Number(event.key) - 1;
    pickChoice(q, index);
    return;
  }
  if ((event.key === 'c' || event.key === 'C') && q.enableComment) {
    event.preventDefault();
    questionElement(at)?.querySelector<HTMLElement>('[data-comment]')?.focus();
  }
}

/** An action asked by a key (through its VS Code command) or a button. */
function act(action: ReviewAction): void {
  if (action === 'help') {
    toggleKeys();
    return;
  }
  const c = current;
  if (busy) return;
  if (!c) {
    // The finish state: moving goes back to the queue's first item.
    if (
      action === 'next' ||
      action === 'previous' ||
      action === 'nextUnreviewed' ||
      action === 'reopen'
    )
      send({ type: 'act', generation: -1, traceId: '', action: 'first' });
    return;
  }
  const { generation, traceId } = c.item;
  if (action === 'submit') {
    // Checked here first: a problem is shown at once, nothing is sent.
    const problems = new Map<string, string>();
    for (const q of c.questions) {
      const draft = c.drafts[q.schemaId];
      if (!isAnswered(draft) || !draft) continue;
      const checked = checkDraft(q.input, draft);
      if (!checked.ok) problems.set(q.schemaId, checked.message);
    }
    if (problems.size > 0) {
      c.problems = problems;
      drawQuestions();
      say('Some answers do not fit their questions: fix them, then submit again.', 'error');
      focusFirstProblem();
      return;
    }
    pendingAction = { cause: 'submit', at: performance.now() };
    send({ type: 'submit', generation, traceId, answers: answered(c) });
    return;
  }
  pendingAction = { cause: action, at: performance.now() };
  send({ type: 'act', generation, traceId, action });
}

function answered(c: Current): Record<string, AnswerDraft> {
  const out: Record<string, AnswerDraft> = {};
  for (const [id, draft] of Object.entries(c.drafts)) if (isAnswered(draft)) out[id] = draft;
  return out;
}

/** Tells the host an item was drawn, and how long since the action that brought it. */
function reportDrawn(traceId: string | undefined): void {
  const action = pendingAction;
  pendingAction = undefined;
  requestAnimationFrame(() => {
    // Also on the page, for the end-to-end test to read (it cannot reach the extension host).
    if (action && action.cause !== 'open') {
      const ms = performance.now() - action.at;
      document.body.dataset.drawTimes = [document.body.dataset.drawTimes, ms.toFixed(1)]
        .filter(Boolean)
        .join(',');
    }
    send({
      type: 'itemDrawn',
      traceId: traceId ?? '',
      cause: action?.cause ?? 'open',
      ...(action ? { ms: performance.now() - action.at } : {}),
    });
  });
}
