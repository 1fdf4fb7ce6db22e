/**
 * The trace panel's messages built from a trace: the spans summarised (no payloads), a span's
 * details alone, and the first span's without the request and response again.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asTraceId } from '../../src/mlflow/ids';
import type { Span, TraceInfo } from '../../src/mlflow/types';
import { toSpanDetails, toTraceView, traceOrigin } from '../../src/panels/trace-view';
import { parseMessage } from '../../src/shared/protocol/common';
import { traceToWebview } from '../../src/shared/protocol/trace';
import { firstRootIndex } from '../../src/shared/span-tree';

const BASE = 1_700_000_000_000_000_000n;

function span(id: string, parent: string | null, startMs: number, extra: Partial<Span> = {}): Span {
  return {
    traceId: asTraceId('tr-1'),
    spanId: id,
    parentSpanId: parent,
    name: `span ${id}`,
    startTimeUnixNano: BASE + BigInt(startMs) * 1_000_000n,
    endTimeUnixNano: BASE + BigInt(startMs + 5) * 1_000_000n,
    status: { code: 'STATUS_CODE_OK', message: '' },
    inputs: { big: 'x'.repeat(10_000), id },
    outputs: { answer: id },
    attributes: { 'mlflow.spanType': '"TOOL"' },
    events: [
      { name: 'tick', timeUnixNano: BASE + BigInt(startMs + 1) * 1_000_000n, attributes: {} },
    ],
    ...extra,
  };
}

const trace: TraceInfo = {
  traceId: asTraceId('tr-1'),
  requestTime: '2025-01-01T00:00:00Z',
  state: 'OK',
  metadata: {},
  tags: {},
  assessments: [],
};

/** A trace of `n` spans: a root and its children, each with 10 KB of inputs. */
function spans(n: number): Span[] {
  return [
    span('root', null, 10),
    ...Array.from({ length: n - 1 }, (_, i) => span(`s${i}`, 'root', 20 + i)),
  ];
}

describe('the trace panel’s first message', () => {
  it('summarises every span without its payloads', () => {
    const view = toTraceView(trace, spans(3));
    assert.deepEqual(view.spans[1], {
      spanId: 's0',
      parentSpanId: 'root',
      name: 'span s0',
      startOffsetMs: 10,
      durationMs: 5,
      statusCode: 'STATUS_CODE_OK',
    });
    for (const s of view.spans)
      for (const key of ['inputs', 'outputs', 'attributes', 'events', 'status'])
        assert.ok(!(key in s), `a summary has no ${key}`);
    assert.deepEqual(view.request, { big: 'x'.repeat(10_000), id: 'root' });
  });

  it('grows with the spans’ count, not their payloads: 32 000 spans of 10 KB each', () => {
    const many = spans(32_000);
    const view = toTraceView(trace, many);
    const first = firstRootIndex(many);
    const details = toSpanDetails(many, first, traceOrigin(many), true);
    const bytes = JSON.stringify({ type: 'trace', trace: view, server: 'x', details }).length;
    // 32 000 × 10 KB would be 320 MB; the summaries are a few hundred bytes each.
    assert.ok(bytes < 32_000 * 300, `${bytes} bytes`);
  });

  it('carries the first root’s details, its inputs and outputs not sent twice', () => {
    const list = [span('child', 'root', 20), span('root', null, 10)];
    assert.equal(firstRootIndex(list), 1);
    const details = toSpanDetails(list, 1, traceOrigin(list), true);
    assert.ok(details);
    assert.equal(details.spanId, 'root');
    assert.equal(details.inputs, undefined);
    assert.equal(details.outputs, undefined);
    assert.equal(details.inputsAreRequest, true);
    assert.equal(details.outputsAreResponse, true);
    const view = toTraceView(trace, list);
    assert.ok(
      parseMessage(traceToWebview, { type: 'trace', trace: view, server: 'x', details }).ok,
    );
    assert.equal(firstRootIndex([span('a', 'gone', 0)]), -1, 'no root: nothing shown first');
  });
});

describe('a selected span’s details', () => {
  it('hold that span’s data only, by index (an id can repeat)', () => {
    const list = [span('root', null, 0), span('dup', 'root', 3), span('dup', 'root', 7)];
    const origin = traceOrigin(list);
    const second = toSpanDetails(list, 2, origin);
    assert.ok(second);
    assert.equal(second.index, 2);
    assert.equal(second.spanId, 'dup');
    assert.deepEqual(second.inputs, { big: 'x'.repeat(10_000), id: 'dup' });
    assert.deepEqual(second.events, [{ name: 'tick', offsetMs: 8, attributes: {} }]);
    assert.equal(second.inputsAreRequest, undefined, 'only the first message leaves them out');
    const bytes = JSON.stringify(second).length;
    assert.ok(bytes < 11_000, `${bytes} bytes: one span's`);
    assert.equal(toSpanDetails(list, 3, origin), undefined);
    const root = toSpanDetails(list, 0, origin);
    assert.deepEqual(root?.inputs, { big: 'x'.repeat(10_000), id: 'root' });
  });

  it('finds the earliest start in one pass', () => {
    assert.equal(traceOrigin([]), undefined);
    assert.equal(traceOrigin([span('b', null, 9), span('a', null, 2)]), BASE + 2_000_000n);
  });
});

describe('an LLM call in the trace panel’s messages', () => {
  const inputs = { messages: [{ role: 'user', content: 'x'.repeat(5_000) }] };
  const outputs = { choices: [{ message: { role: 'assistant', content: 'y'.repeat(5_000) } }] };
  // As MLflow's reader decodes a chat-model span: the inputs and outputs are attributes too.
  const chat = span('llm', 'root', 12, {
    spanType: 'CHAT_MODEL',
    inputs,
    outputs,
    attributes: {
      'mlflow.spanType': 'CHAT_MODEL',
      'mlflow.spanInputs': inputs,
      'mlflow.spanOutputs': outputs,
      'mlflow.llm.model': 'gpt-4o-mini',
      'mlflow.chat.tokenUsage': { input_tokens: 12, output_tokens: 14, total_tokens: 26 },
      'mlflow.llm.cost': { input_cost: 1.8e-6, output_cost: 8.4e-6, total_cost: 1.02e-5 },
      temperature: 0.2,
    },
  });
  const list = [span('root', null, 10), chat];

  it('summarises the span with its model, tokens and total cost', () => {
    const view = toTraceView(trace, list);
    assert.deepEqual(view.spans[1], {
      spanId: 'llm',
      parentSpanId: 'root',
      name: 'span llm',
      spanType: 'CHAT_MODEL',
      startOffsetMs: 2,
      durationMs: 5,
      statusCode: 'STATUS_CODE_OK',
      model: 'gpt-4o-mini',
      tokens: { input: 12, output: 14, total: 26 },
      cost: 1.02e-5,
    });
  });

  it('sends the inputs and outputs once, not again among the attributes', () => {
    const details = toSpanDetails(list, 1, traceOrigin(list));
    assert.ok(details);
    assert.deepEqual(details.inputs, inputs);
    assert.deepEqual(Object.keys(details.attributes).sort(), [
      'mlflow.chat.tokenUsage',
      'mlflow.llm.cost',
      'mlflow.llm.model',
      'mlflow.spanType',
      'temperature',
    ]);
    const bytes = JSON.stringify(details).length;
    assert.ok(bytes < 11_000, `${bytes} bytes: the payloads once`);
    assert.ok(parseMessage(traceToWebview, { type: 'spanDetails', traceId: 'tr-1', details }).ok);
  });

  it('gives the trace’s total tokens and cost from its metadata', () => {
    const view = toTraceView(
      {
        ...trace,
        metadata: {
          'mlflow.trace.tokenUsage':
            '{"input_tokens": 12, "output_tokens": 14, "total_tokens": 26}',
          'mlflow.trace.cost':
            '{"input_cost": 1.8e-06, "output_cost": 8.4e-06, "total_cost": 1.0199999999999999e-05}',
        },
      },
      list,
    );
    assert.deepEqual(view.tokenUsage, { input: 12, output: 14, total: 26 });
    assert.equal(view.cost, 1.0199999999999999e-5);
    assert.ok(parseMessage(traceToWebview, { type: 'trace', trace: view, server: 'x' }).ok);
    assert.equal(toTraceView(trace, list).cost, undefined, 'no cost recorded: none shown');
  });
});
