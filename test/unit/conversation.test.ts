/**
 * The conversation normaliser (src/shared/conversation/) on what MLflow's autologging records:
 * fixtures captured from real autologged traces (python/capture_chat_fixtures.py) and, for the
 * frameworks that cannot run offline, MLflow's own web UI fixtures (mlflow-ui.json).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { JsonValue } from '../../src/mlflow/types';
import {
  readConversation,
  readDocuments,
  readTools,
  type ChatMessage,
  type Conversation,
} from '../../src/shared/conversation';
import { repoRoot } from '../support/env';

interface FixtureSpan {
  name: string;
  span_type: string;
  inputs: JsonValue;
  outputs: JsonValue;
  attributes: Record<string, JsonValue>;
}

function fixture(name: string): {
  trace: { request: string; response: string };
  spans: FixtureSpan[];
} {
  const file = path.join(repoRoot(), 'test', 'fixtures', 'conversations', `${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as ReturnType<typeof fixture>;
}
function span(name: string, spanName: string): FixtureSpan {
  const found = fixture(name).spans.find((s) => s.name === spanName);
  assert.ok(found, `${name} has a span ${spanName}`);
  return found;
}
function ui(key: string): JsonValue {
  const file = path.join(repoRoot(), 'test', 'fixtures', 'conversations', 'mlflow-ui.json');
  const all = JSON.parse(readFileSync(file, 'utf8')) as Record<string, { value: JsonValue }>;
  const entry = all[key];
  assert.ok(entry, `mlflow-ui.json has ${key}`);
  return entry.value;
}
function read(value: JsonValue): Conversation {
  const conversation = readConversation(value);
  assert.ok(conversation, `read as a conversation: ${JSON.stringify(value).slice(0, 200)}`);
  return conversation;
}
function at(c: Conversation, index: number): ChatMessage {
  const message = c.messages[index];
  assert.ok(message, `message ${index}`);
  return message;
}
const roles = (c: Conversation) => c.messages.map((m) => m.role);
const textOf = (m: ChatMessage | undefined) =>
  (m?.parts ?? []).map((p) => (p.kind === 'text' ? p.text : '')).join('');

describe('conversations: LangChain and LangGraph (captured)', () => {
  it('reads a LangGraph agent’s response: messages, tool calls, results named and linked', () => {
    const root = fixture('langgraph-agent').spans[0];
    assert.ok(root);
    const c = read(root.outputs);
    assert.equal(c.format, 'langchain');
    assert.deepEqual(roles(c), ['user', 'assistant', 'tool', 'tool', 'assistant']);
    const calls = at(c, 1).toolCalls;
    assert.deepEqual(
      calls.map((t) => [t.id, t.name, t.arguments]),
      [
        ['call_Wx9LpQ2', 'get_weather', { city: 'Lisbon' }],
        ['toolu_01AbC', 'get_time', { city: 'Lisbon', utc_offset: 1 }],
      ],
    );
    const [weather, time] = [at(c, 2), at(c, 3)];
    assert.equal(weather.toolCallId, 'call_Wx9LpQ2', 'the id exactly as recorded');
    assert.equal(weather.toolName, 'get_weather');
    assert.equal(textOf(weather), 'It is 21 °C and sunny in Lisbon.');
    assert.equal(time.toolCallId, 'toolu_01AbC');
    assert.equal(textOf(c.messages[4]), 'In Lisbon it is 14:05, 21 °C and sunny.');
    assert.ok(at(c, 0).extra?.id, 'a message’s own id is kept, not lost');
  });

  it('reads the agent’s request (role/content dicts) and its trace request text', () => {
    const f = fixture('langgraph-agent');
    const c = read(JSON.parse(f.trace.request) as JsonValue);
    assert.deepEqual(roles(c), ['user']);
    assert.equal(read(JSON.parse(f.trace.response) as JsonValue).messages.length, 5);
  });

  it('reads a chat model span as MLflow 3.18 records it (messages in, choices out)', () => {
    const model = span('langgraph-agent', 'ToolCallingFake');
    assert.deepEqual(roles(read(model.inputs)), ['user']);
    const out = read(model.outputs);
    assert.deepEqual(
      at(out, 0).toolCalls.map((t) => t.id),
      ['call_Wx9LpQ2', 'toolu_01AbC'],
    );
  });

  it('reads a tool span’s ToolMessage output as one tool result', () => {
    const c = read(span('langgraph-agent', 'get_weather').outputs);
    assert.equal(c.messages.length, 1);
    assert.equal(at(c, 0).role, 'tool');
    assert.equal(at(c, 0).toolCallId, 'call_Wx9LpQ2');
    assert.equal(at(c, 0).toolName, 'get_weather');
    assert.equal(c.rest?.status, 'success', 'the other fields are the call’s');
  });

  it('reads a prompt template’s output and an output parser’s input', () => {
    const prompt = read(span('langchain-chain', 'ChatPromptTemplate').outputs);
    assert.deepEqual(roles(prompt), ['system', 'user']);
    assert.match(textOf(prompt.messages[0]), /release engineering/);
    const parser = read(span('langchain-chain', 'StrOutputParser').inputs);
    assert.deepEqual(roles(parser), ['assistant']);
    assert.equal(textOf(parser.messages[0]), 'Use `git bisect`.');
  });

  it('reads the tools offered from mlflow.chat.tools when the inputs have none', () => {
    const model = span('langchain-openai-tools', 'ChatOpenAI');
    assert.deepEqual(read(model.inputs).tools, []);
    const tools = readTools(model.attributes['mlflow.chat.tools']);
    assert.deepEqual(
      tools?.map((t) => [t.name, t.description]),
      [['get_weather', 'The current weather in a city.']],
    );
    assert.ok(tools[0]?.parameters);
  });

  it('reads older LangChain shapes: a list of lists in, generations out (MLflow UI)', () => {
    const input = read(ui('langchain-list-of-lists-input'));
    assert.equal(input.format, 'langchain');
    assert.deepEqual(
      at(input, 0).parts.map((p) => p.kind),
      ['text', 'image'],
    );
    const output = read(ui('langchain-generations-output'));
    assert.deepEqual(roles(output), ['assistant']);
    assert.ok(output.rest?.llm_output, 'llm_output is kept');
    assert.deepEqual(at(output, 0).extra?.generation_info, {
      finish_reason: 'stop',
      logprobs: null,
    });
  });

  it('reads LangGraph’s ("user", "text") tuples', () => {
    const c = read({
      messages: [
        ['user', 'hi'],
        ['ai', 'hello'],
      ],
    });
    assert.deepEqual(roles(c), ['user', 'assistant']);
  });
});

describe('conversations: OpenAI (captured)', () => {
  it('reads a chat request: messages, tool call, tool result by id, tools, the other fields', () => {
    const c = read(span('openai-chat', 'Completions').inputs);
    assert.equal(c.format, 'openai-chat');
    assert.deepEqual(roles(c), ['system', 'user', 'assistant', 'tool']);
    assert.deepEqual(at(c, 2).toolCalls, [
      { id: 'call_Wx9LpQ2', name: 'get_weather', arguments: { city: 'Lisbon' } },
    ]);
    assert.equal(at(c, 3).toolCallId, 'call_Wx9LpQ2');
    assert.equal(at(c, 3).toolName, 'get_weather', 'named from the call it answers');
    assert.deepEqual(
      c.tools.map((t) => t.name),
      ['get_weather'],
    );
    assert.deepEqual(c.rest, { model: 'gpt-4o-mini', temperature: 0.2 });
  });

  it('reads a chat response: the message, and finish reason, usage and model beside it', () => {
    const c = read(span('openai-chat', 'Completions').outputs);
    assert.deepEqual(roles(c), ['assistant']);
    assert.equal(c.rest?.model, 'gpt-4o-mini');
    assert.deepEqual(c.rest.choices, [{ finish_reason: 'stop', index: 0 }]);
    assert.ok(c.rest.usage);
    const call = read(span('openai-chat-tool-call', 'Completions').outputs);
    assert.equal(at(call, 0).toolCalls[0]?.id, 'call_Wx9LpQ2');
  });

  it('reads the Responses API: input items with function_call and function_call_output', () => {
    const s = span('openai-responses', 'Responses');
    const c = read(s.inputs);
    assert.equal(c.format, 'openai-responses');
    assert.deepEqual(roles(c), ['user', 'assistant', 'tool']);
    assert.equal(at(c, 1).toolCalls[0]?.id, 'call_Rs7TqZ1');
    assert.equal(at(c, 2).toolCallId, 'call_Rs7TqZ1');
    assert.equal(at(c, 2).toolName, 'get_weather');
    assert.deepEqual(
      c.tools.map((t) => t.name),
      ['get_weather'],
    );
    assert.equal(c.rest?.model, 'gpt-4.1-mini');
    const out = read(s.outputs);
    assert.deepEqual(roles(out), ['assistant']);
    assert.equal(textOf(out.messages[0]), 'It is 21 °C and sunny in Lisbon.');
    assert.equal(out.rest?.status, 'completed');
    assert.ok(out.rest.usage);
  });

  it('reads a Responses request with instructions and a string input', () => {
    const c = read({ model: 'gpt-4.1-mini', instructions: 'Be brief.', input: 'Hi' });
    assert.deepEqual(roles(c), ['system', 'user']);
  });
});

describe('conversations: Anthropic (captured)', () => {
  it('reads a request: system, tool_use, tool_result as a tool message with its id', () => {
    const c = read(span('anthropic', 'Messages.create').inputs);
    assert.equal(c.format, 'anthropic');
    assert.deepEqual(roles(c), ['system', 'user', 'assistant', 'tool']);
    assert.equal(textOf(c.messages[2]), 'Let me check.');
    assert.deepEqual(at(c, 2).toolCalls, [
      { id: 'toolu_01AbC', name: 'get_weather', arguments: { city: 'Lisbon' } },
    ]);
    assert.equal(at(c, 3).toolCallId, 'toolu_01AbC');
    assert.equal(at(c, 3).toolName, 'get_weather');
    assert.equal(textOf(c.messages[3]), '21 °C, sunny');
    assert.deepEqual(c.tools[0]?.parameters, {
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    });
    assert.deepEqual(c.rest, { max_tokens: 256, model: 'claude-sonnet-4-5' });
  });

  it('reads a response: the message, with model, stop reason and usage as the call’s fields', () => {
    const c = read(span('anthropic', 'Messages.create').outputs);
    assert.deepEqual(roles(c), ['assistant']);
    assert.equal(c.rest?.stop_reason, 'end_turn');
    assert.equal(c.rest.model, 'claude-sonnet-4-5');
    assert.ok(c.rest.usage);
  });
});

describe('conversations: from MLflow’s UI fixtures', () => {
  it('reads Gemini: contents with function_call and function_response, named', () => {
    const c = read(ui('gemini-adk-input'));
    assert.equal(c.format, 'gemini');
    assert.deepEqual(roles(c), ['system', 'user', 'assistant', 'tool', 'assistant']);
    assert.deepEqual(at(c, 2).toolCalls, [
      { name: 'doc_search', arguments: { query: 'Google ADK overview' } },
    ]);
    assert.equal(at(c, 3).toolName, 'doc_search');
    assert.equal(c.rest?.model, 'gemini-3-flash-preview');
    assert.deepEqual(roles(read(ui('gemini-input'))), ['user']);
    const out = read(ui('gemini-output'));
    assert.equal(textOf(out.messages[0]), 'AI learns patterns from data to make decisions.');
    assert.equal(out.rest?.model_version, 'gemini-2.5-flash');
    assert.deepEqual(out.rest.candidates, [{ finish_reason: 'STOP', index: 0 }]);
  });

  it('reads Bedrock: toolUse and toolResult by id, reasoning, output.message', () => {
    const c = read(ui('bedrock-tool-use-input'));
    assert.equal(c.format, 'bedrock');
    assert.deepEqual(roles(c), ['user', 'assistant', 'tool']);
    assert.equal(at(c, 1).toolCalls[0]?.id, 'weather_tool_1');
    assert.equal(at(c, 2).toolCallId, 'weather_tool_1');
    assert.equal(at(c, 2).toolName, 'get_weather');
    const out = read(ui('bedrock-reasoning-output'));
    assert.equal(textOf(out.messages[0]), 'The sum of 1955 and 3865 is 5820.');
    assert.match(at(out, 0).reasoning ?? '', /1955 \+ 3865/);
    assert.ok(out.rest?.ResponseMetadata);
  });

  it('reads LlamaIndex: blocks in, ChatResponse out with raw kept', () => {
    const c = read(ui('llamaindex-input'));
    assert.equal(c.format, 'llamaindex');
    assert.deepEqual(roles(c), ['system', 'user']);
    const out = read(ui('llamaindex-output'));
    assert.match(textOf(out.messages[0]), /craco start/);
    assert.ok(out.rest?.raw);
  });

  it('reads DSPy: chat messages in, a list of completions out', () => {
    assert.deepEqual(roles(read(ui('dspy-input'))), ['system', 'user']);
    const out = read(ui('dspy-output'));
    assert.equal(out.format, 'dspy');
    assert.match(textOf(out.messages[0]), /\[\[ ## summary ## \]\]/);
  });

  it('reads MLflow’s normalised mlflow.chat.messages (OpenAI-style list)', () => {
    const c = read([
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'hello' }] },
    ]);
    assert.deepEqual(roles(c), ['user', 'assistant']);
  });
});

describe('tool results keep their ids exactly', () => {
  it('never re-capitalises or trims an id', () => {
    for (const id of ['call_abc123', 'Call_ABC', 'toolu_01AbC', ' spaced id ', 'call-ä/ü']) {
      const c = read([
        { role: 'assistant', tool_calls: [{ id, function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: id, content: 'ok' },
      ]);
      assert.equal(at(c, 0).toolCalls[0]?.id, id);
      assert.equal(at(c, 1).toolCallId, id);
      assert.equal(at(c, 1).toolName, 'f');
    }
  });

  it('are shown without text-transform: no CSS rule of the panel changes case', () => {
    const css = readFileSync(path.join(repoRoot(), 'media', 'webview.css'), 'utf8');
    assert.doesNotMatch(css, /text-transform/);
  });

  it('keeps arguments that are not JSON as the recorded text', () => {
    const c = read([
      { role: 'assistant', tool_calls: [{ id: 'x', function: { name: 'f', arguments: '{oops' } }] },
    ]);
    assert.equal(at(c, 0).toolCalls[0]?.arguments, '{oops');
  });
});

describe('unknown shapes fall back to the JSON view', () => {
  it('gives undefined, never an error', () => {
    const values: JsonValue[] = [
      null,
      'text',
      42,
      [],
      {},
      { messages: [] },
      { messages: [{ not: 'a message' }] },
      [{ role: 'user', content: 'hi' }, { what: 1 }],
      { team: 'x', question: 'y' },
      { choices: [{ index: 0 }] },
      { contents: 5 },
      ['a', 'b'],
      [[1, 2]],
      { generations: [] },
      { input: 'hello' },
    ];
    for (const value of values)
      assert.equal(readConversation(value), undefined, JSON.stringify(value));
    assert.equal(readTools({ nothing: true }), undefined);
    assert.equal(readDocuments([{ title: 'not a document' }]), undefined);
  });

  it('stays cheap on big values: the content is referenced, not copied', () => {
    const big = 'x'.repeat(5_000_000);
    const c = read({ messages: [{ role: 'user', content: big }] });
    const part = at(c, 0).parts[0];
    assert.equal(part?.kind === 'text' && part.text === big, true);
  });
});

describe('retrieved documents', () => {
  it('reads LangChain Documents (captured): content, source, score, id, other metadata', () => {
    const docs = readDocuments(span('langchain-retriever', 'Docs').outputs);
    assert.deepEqual(docs, [
      {
        content: 'git bisect finds the commit that introduced a bug by binary search.',
        source: 'https://git-scm.com/docs/git-bisect',
        score: 0.92,
        id: 'doc-1',
      },
      {
        content: 'git blame shows who last changed each line.',
        source: 'docs/blame.md',
        score: 0.41,
        metadata: { section: 'History' },
      },
    ]);
  });

  it('reads MLflow’s Document (doc_uri, chunk_id) and LlamaIndex nodes with a score', () => {
    assert.deepEqual(
      readDocuments([{ content: 'a', metadata: { doc_uri: 's3://b/a.md', chunk_id: 'c1' } }]),
      [{ content: 'a', source: 's3://b/a.md', id: 'c1' }],
    );
    assert.deepEqual(
      readDocuments([
        { node: { id_: 'n1', text: 'b', metadata: { file_name: 'b.txt' } }, score: 0.5 },
      ]),
      [{ content: 'b', source: 'b.txt', score: 0.5, id: 'n1' }],
    );
  });
});
