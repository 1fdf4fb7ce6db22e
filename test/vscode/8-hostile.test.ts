/**
 * The hostile-content suite: one trace written through MLflow's own SDK with script tags,
 * `onerror`, `javascript:` URLs, markdown images and links, `command:` links, codicons, every
 * line terminator, bidi controls, `__proto__` keys, a 1 MB string and JSON nested 2 000 deep in
 * every place a trace carries text (python/interop.py, create_hostile_trace). It is shown through
 * the tree (labels, descriptions, hovers), quick picks, notifications, the status bar,
 * the trace panel and the forms; none of it may run, fetch, link or break the page.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { asTraceId } from '../../src/mlflow/ids';
import type { TreeNode } from '../../src/tree/nodes';
import { FaultProxy } from '../support/fault-proxy';
import { PythonSdk } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWebview,
  inWorkbench,
  keys,
  run,
  screenshot,
  securityCounts,
  type Shown,
  showView,
  waitFor,
} from './support/harness';

interface Hostile {
  trace_id: string;
  corpus: Record<string, string>;
}

const field = (name: string) => `[data-field="${name}"] input, [data-field="${name}"] textarea`;

describe('hostile trace content', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let hostile: Hostile;
  let baseline: Awaited<ReturnType<typeof securityCounts>>;

  before(async () => {
    api = await extensionApi();
    await showView();
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    hostile = await sdk.call<Hostile>('create_hostile_trace', {});
    baseline = await securityCounts();
  });
  after(async () => {
    sdk.close();
    await closeAllTabs();
  });
  // One trace panel at a time: the browser side finds the visible one.
  beforeEach(closeAllTabs);

  /** Nothing ran, nothing was fetched from elsewhere, since the suite began. */
  async function assertNothingRan(): Promise<void> {
    const now = await securityCounts();
    assert.equal(now.dialogs, baseline.dialogs, 'no alert or confirm opened');
    assert.equal(now.cspViolations, baseline.cspViolations, 'no script was refused by the CSP');
    assert.deepEqual(
      now.externalRequests,
      baseline.externalRequests,
      'nothing fetched from outside',
    );
  }

  /** What the workbench shows holds no link, image or icon that came from the trace. */
  function assertInert(shown: Shown[], where: string): void {
    assert.ok(shown.length > 0, `${where}: shown`);
    for (const element of shown) {
      assert.deepEqual(element.links, [], `${where}: a link in "${element.text}"`);
      assert.equal(element.images, 0, `${where}: an image in "${element.text}"`);
      assert.ok(!element.codicons.includes('codicon-zap'), `${where}: $(zap) became an icon`);
      assert.doesNotMatch(element.text, /[\u202a-\u202e\u2066-\u2069]/, `${where}: a bidi control`);
    }
  }

  /** The text of a list of shown elements, zero-width spaces (which plain() adds) removed. */
  const textOf = (shown: Shown[]) => shown.map((e) => e.text.replace(/\u200b/g, '')).join('\n');

  it('shows it in the tree as text: no links, icons or trusted markdown', async () => {
    await api.store.pollExperiments();
    const experiment = (await api.store.experiments()).find((e) => e.name === 'Hostile content');
    assert.ok(experiment, 'the hostile experiment is listed');
    await api.store.ensureList(experiment);
    await waitFor('the hostile trace’s row', () => api.tree.traceNode(hostile.trace_id));
    // A background poll may have listed the trace before before() logged its assessments: the
    // tree shows the server's trace as it is now, as Refresh would.
    const traceRow = await waitFor('the hostile trace with its assessments', async () => {
      const trace = await api.store.refreshTrace(asTraceId(hostile.trace_id));
      return trace.assessments.length > 0 ? api.tree.traceNode(hostile.trace_id) : undefined;
    });
    const rows: TreeNode[] = [traceRow];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (row && row.kind !== 'assessment') rows.push(...(await api.tree.getChildren(row)));
    }
    assert.ok(rows.some((r) => r.kind === 'assessment') && rows.some((r) => r.kind === 'span'));
    for (const row of rows) {
      const item = api.tree.resolveTreeItem(api.tree.getTreeItem(row), row);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const texts = [label, typeof item.description === 'string' ? item.description : ''];
      for (const text of texts) {
        assert.doesNotMatch(text, /\]\(|\$\(/, `a link or icon in "${text}"`);
        assert.doesNotMatch(text, /[\u202a-\u202e\u2066-\u2069]/, `a bidi control in "${text}"`);
      }
      if (item.tooltip instanceof vscode.MarkdownString) {
        assert.ok(!item.tooltip.isTrusted, 'a hover never runs commands');
        assert.ok(!item.tooltip.supportHtml, 'a hover never renders HTML');
        assert.doesNotMatch(item.tooltip.value, /[\r\u2028\u2029\u0085]/, 'one kind of line end');
      }
    }
    await screenshot('hostile-tree');
  });

  it('lists it in quick picks as text: the trace, its assessments and their names', async () => {
    const experiment = (await api.store.experiments()).find((e) => e.name === 'Hostile content');
    const experimentRow = experiment && api.tree.experimentNode(experiment.experimentId);
    assert.ok(experimentRow);
    // With no trace selected, a command asks which trace.
    await api.view.reveal(experimentRow, { select: true, focus: true });
    const copying = run<string | undefined>('copyTraceId');
    const [traces] = await inWorkbench(
      { waitFor: '.quick-input-widget .monaco-list-row', hasText: 'hostile' },
      { inspect: '.quick-input-widget .monaco-list-row' },
      { press: 'Escape' },
    );
    assert.equal(await copying, undefined);
    assertInert(traces ?? [], 'the trace pick');
    assert.match(textOf(traces ?? []), /hostile <script>window\.__mtrPwned/);
    assert.match(textOf(traces ?? []), /⟪U\+202E⟫eslaf/);

    // The trace selected: its assessments (names, values, sources), then the names to reuse.
    const traceRow = api.tree.traceNode(hostile.trace_id);
    assert.ok(traceRow);
    await api.view.reveal(traceRow, { select: true, focus: true });
    const editing = run('editAssessment');
    const [assessments] = await inWorkbench(
      { waitFor: '.quick-input-widget .monaco-list-row', hasText: 'failed judge' },
      { inspect: '.quick-input-widget .monaco-list-row' },
      { press: 'Escape' },
    );
    await editing;
    assertInert(assessments ?? [], 'the assessment pick');
    assert.match(textOf(assessments ?? []), /name !\[pixel\]\(https:\/\/tracker/);
    assert.match(textOf(assessments ?? []), /\[reload\]\(command:/, 'the judge, as text');

    const logging = run('logFeedback');
    const [names, title] = await inWorkbench(
      // The name pick's own title first: the assessment pick before it also lists 'name …' rows.
      { waitFor: '.quick-input-widget .quick-input-title', hasText: 'Log Feedback (1/4)' },
      { waitFor: '.quick-input-widget .monaco-list-row', hasText: 'name ' },
      { inspect: '.quick-input-widget .monaco-list-row' },
      { inspect: '.quick-input-widget .quick-input-title' },
    );
    await screenshot('hostile-quick-pick');
    await keys({ press: 'Escape' });
    await logging;
    assertInert(names ?? [], 'the name pick');
    assertInert(title ?? [], 'the pick’s title');
    assert.match(textOf(title ?? []), /hostile <script>/, 'the trace’s name, as text');
    await assertNothingRan();
  });

  it('shows the server’s own hostile words as text in a notification', async () => {
    const corpus = Object.values(hostile.corpus).join(' ');
    const [feedback] = (await api.store.getTrace(asTraceId(hostile.trace_id))).assessments;
    assert.ok(feedback);
    const proxy = await FaultProxy.start(env('MLFLOW_TRACKING_URI'));
    try {
      await run('selectServer', proxy.url);
      await waitFor('connected through the proxy', () => api.connection.state.kind === 'connected');
      proxy.set({
        match: /\/traces\/tr-/,
        fault: {
          kind: 'status',
          status: 400,
          body: JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: corpus }),
          headers: { 'content-type': 'application/json' },
        },
      });
      await run('editAssessment', {
        traceId: hostile.trace_id,
        assessmentId: feedback.assessmentId,
      }).then(
        () => undefined,
        () => undefined,
      );
      // In the notification centre: a toast waits for the window to have the focus, which a
      // headless browser's page may never get.
      await vscode.commands.executeCommand('notifications.showList');
      const [toast] = await inWorkbench(
        { waitFor: '.notifications-center .notification-list-item', hasText: 'The server said' },
        {
          inspect:
            '.notifications-center .notification-list-item-message:has-text("The server said")',
        },
      );
      await screenshot('hostile-notification');
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('notifications.hideList');
      assertInert(toast ?? [], 'the notification');
      assert.match(textOf(toast ?? []), /\[reload\]\(command:workbench\.action\.reloadWindow\)/);
      assert.match(textOf(toast ?? []), /<img src=x onerror=/);
      await assertNothingRan();
    } finally {
      proxy.set();
      await run('selectServer', env('MLFLOW_TRACKING_URI'));
      await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
      await proxy.close();
    }
  });

  it('confirms a write in the status bar with the name as text', async () => {
    const name = `logged ${hostile.corpus.command_link ?? ''}`;
    await run('logFeedback', { traceId: hostile.trace_id, name, value: true });
    const [status] = await inWorkbench(
      { waitFor: '.statusbar-item', hasText: 'Logged feedback' },
      { inspect: '.statusbar-item:has-text("Logged feedback")' },
    );
    assertInert(status ?? [], 'the status bar');
    assert.ok(status?.[0]?.codicons.includes('codicon-check'), 'our own icon stays an icon');
    assert.match(
      textOf(status ?? []),
      /\[reload\]\(command:workbench\.action\.reloadWindow\) \$\(zap\)/,
    );
  });

  it('draws the trace panel with every value as text, and runs none of it', async () => {
    await run('openTrace', { traceId: hostile.trace_id });
    const [title, response, pwned] = await inWebview(
      'trace',
      { waitFor: true, selector: 'h1', hasText: 'hostile' },
      { text: true, selector: 'h1' },
      { text: true, selector: '[data-testid="response"]' },
      { global: '__mtrPwned' },
    );
    assert.match(title?.[0] ?? '', /<script>window\.__mtrPwned/);
    assert.match(title?.[0] ?? '', /⟪U\+202E⟫eslaf/, 'the bidi control is shown, not obeyed');
    assert.match(response?.[0] ?? '', /<img src=x onerror=/);
    assert.deepEqual(pwned, ['undefined']);
    // The span with the 1 MB input draws too.
    const [details] = await inWebview(
      'trace',
      { click: true, selector: '.span-row:has-text("span ")' },
      { waitFor: true, selector: '[data-testid="span-details"] h3', hasText: 'span' },
      { text: true, selector: '[data-testid="span-details"] h3' },
    );
    assert.match(details?.[0] ?? '', /!\[pixel\]\(https:\/\/tracker/);
    await screenshot('hostile-panel');
    await assertNothingRan();
  });

  it('draws a span whose outputs are JSON nested 2 000 deep, as a server could send', async () => {
    // MLflow cannot store such a span (see create_hostile_trace): it goes into the real
    // server's answer on the way, through a proxy.
    let deep: unknown = [];
    for (let i = 0; i < 2000; i++) deep = [deep];
    const proxy = await FaultProxy.start(env('MLFLOW_TRACKING_URI'));
    proxy.set({
      match: /get-trace-artifact/,
      fault: {
        kind: 'transform',
        change: (json) => {
          const data = json as { spans: { name: string; attributes: Record<string, unknown> }[] };
          for (const span of data.spans)
            if (span.name.startsWith('span '))
              span.attributes['mlflow.spanOutputs'] = JSON.stringify(deep);
          return data;
        },
      },
    });
    try {
      await run('selectServer', proxy.url);
      await waitFor('connected through the proxy', () => api.connection.state.kind === 'connected');
      await run('openTrace', { traceId: hostile.trace_id });
      const [outputs] = await inWebview(
        'trace',
        { waitFor: true, selector: '.span-row', hasText: 'span ' },
        { click: true, selector: '.span-row:has-text("span ")' },
        { waitFor: true, selector: '[data-testid="span-details"] h3', hasText: 'span' },
        { text: true, selector: '[data-testid="span-details"]' },
      );
      assert.match(outputs?.[0] ?? '', /Outputs/);
      assert.ok(proxy.seen.some((r) => r.path.includes('get-trace-artifact')));
      await screenshot('hostile-deep-json');
      await assertNothingRan();
    } finally {
      await run('selectServer', env('MLFLOW_TRACKING_URI'));
      await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
      await proxy.close();
    }
  });

  it('opens its assessments in the forms as text, and runs none of it', async () => {
    const [feedback] = (await api.store.getTrace(asTraceId(hostile.trace_id))).assessments.filter(
      (a) => a.kind === 'feedback' && a.name.startsWith('name '),
    );
    assert.ok(feedback);
    await run('openAssessmentForm', {
      traceId: hostile.trace_id,
      assessmentId: feedback.assessmentId,
      mode: 'edit',
    });
    const [name, pwned] = await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { value: true, selector: field('name') },
      { global: '__mtrPwned' },
    );
    assert.deepEqual(name, [feedback.name], 'the name, exactly as stored');
    assert.deepEqual(pwned, ['undefined']);
    await assertNothingRan();
  });
});
