import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyDraft } from '../../src/shared/form-logic';
import { parseMessage } from '../../src/shared/protocol/common';
import { formFromWebview, formToWebview } from '../../src/shared/protocol/form';
import * as z from '../../src/mlflow/zod';
import { spanSummary, traceFromWebview, traceToWebview } from '../../src/shared/protocol/trace';

/** A trace view's fields besides its spans, as the panel sends them. */
const TRACE_VIEW = {
  traceId: 'tr-1',
  name: 'app',
  state: 'OK',
  requestTime: '',
  tags: {},
  metadata: {},
  assessments: [],
};

describe('the webview protocol', () => {
  it('accepts the messages each side sends', () => {
    assert.ok(parseMessage(traceFromWebview, { type: 'ready' }).ok);
    assert.ok(parseMessage(formFromWebview, { type: 'ready' }).ok);
    assert.ok(
      parseMessage(formFromWebview, {
        type: 'submit',
        traceId: 'tr-1',
        generation: 1,
        draft: emptyDraft('me'),
        next: false,
      }).ok,
    );
    assert.ok(
      parseMessage(traceFromWebview, {
        type: 'assessmentAction',
        action: 'override',
        assessmentId: 'a-1',
      }).ok,
    );
    assert.ok(
      parseMessage(formToWebview, { type: 'submitFailed', message: 'down', field: 'valueText' }).ok,
    );
    assert.ok(parseMessage(traceToWebview, { type: 'error', message: 'gone' }).ok);
  });

  it('carries what did not fit in the trace, an assessment and a span, as text only', () => {
    const assessment = {
      assessmentId: 'a-1',
      kind: 'feedback',
      name: 'quality',
      value: null,
      source: { sourceType: 'SOURCE_TYPE_UNSPECIFIED' },
      createTime: '',
      lastUpdateTime: '',
      metadata: {},
      valid: true,
      problem: 'create_time: expected string, received number',
    };
    const span = {
      spanId: 'aaaaaaaaaaaaaaaa',
      parentSpanId: null,
      name: 'again',
      startOffsetMs: 0,
      durationMs: 1,
      statusCode: 'STATUS_CODE_OK',
      problem: 'span_id: the same as an earlier span',
    };
    const trace = {
      ...TRACE_VIEW,
      assessments: [assessment],
      spans: [span],
      problem: 'execution_duration: "soon" is not a duration',
    };
    const parsed = parseMessage(traceToWebview, { type: 'trace', trace, server: 'x' });
    assert.ok(parsed.ok && parsed.message.type === 'trace');
    assert.equal(parsed.message.trace.problem, trace.problem);
    assert.equal(parsed.message.trace.assessments[0]?.problem, assessment.problem);
    assert.equal(parsed.message.trace.spans[0]?.problem, span.problem);
    for (const bad of [
      { ...trace, problem: { html: '<b>x</b>' } },
      { ...trace, assessments: [{ ...assessment, problem: 1 }] },
      { ...trace, spans: [{ ...span, problem: ['x'] }] },
    ])
      assert.ok(!parseMessage(traceToWebview, { type: 'trace', trace: bad, server: 'x' }).ok);
  });

  it('keeps each panel to its own messages', () => {
    // A form message sent to the trace panel's host (or the other way) is rejected, not ignored.
    const submitToTrace = parseMessage(traceFromWebview, {
      type: 'submit',
      draft: emptyDraft('me'),
      next: false,
    });
    assert.ok(!submitToTrace.ok);
    assert.match(submitToTrace.reason, /^type: /);
    assert.ok(!parseMessage(formFromWebview, { type: 'refresh' }).ok);
    assert.ok(!parseMessage(formToWebview, { type: 'trace', trace: {} }).ok);
    assert.ok(!parseMessage(traceToWebview, { type: 'submitting' }).ok);
  });

  it('rejects what does not match, saying where', () => {
    const unknown = parseMessage(traceFromWebview, { type: 'run', code: 'alert(1)' });
    assert.ok(!unknown.ok);
    assert.match(unknown.reason, /^type: Invalid discriminator value/);
    const bad = parseMessage(traceFromWebview, {
      type: 'assessmentAction',
      action: 'drop-table',
      assessmentId: 'a-1',
    });
    assert.ok(!bad.ok);
    assert.match(bad.reason, /^action: /);
    const draft = parseMessage(formFromWebview, {
      type: 'submit',
      traceId: 'tr-1',
      generation: 1,
      draft: { ...emptyDraft('me'), valueType: 'date' },
      next: false,
    });
    assert.ok(!draft.ok);
    assert.match(draft.reason, /^draft\.valueType: /);
    assert.equal(parseMessage(formFromWebview, 'ready').ok, false);
  });

  it('has a form name its server, and a submit name the trace of its form', () => {
    const form = {
      mode: 'feedback',
      traceId: 'tr-1',
      server: 'http://127.0.0.1:5000',
      traceName: 'chat',
      spans: [],
      nameSuggestions: [],
      reviewer: 'me',
      draft: emptyDraft('me'),
    };
    assert.ok(parseMessage(formToWebview, { type: 'form', form, generation: 1 }).ok);
    const { server: _server, ...serverless } = form;
    const noServer = parseMessage(formToWebview, {
      type: 'form',
      form: serverless,
      generation: 1,
    });
    assert.ok(!noServer.ok);
    assert.match(noServer.reason, /^form\.server: /);
    const noTrace = parseMessage(formFromWebview, {
      type: 'submit',
      generation: 1,
      draft: emptyDraft('me'),
      next: false,
    });
    assert.ok(!noTrace.ok);
    assert.match(noTrace.reason, /^traceId: /);
  });

  it('has a form and its submit name which form of the panel they are', () => {
    const submit = { type: 'submit', traceId: 'tr-1', draft: emptyDraft('me'), next: true };
    const unnumbered = parseMessage(formFromWebview, submit);
    assert.ok(!unnumbered.ok);
    assert.match(unnumbered.reason, /^generation: /);
    assert.ok(!parseMessage(formFromWebview, { ...submit, generation: 1.5 }).ok);
  });

  it('tells a form that its server is not the one read now, and that it is again', () => {
    assert.ok(parseMessage(formToWebview, { type: 'elsewhere', message: 'on another server' }).ok);
    assert.ok(parseMessage(formToWebview, { type: 'elsewhere' }).ok);
    const notText = parseMessage(formToWebview, { type: 'elsewhere', message: 42 });
    assert.ok(!notText.ok);
    assert.match(notText.reason, /^message: /);
  });

  it('updates a trace shown without its spans, request and response', () => {
    const update = {
      traceId: 'tr-1',
      name: 'chat',
      state: 'OK',
      requestTime: '2026-11-30T10:00:00Z',
      tags: {},
      metadata: {},
      assessments: [],
    };
    assert.ok(parseMessage(traceToWebview, { type: 'traceUpdate', trace: update }).ok);
    // A whole trace needs its spans: an update is not one.
    assert.ok(!parseMessage(traceToWebview, { type: 'trace', trace: update, server: 'x' }).ok);
  });

  it('sends a selected span’s details alone, asked for by index and id', () => {
    const details = {
      index: 3,
      spanId: 'aaaaaaaaaaaaaaaa',
      status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
      inputs: { q: 'x' },
      attributes: { 'mlflow.spanType': 'TOOL' },
      events: [{ name: 'exception', offsetMs: 1.5, attributes: {} }],
    };
    assert.ok(parseMessage(traceToWebview, { type: 'spanDetails', traceId: 'tr-1', details }).ok);
    for (const index of [-1, 1.5, '3'])
      assert.ok(
        !parseMessage(traceToWebview, {
          type: 'spanDetails',
          traceId: 'tr-1',
          details: { ...details, index },
        }).ok,
      );
    const ask = { type: 'selectSpan', traceId: 'tr-1', index: 3, spanId: 'aaaaaaaaaaaaaaaa' };
    assert.ok(parseMessage(traceFromWebview, ask).ok);
    assert.ok(!parseMessage(traceFromWebview, { ...ask, index: -2 }).ok);
  });

  it('has the webview say what it redrew, and why', () => {
    const rendered = {
      type: 'rendered',
      ms: 3,
      cause: 'select',
      redrawn: ['selection', 'details'],
      rows: 40,
      scroll: { list: 320, page: 0 },
    };
    assert.ok(parseMessage(traceFromWebview, rendered).ok);
    assert.ok(!parseMessage(traceFromWebview, { ...rendered, redrawn: ['everything'] }).ok);
    assert.ok(!parseMessage(traceFromWebview, { ...rendered, cause: 'magic' }).ok);
  });
});

describe("the trace message's span list", () => {
  const summary = {
    spanId: 'aaaaaaaaaaaaaaaa',
    parentSpanId: 'bbbbbbbbbbbbbbbb',
    name: 'llm',
    spanType: 'CHAT_MODEL',
    startOffsetMs: 1.5,
    durationMs: 20,
    statusCode: 'STATUS_CODE_OK',
    model: 'gpt-4o-mini',
    tokens: { input: 10, output: 5, total: 15 },
    cost: 0.001,
    problem: 'a note',
  };
  const values: unknown[] = [
    undefined,
    null,
    0,
    Infinity,
    Number.NaN,
    'text',
    true,
    [],
    {},
    { input: 1 },
    { input: 'many' },
    { input: 1, extra: 2 },
  ];
  /** The summary with `field` set to `value` (undefined: left out), or a field it does not have. */
  const variants = [
    summary,
    { ...summary, unknown: 'x' },
    JSON.parse('{"__proto__": 1}') as object,
    ...Object.keys(summary).flatMap((field) =>
      values.map((value) => {
        const copy: Record<string, unknown> = { ...summary };
        if (value === undefined) Reflect.deleteProperty(copy, field);
        else copy[field] = value;
        return copy;
      }),
    ),
  ];
  const read = (spans: unknown) =>
    parseMessage(traceToWebview, { type: 'trace', trace: { ...TRACE_VIEW, spans }, server: 'x' });
  it('reads every summary as zod does, fitting or not, and names what does not fit', () => {
    let accepted = 0;
    for (const variant of variants) {
      const label = JSON.stringify(variant);
      const ours = read([summary, variant]);
      const zods = z.array(spanSummary).safeParse([summary, variant]);
      assert.equal(ours.ok, zods.success, label);
      if (ours.ok && ours.message.type === 'trace' && zods.success) {
        accepted++;
        assert.deepEqual(ours.message.trace.spans, zods.data, label);
      }
      if (!ours.ok) assert.match(ours.reason, /^trace\.spans\.1/, label);
    }
    assert.ok(
      accepted > 10 && accepted < variants.length - 30,
      `${accepted} of ${variants.length}`,
    );
    assert.ok(!read('not a list').ok);
  });

  it('takes a list that fits as it is, without a copy of each summary', () => {
    const spans = [summary, { ...summary, spanId: 'cccccccccccccccc', tokens: {} }];
    const ours = read(spans);
    assert.ok(ours.ok && ours.message.type === 'trace');
    assert.equal(ours.message.trace.spans, spans);
  });
});
