/**
 * The session panel: a session's turns in order, each with its request and response (a short
 * preview that expands), latency, tokens, cost and assessments, and the session-level
 * assessments above them. Everything from the traces goes into the DOM as text (dom.ts).
 * Which turns are expanded and the scroll position stay when a new version of the session comes
 * (an assessment written).
 */
import { sourceLabel } from '../src/shared/format';
import { assertNever, type AssessmentView } from '../src/shared/protocol/common';
import { SESSION_PROTOCOL, type SessionView, type TurnView } from '../src/shared/protocol/session';
import { append, button, clear, el, formatTime } from './dom';
import { formatCost, formatDuration, formatTokensLong } from '../src/shared/format';
import { channel, saveState } from './host';

export const sessionChannel = channel(SESSION_PROTOCOL);
const send = sessionChannel.send;

/** A request or response longer than this shows its start, with "Show all". */
const PREVIEW_CHARS = 280;

interface ViewState {
  /** Texts expanded, by trace id and part ("tr-…:request"). */
  expanded: Set<string>;
  /** Set while the extension reads another server: actions are off. */
  elsewhere: string | undefined;
  session: SessionView | undefined;
}

const state: ViewState = { expanded: new Set(), elsewhere: undefined, session: undefined };

export function runSession(root: HTMLElement): void {
  sessionChannel.onMessage((message) => {
    switch (message.type) {
      case 'session':
        saveState({
          experimentId: message.session.experimentId,
          sessionId: message.session.sessionId,
          server: message.server,
        });
        state.elsewhere = undefined;
        state.session = message.session;
        draw(root);
        return;
      case 'elsewhere':
        state.elsewhere = message.message;
        draw(root);
        return;
      case 'error':
        clear(root);
        root.appendChild(el('p', { class: 'error', role: 'alert' }, message.message));
        return;
      default:
        assertNever(message);
    }
  });
  send({ type: 'ready' });
}

function draw(root: HTMLElement): void {
  const session = state.session;
  const scroll = document.scrollingElement?.scrollTop ?? 0;
  clear(root);
  if (state.elsewhere)
    root.appendChild(el('p', { class: 'banner', role: 'status' }, state.elsewhere));
  if (!session) return;
  root.append(header(session), sessionAssessments(session), turnList(session));
  if (document.scrollingElement) document.scrollingElement.scrollTop = scroll;
}

function header(session: SessionView): HTMLElement {
  const facts = [
    `${session.turns.length}${session.complete ? '' : '+'} turn${session.turns.length === 1 ? '' : 's'}`,
    session.users.length > 0
      ? `user${session.users.length > 1 ? 's' : ''} ${session.users.join(', ')}`
      : '',
    session.totals.durationMs !== undefined
      ? `${formatDuration(session.totals.durationMs)} in all`
      : '',
    tokensText(session.totals.tokens),
    session.totals.cost !== undefined ? formatCost(session.totals.cost) : '',
  ].filter(Boolean);
  const acting = state.elsewhere === undefined;
  const actions = el(
    'div',
    { class: 'actions' },
    button('Rate Session…', () => send({ type: 'rateSession' }), false, 'rate-session'),
    button('Refresh', () => send({ type: 'refresh' }), true, 'refresh'),
  );
  if (!acting) for (const b of actions.children) b.setAttribute('disabled', '');
  return el(
    'header',
    { class: 'session-header' },
    el('h1', { 'data-testid': 'session-title' }, `Session ${session.label}`),
    session.label !== session.sessionId
      ? el('p', { class: 'muted monospace' }, session.sessionId)
      : null,
    el('p', { class: 'session-facts', 'data-testid': 'session-facts' }, facts.join(' · ')),
    session.complete
      ? null
      : el(
          'p',
          { class: 'banner' },
          `Showing the first ${session.turns.length} turns: the session has more.`,
        ),
    actions,
  );
}

function sessionAssessments(session: SessionView): HTMLElement {
  const section = el(
    'section',
    { class: 'session-assessments', 'aria-label': 'Session assessments' },
    el(
      'h2',
      {},
      `Session assessments (${session.sessionAssessments.filter((s) => s.assessment.valid).length})`,
    ),
  );
  if (session.sessionAssessments.length === 0) {
    section.appendChild(
      el(
        'p',
        { class: 'muted' },
        'None yet. A session-level rating is logged on the first turn, with the session in its metadata (as MLflow does).',
      ),
    );
  }
  const firstId = session.turns[0]?.traceId;
  for (const { traceId, assessment } of session.sessionAssessments) {
    const card = assessmentCard(assessment);
    if (traceId !== firstId) card.appendChild(el('p', { class: 'muted' }, `On trace ${traceId}`));
    section.appendChild(card);
  }
  return section;
}

function turnList(session: SessionView): HTMLElement {
  const list = el('ol', { class: 'turns', 'aria-label': 'Turns, oldest first' });
  session.turns.forEach((turn, i) => list.appendChild(turnItem(turn, i + 1)));
  return list;
}

function turnItem(turn: TurnView, number: number): HTMLElement {
  const facts = [
    formatTime(turn.requestTime),
    turn.durationMs !== undefined ? formatDuration(turn.durationMs) : '',
    tokensText(turn.tokens),
    turn.cost !== undefined ? formatCost(turn.cost) : '',
  ].filter(Boolean);
  const item = el(
    'li',
    { class: 'turn', 'data-trace-id': turn.traceId, 'aria-label': `Turn ${number}` },
    el(
      'div',
      { class: 'turn-head' },
      el('h3', {}, `Turn ${number}`),
      el(
        'vscode-badge',
        { class: `state ${turn.state === 'ERROR' ? 'state-error' : 'state-ok'}` },
        turn.state,
      ),
      el('span', { class: 'muted turn-facts', 'data-testid': 'turn-facts' }, facts.join(' · ')),
    ),
    textBlock(turn, 'request', 'Request'),
    textBlock(turn, 'response', 'Response'),
  );
  const own = turn.assessments.filter((a) => a.valid);
  if (own.length > 0) {
    const assessments = el('div', { class: 'turn-assessments' });
    for (const a of own) assessments.appendChild(assessmentCard(a));
    item.appendChild(assessments);
  }
  const actions = el(
    'div',
    { class: 'actions' },
    button('Open Turn', () => send({ type: 'openTurn', traceId: turn.traceId }), true, 'open-turn'),
    button(
      'Rate Turn…',
      () => send({ type: 'rateTurn', traceId: turn.traceId }),
      true,
      'rate-turn',
    ),
  );
  if (state.elsewhere !== undefined)
    for (const b of actions.children)
      if (b.getAttribute('data-testid') !== 'open-turn') b.setAttribute('disabled', '');
  item.appendChild(actions);
  return item;
}

/** A request or response: its start, and all of it on "Show all". */
function textBlock(
  turn: TurnView,
  part: 'request' | 'response',
  label: string,
): HTMLElement | null {
  const text = turn[part];
  if (text === undefined) return null;
  const key = `${turn.traceId}:${part}`;
  const long = text.length > PREVIEW_CHARS;
  const open = state.expanded.has(key);
  const block = el(
    'div',
    { class: `turn-text turn-${part}`, 'data-testid': part },
    el('span', { class: 'turn-label' }, label),
    el('p', { class: 'turn-body' }, long && !open ? `${text.slice(0, PREVIEW_CHARS)}…` : text),
  );
  if (long) {
    append(
      block,
      button(
        open ? 'Show less' : 'Show all',
        () => {
          if (open) state.expanded.delete(key);
          else state.expanded.add(key);
          const root = document.getElementById('app');
          if (root) draw(root);
        },
        true,
        'expand',
      ),
    );
  }
  return block;
}

function assessmentCard(a: AssessmentView): HTMLElement {
  const value = a.error
    ? `Error ${a.error.errorCode}${a.error.errorMessage ? `: ${a.error.errorMessage}` : ''}`
    : typeof a.value === 'string'
      ? a.value
      : JSON.stringify(a.value);
  const card = el(
    'article',
    {
      class: `assessment${a.valid ? '' : ' overridden'}`,
      'data-assessment-id': a.assessmentId,
      'aria-label': `${a.kind} ${a.name}`,
    },
    el(
      'div',
      { class: 'assessment-line' },
      el('span', { class: 'assessment-name' }, `${a.name}: `),
      el('span', { class: a.error ? 'error' : 'assessment-value', 'data-testid': 'value' }, value),
      el('span', { class: 'muted' }, ` · ${sourceLabel(a)} · ${formatTime(a.lastUpdateTime)}`),
    ),
  );
  if (a.rationale) card.appendChild(el('p', { class: 'rationale' }, a.rationale));
  return card;
}

/** The same counts as the trace panel's header shows, named as tokens in a line of facts. */
function tokensText(tokens: TurnView['tokens']): string {
  const counts = formatTokensLong(tokens);
  return counts && `${counts} tokens`;
}
