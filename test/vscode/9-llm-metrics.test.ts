/**
 * An LLM call's model, tokens and cost, a trace's totals, its session and user, in the trace
 * panel and the tree, on a trace made by MLflow's Python SDK the way its OpenAI autologging
 * records a chat-model span (python/interop.py `create_llm_trace`); the cost is what the real
 * MLflow server computed when it stored the span. Named to run after 9-faults: it adds an
 * experiment, which the earlier suites' lists of experiments do not expect.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import {
  formatCallMetrics,
  formatCost,
  formatDuration,
  formatTokensLong,
  spanDurationMs,
} from '../../src/shared/format';
import { callMetrics, parseCost, parseTokenUsage } from '../../src/shared/llm-metrics';
import type { TreeNode } from '../../src/tree/nodes';
import { PythonSdk } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWebview,
  rows,
  run,
  screenshot,
  showView,
  waitFor,
} from './support/harness';

const EXPERIMENT = 'LLM calls';
const SESSION = 'session-42';
const USER = 'alice@example.com';

interface LlmTrace {
  trace_id: string;
  span_ids: Record<string, string>;
  /** The chat-model span's attributes as MLflow's own reader gives them (not its inputs/outputs). */
  attributes: Record<string, unknown>;
  trace_metadata: Record<string, string>;
}

const details = '[data-testid="span-details"]';
const attributeKeys = `${details} [data-block="Attributes"] .json-key`;

describe('an LLM call’s model, tokens and cost', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let made: LlmTrace;

  before(async () => {
    api = await extensionApi();
    await showView();
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    made = await sdk.call<LlmTrace>('create_llm_trace', {
      experiment: EXPERIMENT,
      session: SESSION,
      user: USER,
    });
    // Two expectations on one trace: each card says which it is.
    await sdk.call('log_expectation', {
      trace_id: made.trace_id,
      name: 'expected_facts',
      value: { facts: ['open source', 'ML lifecycle'] },
    });
    await sdk.call('log_expectation', {
      trace_id: made.trace_id,
      name: 'expected_sources',
      value: { urls: ['https://mlflow.org'] },
    });
  });
  after(() => sdk.close());
  beforeEach(closeAllTabs);

  it('is recorded by MLflow as the panel reads it (the server priced the call)', () => {
    const { attributes } = made;
    assert.equal(attributes['mlflow.spanType'], 'CHAT_MODEL');
    assert.equal(attributes['mlflow.llm.model'], 'gpt-4o-mini');
    assert.deepEqual(attributes['mlflow.chat.tokenUsage'], {
      input_tokens: 12,
      output_tokens: 14,
      total_tokens: 26,
    });
    const cost = parseCost(JSON.stringify(attributes['mlflow.llm.cost']));
    assert.ok(cost?.total !== undefined && cost.total > 0, 'the server computed a cost');
    assert.ok(made.trace_metadata['mlflow.trace.cost'], 'and the trace’s total');
    assert.equal(made.trace_metadata['mlflow.trace.session'], SESSION);
    assert.equal(made.trace_metadata['mlflow.trace.user'], USER);
  });

  it('shows them in the span row, the span’s details and the trace header, with the session and user', async () => {
    const cost = formatCost(parseCost(JSON.stringify(made.attributes['mlflow.llm.cost']))?.total);
    assert.match(cost, /^\$0\.0*[1-9]\d{0,2}$/, `${cost}: three significant digits, no noise`);
    const traceCost = formatCost(parseCost(made.trace_metadata['mlflow.trace.cost'])?.total);
    const traceTokens = formatTokensLong(
      parseTokenUsage(made.trace_metadata['mlflow.trace.tokenUsage']),
    );
    await run('openTrace', { traceId: made.trace_id });
    const [row, tokens, total, session, user] = await inWebview(
      'trace',
      { waitFor: true, selector: '.span-row', hasText: 'Completions' },
      { text: true, selector: '.span-row:has-text("Completions") .span-facts' },
      { text: true, selector: 'header dd[data-fact="tokens"]' },
      { text: true, selector: 'header dd[data-fact="cost"]' },
      { text: true, selector: 'header dd[data-fact="session"]' },
      { text: true, selector: 'header dd[data-fact="user"]' },
    );
    assert.match(
      row?.[0] ?? '',
      new RegExp(`^CHAT_MODEL · .+ · gpt-4o-mini · 12→14 tok · \\${cost}$`),
    );
    assert.deepEqual(tokens, ['12 in · 14 out · 26 total']);
    assert.equal(traceTokens, '12 in · 14 out · 26 total');
    assert.deepEqual(total, [traceCost]);
    assert.deepEqual(session, [SESSION]);
    assert.deepEqual(user, [USER]);
    await screenshot('panel-llm-trace-header');

    const [model, spanTokens, spanCost] = await inWebview(
      'trace',
      { click: true, selector: '.span-row:has-text("Completions")' },
      { waitFor: true, selector: `${details} h3`, hasText: 'Completions' },
      { text: true, selector: `${details} dd[data-fact="model"]` },
      { text: true, selector: `${details} dd[data-fact="tokens"]` },
      { text: true, selector: `${details} dd[data-fact="cost"]` },
    );
    assert.deepEqual(model, ['gpt-4o-mini']);
    assert.deepEqual(spanTokens, ['12 in · 14 out · 26 total']);
    assert.match(
      spanCost?.[0] ?? '',
      new RegExp(`^\\${cost} \\(\\$[\\d.]+ in · \\$[\\d.]+ out\\)$`),
    );
    await screenshot('panel-llm-call');
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    await inWebview('trace', { waitFor: true, selector: 'body.vscode-dark' });
    await screenshot('panel-llm-call-dark');
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  });

  it('leaves out of the attributes what is shown elsewhere, until "Show all attributes"', async () => {
    await run('openTrace', { traceId: made.trace_id });
    const [title, own] = await inWebview(
      'trace',
      { waitFor: true, selector: '.span-row', hasText: 'Completions' },
      { click: true, selector: '.span-row:has-text("Completions")' },
      { waitFor: true, selector: `${details} h3`, hasText: 'Completions' },
      { text: true, selector: `${details} [data-block="Attributes"] > summary` },
      { text: true, selector: attributeKeys },
    );
    // The request's parameters, as OpenAI's autologging records them, stay.
    assert.deepEqual(own, ['model: ', 'temperature: ']);
    assert.match(title?.[0] ?? '', /^Attributes \(2, \d+ shown elsewhere\)$/);

    const [all] = await inWebview(
      'trace',
      { click: true, selector: '[data-testid="all-attributes-toggle"]' },
      { waitFor: true, selector: attributeKeys, hasText: 'mlflow.llm.cost' },
      { text: true, selector: attributeKeys },
    );
    const shown = new Set(all);
    for (const key of [
      'mlflow.spanInputs',
      'mlflow.spanOutputs',
      'mlflow.llm.model',
      'mlflow.chat.tokenUsage',
      'mlflow.llm.cost',
      'mlflow.traceRequestId',
      'mlflow.spanType',
      'temperature',
    ])
      assert.ok(shown.has(`${key}: `), `${key} among ${[...shown].join(', ')}`);

    // Another span: everything still shows, until the toggle is turned off.
    const [rootAll, rootFunction] = await inWebview(
      'trace',
      { click: true, selector: '.span-row:has-text("llm_agent")' },
      { waitFor: true, selector: `${details} h3`, hasText: 'llm_agent' },
      { text: true, selector: attributeKeys },
      { text: true, selector: `${details} dd[data-fact="function"]` },
      { click: true, selector: '[data-testid="all-attributes-toggle"]' },
    );
    assert.ok(rootAll?.includes('mlflow.spanFunctionName: '), rootAll?.join(', '));
    assert.deepEqual(rootFunction?.length, 1, 'the function traced is a fact of the span');
    const [rootFiltered, note] = await inWebview(
      'trace',
      { waitFor: true, selector: `${details} [data-block="Attributes"] p`, hasText: 'shown above' },
      { text: true, selector: attributeKeys },
      { text: true, selector: `${details} [data-block="Attributes"] p` },
    );
    assert.deepEqual(rootFiltered, []);
    assert.deepEqual(note, ['Every attribute is shown above.']);
  });

  it('names each expectation on its card', async () => {
    await run('openTrace', { traceId: made.trace_id });
    const [names] = await inWebview(
      'trace',
      { waitFor: true, selector: '.assessment [data-testid="name"]', hasText: 'expected_facts' },
      { text: true, selector: '.assessments .assessment [data-testid="name"]' },
    );
    assert.deepEqual([...(names ?? [])].sort(), ['expected_facts', 'expected_sources']);
  });

  it('shows them in the tree’s span rows and hovers, with the panel’s rounding', async () => {
    await run('refresh');
    const experiment = await waitFor('the experiment in the tree', async () =>
      (await rows(api)).find((r) => r.label === EXPERIMENT),
    );
    const trace = await waitFor('the trace in the tree', async () =>
      (await rows(api, experiment.node)).find(
        (r) => r.node.kind === 'trace' && r.node.traceId === made.trace_id,
      ),
    );
    const spans = await waitFor('its spans', async () =>
      (await rows(api, trace.node)).find((r) => r.node.kind === 'spans'),
    );
    const [root] = await rows(api, spans.node);
    assert.ok(root, 'the root span');
    const [chat] = await rows(api, root.node);
    assert.ok(chat?.node.kind === 'span' && chat.label === 'Completions', chat?.label);
    const span = chat.node.span;
    const duration = formatDuration(spanDurationMs(span));
    assert.equal(
      chat.description,
      `CHAT_MODEL · ${duration} · ${formatCallMetrics(callMetrics(span.attributes))}`,
    );
    assert.match(chat.description, /· gpt-4o-mini · 12→14 tok · \$0\.\d+$/);
    const tooltip = hover(chat.node);
    assert.match(tooltip, /model `gpt-4o-mini`/);
    assert.match(tooltip, /Tokens: 12 in · 14 out · 26 total · cost \\\$0\\\.\d+/);

    // The panel's row reads the same duration.
    await run('openTrace', { traceId: made.trace_id });
    const [row] = await inWebview(
      'trace',
      { waitFor: true, selector: '.span-row', hasText: 'Completions' },
      { text: true, selector: '.span-row:has-text("Completions") .span-facts' },
    );
    assert.equal(row?.[0]?.split(' · ')[1], duration);
  });

  function hover(node: TreeNode): string {
    const item = api.tree.getTreeItem(node);
    const { tooltip } = api.tree.resolveTreeItem(item, node);
    assert.ok(tooltip instanceof vscode.MarkdownString);
    return tooltip.value;
  }
});
