/**
 * The hostile-content suite: one trace written through MLflow's own SDK with script tags,
 * `onerror`, `javascript:` URLs, markdown images and links, `command:` links, codicons, every
 * line terminator, bidi controls, `__proto__` keys, a 1 MB string and JSON nested 2 000 deep in
 * every place a trace carries text (python/interop.py, create_hostile_trace). It is shown through
 * the tree (labels, descriptions, hovers), the trace panel and the forms; none of it may run,
 * fetch, link or break the page.
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
  run,
  screenshot,
  securityCounts,
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

  it('shows it in the tree as text: no links, icons or trusted markdown', async () => {
    await api.store.pollExperiments();
    const experiment = (await api.store.experiments()).find((e) => e.name === 'Hostile content');
    assert.ok(experiment, 'the hostile experiment is listed');
    await api.store.ensureList(experiment);
    const traceRow = await waitFor('the hostile trace’s row', () =>
      api.tree.traceNode(hostile.trace_id),
    );
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
