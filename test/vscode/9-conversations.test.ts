/**
 * Conversations in the trace panel, from traces made by real autologging: each fixture of
 * test/fixtures/conversations/ (captured by python/capture_chat_fixtures.py) is re-created on the
 * real MLflow server through MLflow's Python SDK (python/interop.py, create_fixture_trace), opened
 * in the panel, and read back from the webview's DOM.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { PythonSdk } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWebview,
  run,
  screenshot,
  showView,
  waitFor,
} from './support/harness';

interface Created {
  trace_id: string;
}

const OUT = '[data-block="Outputs"]';
/**
 * Traces of one chat-model call each, as OpenAI's and Anthropic's autologging record them: the
 * model and tokens the span row shows, and the tool call the conversation holds (its id as
 * recorded by each API).
 */
const ONE_CALL: Record<string, { model: string; tokens: string; callId: string }> = {
  'openai-chat-tool-call': { model: 'gpt-4o-mini', tokens: '52→12 tok', callId: 'call_Wx9LpQ2' },
  'openai-responses': { model: 'gpt-4.1-mini', tokens: '40→9 tok', callId: 'call_Rs7TqZ1' },
  anthropic: { model: 'claude-sonnet-4-5', tokens: '61→14 tok', callId: 'toolu_01AbC' },
};
const IN = '[data-block="Inputs"]';

describe('conversations from autologged traces in the trace panel', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  const traces: Record<string, string> = {};

  before(async () => {
    api = await extensionApi();
    await showView();
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    for (const fixture of [
      'langgraph-agent',
      'langchain-openai-tools',
      'langchain-retriever',
      ...Object.keys(ONE_CALL),
    ]) {
      const created = await sdk.call<Created>('create_fixture_trace', { fixture });
      traces[fixture] = created.trace_id;
    }
  });
  after(async () => {
    sdk.close();
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await closeAllTabs();
  });
  beforeEach(closeAllTabs);

  it('shows a LangGraph agent’s conversation with tool names, exact call ids, linked', async () => {
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    await run('openTrace', { traceId: traces['langgraph-agent'] });
    const [heads, calls, resultIds, texts] = await inWebview(
      'trace',
      { waitFor: true, selector: `${OUT} .tool-result`, hasText: 'call_Wx9LpQ2' },
      { text: true, selector: `${OUT} .chat-message > .chat-role` },
      { text: true, selector: `${OUT} .tool-call .tool-name` },
      { text: true, selector: `${OUT} .tool-result .call-id` },
      { text: true, selector: `${OUT} .chat-text` },
    );
    assert.deepEqual(heads, [
      'user',
      'assistant',
      'get_weather result (tool) · call call_Wx9LpQ2',
      'get_time result (tool) · call toolu_01AbC',
      'assistant',
    ]);
    assert.deepEqual(calls, ['get_weather', 'get_time']);
    assert.deepEqual(resultIds, ['call_Wx9LpQ2', 'toolu_01AbC'], 'the ids exactly as recorded');
    assert.ok(texts?.includes('In Lisbon it is 14:05, 21 °C and sunny.'));

    // Enter on a call's id marks its result; a click on a result's id marks its call.
    const [fromCall] = await inWebview(
      'trace',
      { press: 'Enter', selector: `${OUT} .tool-call .call-id.linked` },
      { waitFor: true, selector: `${OUT} .tool-result.link-target` },
      { text: true, selector: `${OUT} .link-target .call-id` },
    );
    assert.deepEqual(fromCall, ['call_Wx9LpQ2']);
    const [fromResult] = await inWebview(
      'trace',
      { click: true, selector: `${OUT} .tool-result .call-id:text-is("toolu_01AbC")` },
      { waitFor: true, selector: `${OUT} .tool-call.link-target`, hasText: 'get_time' },
      { text: true, selector: `${OUT} .link-target .tool-name` },
    );
    assert.deepEqual(fromResult, ['get_time'], 'one mark at a time');
    await screenshot('conversation-langgraph-agent-dark');
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
    await inWebview('trace', { waitFor: true, selector: 'body.vscode-light' });
    await screenshot('conversation-langgraph-agent-light');

    // The chat model's span: its messages and the tool calls it answered with.
    const [modelCalls] = await inWebview(
      'trace',
      { click: true, selector: '.span-row:has-text("ToolCallingFake")' },
      { waitFor: true, selector: '[data-testid="span-details"] h3', hasText: 'ToolCallingFake' },
      { waitFor: true, selector: `${OUT} .tool-call` },
      { text: true, selector: `${OUT} .tool-call .call-id` },
    );
    assert.deepEqual(modelCalls, ['call_Wx9LpQ2', 'toolu_01AbC']);
  });

  it('shows the tools offered (mlflow.chat.tools) and the call’s other fields', async () => {
    await run('openTrace', { traceId: traces['langchain-openai-tools'] });
    const [offered, toolNames] = await inWebview(
      'trace',
      { waitFor: true, selector: '.offered-tools summary' },
      { text: true, selector: '.offered-tools > summary' },
      { text: true, selector: '.offered-tools .tool-spec .tool-name' },
    );
    assert.deepEqual(offered, ['Tools (1)']);
    assert.deepEqual(toolNames, ['get_weather']);

    // The OpenAI span's request carries its tools itself, and model and temperature beside.
    const [inputTools, fields, offeredThere] = await inWebview(
      'trace',
      { click: true, selector: '.span-row:has-text("Completions")' },
      { waitFor: true, selector: '[data-testid="span-details"] h3', hasText: 'Completions' },
      { waitFor: true, selector: `${IN} .chat-tools` },
      { text: true, selector: `${IN} .chat-tools > summary` },
      { text: true, selector: `${IN} .chat-fields > .json-leaf .json-key` },
      { text: true, selector: '.offered-tools' },
    );
    assert.deepEqual(inputTools, ['Tools (1)']);
    assert.ok(fields?.includes('model: ') && fields.includes('temperature: '), String(fields));
    assert.deepEqual(offeredThere, [], 'not twice');
  });

  it('shows a retriever’s documents with their sources and scores', async () => {
    await run('openTrace', { traceId: traces['langchain-retriever'] });
    const [sources, scores] = await inWebview(
      'trace',
      { waitFor: true, selector: `${OUT} .document` },
      { text: true, selector: `${OUT} .document-source` },
      { text: true, selector: `${OUT} .document-score` },
    );
    assert.deepEqual(sources, ['https://git-scm.com/docs/git-bisect', 'docs/blame.md']);
    assert.deepEqual(scores, ['score 0.92', 'score 0.41']);
  });

  for (const [fixture, expected] of Object.entries(ONE_CALL)) {
    it(`reads ${fixture}: a conversation with the tool's name, its call id, the model and tokens`, async () => {
      await run('openTrace', { traceId: traces[fixture] });
      const [roles, toolNames, callIds, facts] = await inWebview(
        'trace',
        { waitFor: true, selector: '.chat-message' },
        { text: true, selector: '.chat-message > .chat-role' },
        { text: true, selector: '.tool-call .tool-name' },
        { text: true, selector: '.call-id' },
        { text: true, selector: '.span-row .span-facts' },
      );
      assert.ok(roles?.includes('user'), String(roles));
      assert.ok(toolNames?.includes('get_weather'), String(toolNames));
      assert.ok(callIds?.includes(expected.callId), `${String(callIds)} has ${expected.callId}`);
      assert.ok(
        facts?.some((f) => f.includes(expected.model) && f.includes(expected.tokens)),
        String(facts),
      );
    });
  }
});

describe('long values in the trace panel', () => {
  it('shows the start of a long text and of a long list, and all of each on "Show all"', async () => {
    const sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    let traceId: string;
    try {
      ({ trace_id: traceId } = await sdk.call<Created>('create_long_values_trace', {}));
    } finally {
      sdk.close();
    }
    await closeAllTabs();
    await run('openTrace', { traceId });
    const [buttons, items, text] = await inWebview(
      'trace',
      { waitFor: true, selector: `${OUT} .show-all` },
      { text: true, selector: '[data-block="Inputs"] .show-all, [data-block="Outputs"] .show-all' },
      { text: true, selector: `${OUT} .json-leaf` },
      { text: true, selector: `${IN} .json-string` },
    );
    assert.deepEqual(buttons, ['Show all (3,989 characters, 80 lines)', 'Show all (150 items)']);
    assert.equal(items?.length, 100, 'the list shows its first 100 items');
    assert.equal(text?.[0]?.split('\n').length, 30, 'the text shows its first 30 lines');

    const [allItems, allText] = await inWebview(
      'trace',
      { click: true, selector: `${OUT} .show-all` },
      { click: true, selector: `${IN} .show-all` },
      { waitFor: true, selector: `${OUT} .json-leaf:has-text("149")` },
      { text: true, selector: `${OUT} .json-leaf` },
      { text: true, selector: `${IN} .json-string` },
    );
    assert.equal(allItems?.length, 150);
    assert.equal(allText?.[0]?.split('\n').length, 80);
  });
});
