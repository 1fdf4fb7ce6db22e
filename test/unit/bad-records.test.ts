/**
 * One bad record must not take a page down: each trace, assessment and span of a server's answer
 * is read on its own; one that does not fit comes back flagged with what is wrong. The wire
 * objects are built here as the server sends them (proto JSON, snake_case).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraceInfo } from '../../src/mlflow/convert';
import { isMadeUpId } from '../../src/mlflow/ids';
import { deeperThan, MAX_JSON_DEPTH } from '../../src/mlflow/json-depth';
import { parseWire, searchTracesResponse } from '../../src/mlflow/schemas';
import { parseTraceData } from '../../src/mlflow/spans';
import type { Span, TraceInfo } from '../../src/mlflow/types';
import { toTraceView } from '../../src/panels/trace-view';
import { parseTokenUsage } from '../../src/shared/llm-metrics';
import { TRACE_PROTOCOL } from '../../src/shared/protocol/trace';
import { parseMessage } from '../../src/shared/protocol/common';

const URL_ = 'http://127.0.0.1:5000/api/3.0/mlflow/traces/search';

function wireTrace(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    trace_id: id,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: '0' } },
    request_time: '2025-01-01T00:00:00Z',
    execution_duration: '0.5s',
    state: 'OK',
    trace_metadata: {},
    tags: {},
    ...extra,
  };
}

function wireFeedback(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    assessment_id: id,
    assessment_name: 'quality',
    trace_id: 'tr-1',
    source: { source_type: 'HUMAN', source_id: 'ann' },
    create_time: '2025-01-01T00:00:01Z',
    last_update_time: '2025-01-01T00:00:01Z',
    feedback: { value: 'good' },
    ...extra,
  };
}

/** What the client does with a search answer: the list, then each trace on its own. */
function readPage(body: unknown): TraceInfo[] {
  return (parseWire(searchTracesResponse, body, URL_).traces ?? []).map((t, i) =>
    parseTraceInfo(t, URL_, i),
  );
}

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('a page of traces with one bad record', () => {
  it('flags a trace whose field does not fit, and shows the others', () => {
    const traces = readPage({
      traces: [wireTrace('tr-1'), wireTrace('tr-2', { request_time: 17 }), wireTrace('tr-3')],
    });
    assert.deepEqual(
      traces.map((t) => t.traceId),
      ['tr-1', 'tr-2', 'tr-3'],
    );
    assert.equal(traces[0]?.problem, undefined);
    assert.equal(traces[2]?.problem, undefined);
    assert.match(traces[1]?.problem ?? '', /^request_time: expected string.*got 17/);
  });
  it('names the key of a bad value in a map, and the map that is not one', () => {
    const traces = readPage({
      traces: [
        wireTrace('tr-1', { tags: { env: 'dev', team: 5 } }),
        wireTrace('tr-2', { trace_metadata: ['a'] }),
      ],
    });
    assert.match(traces[0]?.problem ?? '', /^tags\.team: expected string.*got 5/);
    assert.match(traces[1]?.problem ?? '', /^trace_metadata: expected record/);
  });
  it('flags a record that is not an object, with a name of its own', () => {
    const traces = readPage({ traces: [wireTrace('tr-1'), 'oops', null] });
    assert.equal(traces.length, 3);
    assert.equal(traces[1]?.traceId, '(unreadable trace 2)');
    assert.match(traces[1].problem ?? '', /expected object/);
  });
  it('reads an unknown trace state as unspecified', () => {
    const [trace] = readPage({ traces: [wireTrace('tr-1', { state: 'PAUSED' })] });
    assert.equal(trace?.state, 'STATE_UNSPECIFIED');
    assert.equal(trace.problem, undefined);
  });
  it('flags a bad duration and keeps the rest of the trace', () => {
    const [trace] = readPage({ traces: [wireTrace('tr-1', { execution_duration: 'soon' })] });
    assert.equal(trace?.executionDurationMs, undefined);
    assert.match(trace?.problem ?? '', /^execution_duration/);
  });
  it('shows a trace nested 2 000 levels deep in a feedback value, cut, with the others', () => {
    const deep = wireFeedback('a-deep', { feedback: { value: nested(2000) } });
    const traces = readPage({
      traces: [wireTrace('tr-1', { assessments: [deep] }), wireTrace('tr-2')],
    });
    assert.equal(traces.length, 2);
    const value = traces[0]?.assessments[0]?.value;
    assert.equal(deeperThan(value, MAX_JSON_DEPTH), false);
    assert.match(JSON.stringify(value), /nested more than 64 levels deep/);
  });
  it('flags a trace whose own fields nest thousands of levels deep', () => {
    const traces = readPage({
      traces: [wireTrace('tr-1', { tags: nested(5000) }), wireTrace('tr-2')],
    });
    assert.match(traces[0]?.problem ?? '', /nested more than 200 levels deep/);
    assert.equal(traces[1]?.problem, undefined);
  });
});

describe('assessments of a trace, each on its own', () => {
  it('flags a bad assessment and shows the trace and its other assessments', () => {
    const [trace] = readPage({
      traces: [
        wireTrace('tr-1', {
          assessments: [
            wireFeedback('a-1'),
            wireFeedback('a-2', { create_time: { seconds: 1 } }),
            wireFeedback('a-3'),
          ],
        }),
      ],
    });
    assert.equal(trace?.problem, undefined);
    assert.deepEqual(
      trace?.assessments.map((a) => [a.assessmentId, a.problem === undefined]),
      [
        ['a-1', true],
        ['a-2', false],
        ['a-3', true],
      ],
    );
    const bad = trace.assessments[1];
    assert.equal(bad?.name, 'quality');
    assert.match(bad.problem ?? '', /^create_time: expected string/);
  });
  it('reads an unknown source type as unspecified', () => {
    const [trace] = readPage({
      traces: [
        wireTrace('tr-1', {
          assessments: [wireFeedback('a-1', { source: { source_type: 'ROBOT' } })],
        }),
      ],
    });
    assert.equal(trace?.assessments[0]?.source.sourceType, 'SOURCE_TYPE_UNSPECIFIED');
    assert.equal(trace.assessments[0].problem, undefined);
  });
  it('shows an expectation whose serialized value is not JSON as its text, flagged', () => {
    const expectation = wireFeedback('a-1', {
      feedback: undefined,
      expectation: { serialized_value: { serialization_format: 'JSON_FORMAT', value: '{oops' } },
    });
    const [trace] = readPage({
      traces: [wireTrace('tr-1', { assessments: [expectation, wireFeedback('a-2')] })],
    });
    const [first, second] = trace?.assessments ?? [];
    assert.equal(first?.kind, 'expectation');
    assert.equal(first.value, '{oops');
    assert.match(first.problem ?? '', /serialized_value: not valid JSON/);
    assert.equal(second?.value, 'good');
  });
  it('flags an assessment with neither feedback nor expectation', () => {
    const [trace] = readPage({
      traces: [wireTrace('tr-1', { assessments: [wireFeedback('a-1', { feedback: undefined })] })],
    });
    assert.match(trace?.assessments[0]?.problem ?? '', /neither feedback nor expectation/);
  });
  it('keeps the assessments of a trace that is itself flagged', () => {
    const [trace] = readPage({
      traces: [wireTrace('tr-1', { tags: [1, 2], assessments: [wireFeedback('a-1')] })],
    });
    assert.match(trace?.problem ?? '', /^tags/);
    assert.equal(trace?.assessments[0]?.value, 'good');
  });
});

describe('token usage', () => {
  const usage = (text: string) => parseTokenUsage(text);
  it('ignores "null", lists and text', () => {
    assert.equal(usage('null'), undefined);
    assert.equal(usage('[1, 2]'), undefined);
    assert.equal(usage('"many"'), undefined);
    assert.equal(usage('{"input_tokens": "null"}'), undefined);
  });
  it('ignores counts that are not finite (1e999 reads as Infinity)', () => {
    assert.equal(usage('{"input_tokens": 1e999}'), undefined);
    assert.deepEqual(usage('{"input_tokens": 1e999, "output_tokens": 3}'), { output: 3 });
  });
  it('shows a trace whose token usage is "null"', () => {
    const [trace] = readPage({
      traces: [wireTrace('tr-1', { trace_metadata: { 'mlflow.trace.tokenUsage': 'null' } })],
    });
    assert.ok(trace);
    const view = toTraceView(trace, []);
    assert.equal(view.tokenUsage, undefined);
    assert.equal(
      parseMessage(TRACE_PROTOCOL.toWebview, { type: 'trace', trace: view, server: 'x' }).ok,
      true,
    );
  });
});

describe('the trace panel message', () => {
  it('passes a value nested 2 000 levels deep, cut, instead of overflowing the check', () => {
    const [trace] = readPage({ traces: [wireTrace('tr-1')] });
    assert.ok(trace);
    const view = toTraceView(trace, []);
    const message = { type: 'trace', trace: { ...view, request: nested(2000) }, server: 'x' };
    const parsed = parseMessage(TRACE_PROTOCOL.toWebview, message);
    assert.equal(parsed.ok, true);
    assert.ok(parsed.ok);
    assert.ok(parsed.message.type === 'trace');
    assert.equal(deeperThan(parsed.message.trace.request, MAX_JSON_DEPTH), false);
  });
});

describe('spans, each on its own', () => {
  function wireSpan(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      trace_id: 'obrud+e1v6l3oQCCVWuQuQ==',
      span_id: id,
      parent_span_id: null,
      name: `span ${id}`,
      start_time_unix_nano: 1_700_000_000_000_000,
      end_time_unix_nano: 1_700_000_001_000_000,
      status: { code: 'STATUS_CODE_OK', message: '' },
      attributes: { 'mlflow.traceRequestId': '"tr-1"' },
      events: [],
      ...extra,
    };
  }
  const read = (spans: unknown[]): Span[] => parseTraceData(JSON.stringify({ spans }), URL_);

  it('flags a bad span and shows the others', () => {
    const spans = read([
      wireSpan('aaaaaaaaaaaaaaaa'),
      wireSpan('bbbbbbbbbbbbbbbb', { start_time_unix_nano: 'yesterday' }),
      wireSpan('cccccccccccccccc'),
    ]);
    assert.deepEqual(
      spans.map((s) => [s.spanId, s.problem === undefined]),
      [
        ['aaaaaaaaaaaaaaaa', true],
        ['bbbbbbbbbbbbbbbb', false],
        ['cccccccccccccccc', true],
      ],
    );
    assert.match(spans[1]?.problem ?? '', /^start_time_unix_nano/);
    assert.equal(spans[1]?.traceId, 'tr-1');
  });
  it('reads an unknown status code as unset, and the short forms as the long ones', () => {
    const spans = read([
      wireSpan('aaaaaaaaaaaaaaaa', { status: { code: 'STATUS_CODE_MAYBE' } }),
      wireSpan('bbbbbbbbbbbbbbbb', { status: { code: 'ERROR', message: 'boom' } }),
    ]);
    assert.equal(spans[0]?.status.code, 'STATUS_CODE_UNSET');
    assert.equal(spans[0].problem, undefined);
    assert.equal(spans[1]?.status.code, 'STATUS_CODE_ERROR');
  });
  it('flags a repeated span id', () => {
    const spans = read([wireSpan('aaaaaaaaaaaaaaaa'), wireSpan('aaaaaaaaaaaaaaaa')]);
    assert.equal(spans.length, 2);
    assert.equal(spans[0]?.problem, undefined);
    assert.match(spans[1]?.problem ?? '', /same as an earlier span/);
  });
  it('flags a span nested thousands of levels deep and shows the others', () => {
    const spans = read([
      wireSpan('aaaaaaaaaaaaaaaa', { attributes: nested(3000) }),
      wireSpan('bbbbbbbbbbbbbbbb'),
    ]);
    assert.match(spans[0]?.problem ?? '', /nested more than 200 levels deep/);
    assert.equal(spans[1]?.problem, undefined);
  });
  it('carries each problem, of the trace, an assessment and a span, to the trace panel', () => {
    const [trace] = readPage({
      traces: [
        wireTrace('tr-1', {
          execution_duration: 'soon',
          assessments: [
            wireFeedback('a-1'),
            wireFeedback('a-2', { create_time: 7 }),
            wireFeedback('', { source: 'nobody' }),
          ],
        }),
      ],
    });
    assert.ok(trace);
    const spans = read([wireSpan('aaaaaaaaaaaaaaaa'), wireSpan('aaaaaaaaaaaaaaaa')]);
    const parsed = parseMessage(TRACE_PROTOCOL.toWebview, {
      type: 'trace',
      trace: toTraceView(trace, spans),
      server: 'x',
    });
    assert.ok(parsed.ok && parsed.message.type === 'trace');
    const view = parsed.message.trace;
    assert.match(view.problem ?? '', /^execution_duration: "soon"/);
    assert.deepEqual(
      view.assessments.map((a) => [a.assessmentId, a.problem?.split(':')[0]]),
      [
        ['a-1', undefined],
        ['a-2', 'create_time'],
        ['(unreadable assessment 3 of tr-1)', 'source'],
      ],
    );
    assert.deepEqual(
      view.assessments.map((a) => isMadeUpId(a.assessmentId)),
      [false, false, true],
    );
    assert.deepEqual(
      view.spans.map((s) => s.problem),
      [undefined, 'span_id: the same as an earlier span'],
    );
  });
});
