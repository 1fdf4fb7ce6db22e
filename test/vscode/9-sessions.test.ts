/**
 * Sessions in the real workbench: three turns of one conversation made by MLflow's Python SDK
 * (`mlflow.update_current_trace(metadata={"mlflow.trace.session": ...})`) are shown with their
 * session and user, grouped under a session row, filtered to with "This Session", viewed in
 * order in the session panel, and rated at session level through the feedback form; MLflow's
 * own APIs then see a session-level assessment that a `feedback.<name>` filter matches on all
 * three turns.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { SessionNode, TraceNode, TreeNode } from '../../src/tree/nodes';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWebview,
  panelTabs,
  rows,
  run,
  screenshot,
  setSetting,
  showView,
  waitFor,
} from './support/harness';

const EXPERIMENT = 'Sessions';
const SESSION = 'trip-lyon-1';
const USER = 'alice@example.com';
const REVIEWER = 'reviewer@example.com';
const QUESTIONS = ['Hi, I need a hotel in Lyon', 'For two nights', 'Book it'];

const field = (name: string) => `[data-field="${name}"] input, [data-field="${name}"] textarea`;

describe('sessions', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let turns: string[];
  let experimentId: string;

  before(async function () {
    this.timeout(120_000);
    api = await extensionApi();
    await showView();
    await setSetting('reviewer', REVIEWER);
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    const made = await sdk.call<{ trace_ids: string[]; experiment_id: string }>('create_session', {
      experiment: EXPERIMENT,
      session_id: SESSION,
      user: USER,
      questions: QUESTIONS,
    });
    turns = made.trace_ids;
    experimentId = made.experiment_id;
    await run('refresh');
    await waitFor('the connection again', () => api.connection.state.kind === 'connected');
  });
  after(async () => {
    sdk.close();
    await run('ungroupBySession');
    await run('clearFilter');
    await closeAllTabs();
  });

  async function experimentRow() {
    const found = await waitFor('the Sessions experiment', async () =>
      (await rows(api)).find((r) => r.label === EXPERIMENT),
    );
    return found.node;
  }

  it('shows a trace’s session and user in its row and its hover, as text', async () => {
    const traceRows = await rows(api, await experimentRow());
    const row = traceRows.find((r) => r.node.kind === 'trace' && r.node.traceId === turns[1]);
    assert.ok(row, 'the second turn is listed');
    assert.match(row.description, new RegExp(`session ${SESSION} · user ${USER}$`));
    assert.match(row.contextValue, /\binSession\b/);
    const item = api.tree.getTreeItem(row.node);
    const { tooltip } = api.tree.resolveTreeItem(item, row.node);
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.equal(tooltip.isTrusted, false);
    assert.match(tooltip.value, new RegExp(`Session \`${SESSION}\` · User \`${USER}\``));
  });

  it('groups the loaded traces by session: the session row, then its turns in order', async () => {
    await run('groupBySession');
    const experiment = await experimentRow();
    const grouped = await rows(api, experiment);
    // Every trace of the experiment is loaded: no note that only some are grouped.
    assert.ok(grouped.every((r) => r.node.kind !== 'message'));
    const session = grouped.find((r) => r.node.kind === 'session');
    assert.ok(session, grouped.map((r) => r.label).join(' | '));
    assert.equal(session.label, `Session ${SESSION}`);
    assert.match(session.description, new RegExp(`^3 turns · user ${USER} · `));
    // Its last activity ("2 min ago") is kept current as a trace row's age is.
    const redrawn: TreeNode[] = [];
    const listening = api.tree.onDidChangeTreeData((nodes) => {
      if (Array.isArray(nodes)) redrawn.push(...nodes);
    });
    try {
      api.tree.refreshAges(Date.now() + 10 * 60_000);
    } finally {
      listening.dispose();
    }
    assert.ok(redrawn.includes(session.node), 'the session row is redrawn as its age changes');
    const turnRows = await rows(api, session.node);
    assert.deepEqual(
      turnRows.map((r) => (r.node as TraceNode).traceId),
      turns,
      'oldest first',
    );
    // Under its session, a turn's row does not repeat the session.
    assert.doesNotMatch(turnRows[0]?.description ?? '', /session/);
    await api.view.reveal(turnRows[2]?.node as TreeNode, { select: true, focus: true });
    await waitFor('the last turn selected', () => api.view.selection[0] === turnRows[2]?.node);
    // Wide enough for the rows' descriptions, then back. (In code-server the side bar grows
    // with "decrease": the command sizes the editor part next to it.)
    for (let i = 0; i < 6; i++)
      await vscode.commands.executeCommand('workbench.action.decreaseViewWidth');
    await screenshot('sessions-grouped-tree');
    for (let i = 0; i < 6; i++)
      await vscode.commands.executeCommand('workbench.action.increaseViewWidth');
  });

  it('"This Session" filters the tree to the session’s turns; Clear Trace Filters undoes it', async () => {
    await run('ungroupBySession');
    await run('filterSession', { traceId: turns[1] });
    assert.equal(api.store.filter.session, SESSION);
    assert.equal(api.view.description, `Filtered: Session ${SESSION}`);
    const listed = await waitFor('only the session’s turns', async () => {
      const ids = (await rows(api, await experimentRow()))
        .filter((r) => r.node.kind === 'trace')
        .map((r) => (r.node as TraceNode).traceId);
      return ids.length === 3 ? ids : undefined;
    });
    assert.deepEqual([...listed].sort(), [...turns].sort());
    // Other experiments have none of its traces.
    const samples = (await rows(api)).find((r) => r.label === 'Sample apps');
    assert.ok(samples);
    assert.ok((await rows(api, samples.node)).every((r) => r.node.kind !== 'trace'));
    await run('clearFilter');
    assert.equal(api.store.filter.session, undefined);
  });

  it('shows the session’s turns in order, then rates the session through the feedback form', async function () {
    this.timeout(120_000);
    await run('groupBySession');
    const session = (await rows(api, await experimentRow())).find((r) => r.node.kind === 'session');
    assert.ok(session);
    // From the session's row, as its inline button does.
    await run('openSession', session.node as SessionNode);
    const [title, requests, responses, facts] = await inWebview(
      'session',
      { waitFor: true, selector: '.turn', hasText: 'Book it' },
      { text: true, selector: '[data-testid="session-title"]' },
      { text: true, selector: '.turn [data-testid="request"] .turn-body' },
      { text: true, selector: '.turn [data-testid="response"] .turn-body' },
      { text: true, selector: '[data-testid="session-facts"]' },
    );
    assert.deepEqual(title, [`Session ${SESSION}`]);
    assert.deepEqual(requests, QUESTIONS);
    assert.deepEqual(
      responses,
      QUESTIONS.map((q) => `Re: ${q}`),
    );
    assert.match(
      facts?.[0] ?? '',
      new RegExp(
        `^3 turns · user ${USER} · .* in all · 36 in · 15 out · 51 total tokens · \\$0\\.0066$`,
      ),
    );
    await screenshot('session-view');
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    await inWebview('session', { waitFor: true, selector: 'body.vscode-dark' });
    await screenshot('session-view-dark');
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', undefined, vscode.ConfigurationTarget.Global);

    // A turn opens in the trace panel.
    await inWebview('session', {
      click: true,
      selector: '.turn:nth-child(2) [data-testid="open-turn"]',
    });
    await waitFor('the turn in a trace panel', () => panelTabs('trace') === 1);

    // The trace panel of a turn opens its session (here the last turn's, with nothing else open).
    await closeAllTabs();
    await run('openTrace', { traceId: turns[2] });
    await inWebview(
      'trace',
      { waitFor: true, selector: 'header dd[data-fact="session"]', hasText: SESSION },
      { click: true, selector: '[data-testid="open-session"]' },
    );
    await waitFor('the session panel', () => panelTabs('session') === 1);

    // Rate the session: the one feedback form, for the session, logged on its first turn.
    await inWebview('session', { click: true, selector: '[data-testid="rate-session"]' });
    const [heading] = await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { text: true, selector: 'h1' },
      { fill: 'session_resolved', selector: field('name') },
      { fill: 'Booked in three turns', selector: field('rationale') },
      { click: true, selector: '[data-testid="submit"]' },
    );
    assert.match(heading?.[0] ?? '', new RegExp(`Session ${SESSION}`));
    const [shown] = await inWebview(
      'session',
      { waitFor: true, selector: '.session-assessments .assessment', hasText: 'session_resolved' },
      { text: true, selector: '.session-assessments .assessment' },
    );
    assert.match(shown?.[0] ?? '', /session_resolved: true · human reviewer@example.com/);
    await screenshot('session-view-rated');

    // As MLflow's own APIs see it: search_sessions' traces, the assessment on the first turn with
    // the session in its metadata, and a feedback filter that matches every turn.
    const back = await sdk.call<{
      trace_ids: string[];
      session_assessments: (PyAssessment & { trace_id: string })[];
      filter_matches: string[];
    }>('session_readback', {
      experiment_id: experimentId,
      session_id: SESSION,
      filter: "feedback.session_resolved = 'true'",
    });
    assert.deepEqual(back.trace_ids, turns);
    assert.equal(back.session_assessments.length, 1);
    const [assessment] = back.session_assessments;
    assert.equal(assessment?.trace_id, turns[0]);
    assert.equal(assessment?.metadata?.['mlflow.trace.session'], SESSION);
    assert.equal(assessment.source.source_id, REVIEWER);
    assert.equal(assessment.rationale, 'Booked in three turns');
    assert.deepEqual(back.filter_matches, [...turns].sort());
  });

  it('rates a turn with the quick flow, and the session with Rate Session (no prompts given a value)', async () => {
    const feedback = await run<{ metadata: Record<string, string>; traceId: string } | undefined>(
      'rateSession',
      { traceId: turns[2], name: 'session_quick', value: 4 },
    );
    assert.equal(feedback?.traceId, turns[0], 'on the first turn');
    assert.equal(feedback?.metadata['mlflow.trace.session'], SESSION);
    const turn = await run<{ traceId: string } | undefined>('logFeedback', {
      traceId: turns[1],
      name: 'turn_helpful',
      value: true,
    });
    assert.equal(turn?.traceId, turns[1]);
    await run('openSession', { traceId: turns[0] });
    const [sessionLevel, second] = await inWebview(
      'session',
      { waitFor: true, selector: '.turn .assessment', hasText: 'turn_helpful' },
      { text: true, selector: '.session-assessments .assessment .assessment-name' },
      { text: true, selector: '.turn:nth-child(2) .assessment .assessment-name' },
    );
    assert.deepEqual([...(sessionLevel ?? [])].sort(), ['session_quick: ', 'session_resolved: ']);
    assert.deepEqual(second, ['turn_helpful: ']);
  });
});
