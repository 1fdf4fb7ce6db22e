/** The tree against the seeded server: experiments, traces, assessments, spans, paging, filters. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { TraceNode, TreeNode } from '../../src/tree/nodes';
import { PythonSdk } from '../support/python-sdk';
import {
  env,
  extensionApi,
  rows,
  keys,
  screenshot,
  seed,
  setSetting,
  showView,
  waitFor,
} from './support/harness';

describe('the trace tree', () => {
  let api: ExtensionApi;
  const { traces, experiments } = seed();
  let checksAfterActivation = -1;

  before(async () => {
    api = await extensionApi();
    checksAfterActivation = api.connection.checks;
    await showView();
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
  });

  async function experimentRow(name: string) {
    const roots = await rows(api);
    const row = roots.find((r) => r.label === name);
    assert.ok(row, `no experiment "${name}" among ${roots.map((r) => r.label).join(', ')}`);
    return row;
  }

  async function traceRow(traceId: string, experiment = 'Sample apps') {
    const traceRows = await rows(api, (await experimentRow(experiment)).node);
    const row = traceRows.find((r) => r.node.kind === 'trace' && r.node.traceId === traceId);
    assert.ok(row, `trace ${traceId} is not in "${experiment}"`);
    return row as { node: TraceNode; label: string; description: string; contextValue: string };
  }

  /** A row's tooltip as VS Code gets it on hover: not in the row, made by resolveTreeItem. */
  function tooltipOf(node: TreeNode): vscode.MarkdownString {
    const item = api.tree.getTreeItem(node);
    assert.equal(item.tooltip, undefined, 'tooltips are made on hover, not with every row');
    const { tooltip } = api.tree.resolveTreeItem(item, node);
    assert.ok(tooltip instanceof vscode.MarkdownString);
    return tooltip;
  }

  it('activates without asking the server anything; showing the view starts the check', () => {
    assert.equal(checksAfterActivation, 0, 'activation only registers');
    assert.ok(api.connection.checks >= 1);
  });

  it('connects to the server named by MLFLOW_TRACKING_URI and says its version', () => {
    const state = api.connection.state;
    assert.ok(state.kind === 'connected', `state: ${state.kind}`);
    assert.equal(state.version, '3.18.0');
    assert.equal(api.connection.settings.trackingUri.url, env('MLFLOW_TRACKING_URI'));
    assert.equal(api.connection.settings.trackingUri.origin, 'MLFLOW_TRACKING_URI');
  });

  it('shows the experiments, newest traces first, with name, request, age, duration and counts', async () => {
    const roots = await rows(api);
    assert.deepEqual(
      roots
        .map((r) => r.label)
        .filter((l) => l !== 'Default')
        .sort(),
      ['Guide example', 'Sample apps'],
    );
    const sample = await rows(api, (await experimentRow('Sample apps')).node);
    const ids = sample
      .filter((r) => r.node.kind === 'trace')
      .map((r) => (r.node as TraceNode).traceId);
    assert.deepEqual(ids, [
      traces.artifact_spans,
      traces.untrusted,
      traces.error,
      traces.chat,
      traces.rag,
      traces.agent,
    ]);
    const agent = await traceRow(traces.agent);
    assert.match(agent.label, /^weather_agent: What's the weather in Paris\?/);
    assert.match(
      agent.description,
      /ago · [\d.]+ (ms|s) · 2 assessments$/,
      'the overridden judge does not count',
    );
    const failed = await traceRow(traces.error);
    const icon = api.tree.getTreeItem(failed.node).iconPath as vscode.ThemeIcon;
    assert.equal(icon.id, 'error');
  });

  it('shows a judge overridden by a human, with the override and the expectation', async () => {
    const agent = await traceRow(traces.agent);
    const children = await rows(api, agent.node);
    const assessments = children.filter((r) => r.node.kind === 'assessment');
    assert.deepEqual(
      assessments.map((r) => [r.label, r.contextValue]),
      [
        ['correctness: true', 'assessment feedback valid'],
        [
          'expected_tool_calls: [{"name":"get_weather","arguments":{"city":"Paris"}}]',
          'assessment expectation valid',
        ],
        ['correctness: false', 'assessment feedback invalid'],
      ],
    );
    assert.match(assessments[0]?.description ?? '', /^override · human reviewer@example.com/);
    assert.match(
      assessments[2]?.description ?? '',
      /^overridden by human reviewer@example.com · LLM judge gpt-4o-mini/,
    );
    assert.equal(children.at(-1)?.label, 'Spans');
  });

  it('shows a failed judge with its error', async () => {
    const chat = await traceRow(traces.chat);
    const [tone] = (await rows(api, chat.node)).filter((r) => r.node.kind === 'assessment');
    assert.equal(tone?.label, 'tone: error: RATE_LIMIT_EXCEEDED');
    assert.equal(tone.contextValue, 'assessment feedback valid error');
    const tooltip = tooltipOf(tone.node);
    assert.match(tooltip.value, /Judge rate limit exceeded/);
    assert.match(tooltip.value, /RateLimitError: 429/);
  });

  it('shows the span tree with a span-level assessment under its span', async () => {
    const rag = await traceRow(traces.rag);
    const spansGroup = (await rows(api, rag.node)).find((r) => r.label === 'Spans');
    assert.ok(spansGroup);
    const [root] = await rows(api, spansGroup.node);
    assert.equal(root?.label, 'rag_app');
    const under = await rows(api, root.node);
    const retriever = under.find((r) => r.label === 'retrieve');
    assert.ok(retriever, `no retrieve span under rag_app: ${under.map((r) => r.label).join(', ')}`);
    assert.match(retriever.description, /^RETRIEVER · .* · 1 assessment$/);
    const [scored] = await rows(api, retriever.node);
    assert.equal(scored?.label, 'retrieval_relevance: 0.5');
  });

  it('reads spans stored as an artifact the same way', async () => {
    const trace = await traceRow(traces.artifact_spans);
    const spansGroup = (await rows(api, trace.node)).find((r) => r.label === 'Spans');
    assert.ok(spansGroup);
    const [root] = await rows(api, spansGroup.node);
    assert.equal(root?.label, 'chat_app');
  });

  it('keeps untrusted trace content as text in tooltips', async () => {
    const trace = await traceRow(traces.untrusted);
    const tooltip = tooltipOf(trace.node);
    assert.equal(tooltip.isTrusted ?? false, false);
    assert.equal(tooltip.supportHtml ?? false, false);
    // The HTML sits inside a fenced code block, where Markdown shows it literally.
    assert.match(tooltip.value, /```json\n[^`]*<script>/);
  });

  it('reveals a trace and takes a screenshot of the tree', async () => {
    const agent = await traceRow(traces.agent);
    await api.view.reveal(agent.node, { select: true, focus: true, expand: true });
    await waitFor('the selection', () => api.view.selection[0] === agent.node);
    await screenshot('tree-agent-trace');
  });

  it('pages with a "Load more" row that follows the page token', async () => {
    await setSetting('pageSize', 2);
    await waitFor('the new page size', () => api.connection.settings.pageSize === 2);
    api.store.reset();
    let sample = await rows(api, (await experimentRow('Sample apps')).node);
    assert.deepEqual(
      sample.map((r) => r.node.kind),
      ['trace', 'trace', 'loadMore'],
    );
    await vscode.commands.executeCommand('mlflowTraceReview.loadMore', experiments.samples);
    sample = await rows(api, (await experimentRow('Sample apps')).node);
    assert.deepEqual(
      sample.map((r) => r.node.kind),
      ['trace', 'trace', 'trace', 'trace', 'loadMore'],
    );
    await vscode.commands.executeCommand('mlflowTraceReview.loadMore', experiments.samples);
    sample = await rows(api, (await experimentRow('Sample apps')).node);
    // Six traces: the third page is full, so the server still sends a token; the fourth is empty.
    assert.equal(sample.filter((r) => r.node.kind === 'trace').length, 6);
    await setSetting('pageSize', 50);
    await waitFor('the page size back', () => api.connection.settings.pageSize === 50);
    api.store.reset();
  });

  it('filters with an MLflow filter string, and refuses a bad one with the server’s message', async () => {
    const applied = await vscode.commands.executeCommand(
      'mlflowTraceReview.setFilter',
      "trace.status = 'ERROR'",
    );
    assert.equal(applied, "trace.status = 'ERROR'");
    let sample = await rows(api, (await experimentRow('Sample apps')).node);
    assert.deepEqual(
      sample.map((r) => (r.node as TraceNode).traceId),
      [traces.error],
    );
    assert.match(api.view.description ?? '', /trace\.status = 'ERROR'/);
    // The description is hidden when the view is alone in its container: the message shows it.
    assert.equal(api.view.message, "Filtered: trace.status = 'ERROR'");

    const refused = await vscode.commands.executeCommand(
      'mlflowTraceReview.setFilter',
      'trace.status = ',
    );
    assert.equal(refused, undefined);
    assert.equal(api.store.filter.text, "trace.status = 'ERROR'", 'the working filter stays');

    // Typed: the server's reason shows in the box, under the text, which stays to be fixed.
    const typed = vscode.commands.executeCommand('mlflowTraceReview.setFilter');
    await keys(
      { waitFor: 'quickInput' },
      { press: 'End' },
      { type: ' AND trace.status =' },
      { press: 'Enter' },
      { waitForText: 'The server rejected the filter' },
    );
    await screenshot('filter-rejected-in-box');
    await keys({ press: 'Backspace' }, { type: "= 'OK'" }, { press: 'Enter' });
    assert.equal(await typed, "trace.status = 'ERROR' AND trace.status = 'OK'");

    // Quick filters say which filter string they narrow.
    const quick = vscode.commands.executeCommand('mlflowTraceReview.quickFilter');
    await keys({ waitForText: "combined with your filter: trace.status = 'ERROR' AND" });
    await keys({ press: 'Escape' });
    await quick;

    await vscode.commands.executeCommand('mlflowTraceReview.clearFilter');
    sample = await rows(api, (await experimentRow('Sample apps')).node);
    assert.equal(sample.length, 6);
  });

  it('has quick filters for unrated traces and failed judges', async () => {
    await vscode.commands.executeCommand('mlflowTraceReview.quickFilter', ['failedJudge']);
    let sample = await rows(api, (await experimentRow('Sample apps')).node);
    assert.deepEqual(
      sample.map((r) => (r.node as TraceNode).traceId),
      [traces.chat],
    );
    await vscode.commands.executeCommand('mlflowTraceReview.quickFilter', ['noHumanFeedback']);
    sample = await rows(api, (await experimentRow('Sample apps')).node);
    assert.deepEqual(
      sample.map((r) => (r.node as TraceNode).traceId),
      [traces.untrusted, traces.error, traces.chat, traces.rag],
    );
    await vscode.commands.executeCommand('mlflowTraceReview.quickFilter', []);
  });

  it('redraws the rows whose age has changed, and only those', async () => {
    const sample = await rows(api, (await experimentRow('Sample apps')).node);
    const drawn = sample.filter((r) => r.node.kind === 'trace').length;
    assert.ok(drawn > 0);
    const later = Date.now() + 10 * 60_000;
    assert.ok(api.tree.refreshAges(later) >= drawn, 'ten minutes on, every trace row reads older');
    assert.equal(api.tree.refreshAges(later), 0, 'nothing more to redraw at the same moment');
  });

  it('counts unrated traces in the badge', async () => {
    await rows(api, (await experimentRow('Sample apps')).node);
    await rows(api, (await experimentRow('Guide example')).node);
    // Sample apps: four without a human rating; the guide's trace has human feedback.
    await waitFor('the badge', () => api.view.badge?.value === 4);
  });

  it('shows a new trace without a manual refresh, keeping the selection', async () => {
    await setSetting('autoRefreshSeconds', 1);
    const agent = await traceRow(traces.agent);
    await api.view.reveal(agent.node, { select: true, focus: true });
    // The selection comes back from the workbench asynchronously; start from a settled one.
    await waitFor('the selection', () => api.view.selection[0] === agent.node);
    const sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    try {
      const created = await sdk.call<{ trace_id: string }>('create_trace', {
        experiment: 'Sample apps',
        input: 'new while watching',
      });
      const node = await waitFor('the new trace in the tree', async () => {
        const sample = await rows(api, (await experimentRow('Sample apps')).node);
        return sample[0]?.node.kind === 'trace' && sample[0].node.traceId === created.trace_id
          ? sample[0].node
          : undefined;
      });
      assert.equal(node.kind, 'trace');
      // The selection comes back from the workbench after it has drawn the new rows: while it
      // redraws, the view can report none for a moment. It must come back to the same trace.
      const selected = await waitFor('the selection kept', () => {
        const first: TreeNode | undefined = api.view.selection[0];
        return first?.kind === 'trace' ? first : undefined;
      });
      assert.equal(selected.traceId, traces.agent);
    } finally {
      sdk.close();
      await setSetting('autoRefreshSeconds', 10);
    }
  });
});
