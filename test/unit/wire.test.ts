import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseDurationMs,
  sourceOrDefault,
  toAssessment,
  toWireNewAssessment,
} from '../../src/mlflow/convert';
import {
  MlflowApiError,
  MlflowInputError,
  MlflowNetworkError,
  MlflowResponseError,
} from '../../src/mlflow/errors';
import { authorizationHeader, classifyNetworkError, parseRetryAfter } from '../../src/mlflow/http';
import { assessmentResponse, parseWire } from '../../src/mlflow/schemas';
import { parseTraceData, quoteNanos, spanIdToHex } from '../../src/mlflow/spans';
import type { Span } from '../../src/mlflow/types';

const URL_ = 'http://127.0.0.1:5000/api/3.0/mlflow/traces/search';

describe('response validation', () => {
  it('names the field that does not match, with what came instead', () => {
    const body = { assessment: { assessment_id: 'a-1', assessment_name: 17 } };
    assert.throws(
      () => parseWire(assessmentResponse, body, URL_),
      (e: unknown) =>
        e instanceof MlflowResponseError &&
        e.field === 'assessment.assessment_name' &&
        /expected string/.test(e.message) &&
        /got 17/.test(e.message),
    );
  });
  it('reports a missing field as missing', () => {
    assert.throws(
      () => parseWire(assessmentResponse, { assessment: { assessment_id: 'a-1' } }, URL_),
      (e: unknown) =>
        e instanceof MlflowResponseError &&
        e.field === 'assessment.assessment_name' &&
        /missing/.test(e.message),
    );
  });
  it('reads an unknown source type as unspecified rather than failing', () => {
    const wire = {
      assessment: {
        assessment_id: 'a-1',
        assessment_name: 'n',
        trace_id: 'tr-1',
        create_time: 't',
        last_update_time: 't',
        source: { source_type: 'ROBOT' },
        feedback: { value: 1 },
      },
    };
    assert.equal(
      parseWire(assessmentResponse, wire, URL_).assessment.source.source_type,
      'SOURCE_TYPE_UNSPECIFIED',
    );
  });
  it('maps a wire assessment to the domain, absent fields as Python reads them', () => {
    const wire = parseWire(
      assessmentResponse,
      {
        assessment: {
          assessment_id: 'a-1',
          assessment_name: 'n',
          trace_id: 'tr-1',
          create_time: 't1',
          last_update_time: 't2',
          source: { source_type: 'LLM_JUDGE' },
          feedback: { value: null, error: { error_code: 'E' } },
          extra: 'ignored',
        },
      },
      URL_,
    ).assessment;
    assert.deepEqual(toAssessment(wire), {
      kind: 'feedback',
      assessmentId: 'a-1',
      traceId: 'tr-1',
      name: 'n',
      source: { sourceType: 'LLM_JUDGE' },
      createTime: 't1',
      lastUpdateTime: 't2',
      metadata: {},
      valid: true,
      value: null,
      error: { errorCode: 'E' },
    });
  });
  it('parses proto durations and refuses others', () => {
    assert.equal(parseDurationMs('1.234s', URL_), 1234);
    assert.equal(parseDurationMs('0s', URL_), 0);
    assert.throws(() => parseDurationMs('12ms', URL_), MlflowResponseError);
  });
});

describe('spans', () => {
  it('keeps nanosecond times exact and converts base64 ids to hex', () => {
    const text =
      '{"spans": [{"trace_id": "obrud+e1v6l3oQCCVWuQuQ==", "span_id": "rA+S8DCbZL8=", "parent_span_id": null, "name": "app",' +
      ' "start_time_unix_nano": 1795385074147073064, "end_time_unix_nano": 1795385074215446984, "status": {"code": "STATUS_CODE_OK", "message": ""},' +
      ' "attributes": {"mlflow.spanType": "\\"LLM\\"", "mlflow.spanInputs": "{\\"q\\": \\"<b>x</b>\\"}", "raw": "not json", "n": "10"},' +
      ' "events": [{"name": "e", "time_unix_nano": 1795385074147073065, "attributes": {"k": "\\"v\\""}}]}]}';
    const [span] = parseTraceData(text, URL_);
    assert.ok(span);
    assert.equal(span.startTimeUnixNano, 1795385074147073064n);
    assert.equal(span.endTimeUnixNano, 1795385074215446984n);
    assert.equal(span.spanId, 'ac0f92f0309b64bf');
    assert.equal(span.parentSpanId, null);
    assert.equal(span.spanType, 'LLM');
    assert.deepEqual(span.inputs, { q: '<b>x</b>' });
    assert.equal(span.attributes.raw, 'not json');
    assert.equal(span.attributes.n, 10);
    assert.equal(span.events[0]?.timeUnixNano, 1795385074147073065n);
    assert.equal(span.events[0].attributes.k, 'v');
  });
  it('reads inputs and outputs from their JSON text when asked, and keeps them out of attributes', () => {
    const span = (attributes: string, id = 'rA+S8DCbZL8=') =>
      `{"trace_id": "obrud+e1v6l3oQCCVWuQuQ==", "span_id": "${id}", "name": "s", "start_time_unix_nano": 1, "attributes": ${attributes}}`;
    const [text, object, bad, repeated] = parseTraceData(
      `{"spans": [${[
        span('{"mlflow.spanInputs": "{\\"q\\": [1, 2]}", "mlflow.spanOutputs": "\\"done\\""}'),
        span('{"mlflow.spanInputs": {"already": "decoded"}}', 'AAAAAAAAAAE='),
        span('{"mlflow.spanOutputs": "not json"}', 'AAAAAAAAAAI='),
        span('{"mlflow.spanInputs": "{\\"again\\": true}"}'),
      ].join(', ')}]}`,
      URL_,
    );
    assert.ok(text && object && bad && repeated);
    assert.deepEqual(text.inputs, { q: [1, 2] });
    assert.equal(text.inputs, text.inputs, 'decoded once');
    assert.equal(text.outputs, 'done');
    assert.deepEqual(text.attributes, {});
    assert.deepEqual(object.inputs, { already: 'decoded' });
    assert.equal(object.outputs, undefined);
    assert.equal(bad.outputs, 'not json');
    assert.equal(bad.inputs, undefined);
    assert.match(repeated.problem ?? '', /same as an earlier span/);
    assert.deepEqual(repeated.inputs, { again: true }, 'a flagged span keeps its inputs');
  });
  it('keeps an attribute named __proto__ as an attribute, not as the prototype', () => {
    const [span] = parseTraceData(
      '{"spans": [{"trace_id": "obrud+e1v6l3oQCCVWuQuQ==", "span_id": "rA+S8DCbZL8=", "name": "s", "start_time_unix_nano": 1,' +
        ' "attributes": {"__proto__": "{\\"polluted\\": true}"}}]}',
      URL_,
    );
    assert.ok(span);
    assert.deepEqual(Object.keys(span.attributes), ['__proto__']);
    assert.equal(Object.getPrototypeOf(span.attributes), Object.prototype);
  });
  it('quotes the digits of nanosecond times only, wherever JSON allows spaces', () => {
    assert.equal(
      quoteNanos(
        '{"start_time_unix_nano" :\n 1795385074147073064, "end_time_unix_nano":1795385074215446984}',
      ),
      '{"start_time_unix_nano" :\n "1795385074147073064", "end_time_unix_nano":"1795385074215446984"}',
    );
    const untouched = [
      '{"time_unix_nano": 12}',
      '{"xtime_unix_nano": 1795385074147073064}',
      '{"a": "\\"time_unix_nano\\": 1795385074147073064"}',
      '{"time_unix_nano": "1795385074147073064"}',
    ];
    for (const text of untouched) assert.equal(quoteNanos(text), text);
    assert.equal(
      quoteNanos('[{"time_unix_nano": 1795385074147073065}, {"time_unix_nano": 1}]'),
      '[{"time_unix_nano": "1795385074147073065"}, {"time_unix_nano": 1}]',
    );
  });
  it('puts back the exact times where they pair up with the text, and quotes them first where not', () => {
    const span = (fields: string, id = 'rA+S8DCbZL8=') =>
      `{"trace_id": "obrud+e1v6l3oQCCVWuQuQ==", "span_id": "${id}", "name": "s", ${fields}}`;
    const events =
      '"events": [{"name": "a", "time_unix_nano": 1795385074147073070}, {"name": "b", "time_unix_nano": 5}]';
    const texts = [
      // MLflow's order, and events before the times.
      span(
        '"start_time_unix_nano": 1795385074147073064, "end_time_unix_nano": 1795385074147073099',
      ),
      span(
        `${events}, "end_time_unix_nano" :\n 1795385074147073099, "start_time_unix_nano": 1795385074147073064`,
      ),
      // A time nested where spans keep none: it pairs with nothing.
      span(
        '"start_time_unix_nano": 1795385074147073064, "attributes": {"x": {"end_time_unix_nano": 1795385074147073001}}',
      ),
      // A repeated key: JSON.parse keeps the last value.
      span(
        '"start_time_unix_nano": 1795385074147073064, "start_time_unix_nano": 1795385074147073199',
      ),
      // Numbers written otherwise (an exponent), and the smallest found as digits.
      span('"start_time_unix_nano": 1.795385074147073e18'),
      // As many digits found as times parsed, but not the same numbers.
      span(
        '"start_time_unix_nano": 1.795385074147073e18, "attributes": {"x": {"end_time_unix_nano": 1695385074147073001}}',
      ),
      span('"start_time_unix_nano": 1000000000000000'),
      span('"start_time_unix_nano": 1795385074147073064, "end_time_unix_nano": null'),
      `${span('"start_time_unix_nano": 1795385074147073064')}, ${span('"start_time_unix_nano": 1795385074147073065', 'AAAAAAAAAAE=')}`,
    ].map((spans) => `{"spans": [${spans}]}`);
    const view = (spans: Span[]) =>
      spans.map((s) => ({ ...s, inputs: s.inputs, outputs: s.outputs }));
    for (const text of texts)
      assert.deepEqual(
        view(parseTraceData(text, URL_)),
        view(parseTraceData(quoteNanos(text), URL_)),
        text,
      );
    const [ordered] = parseTraceData(texts[1] ?? '', URL_);
    assert.ok(ordered);
    assert.equal(ordered.startTimeUnixNano, 1795385074147073064n);
    assert.equal(ordered.endTimeUnixNano, 1795385074147073099n);
    assert.deepEqual(
      ordered.events.map((e) => e.timeUnixNano),
      [1795385074147073070n, 5n],
    );
    assert.equal(parseTraceData(texts[3] ?? '', URL_)[0]?.startTimeUnixNano, 1795385074147073199n);
    assert.equal(parseTraceData(texts[2] ?? '', URL_)[0]?.startTimeUnixNano, 1795385074147073064n);
  });
  it('leaves hex ids as they are', () => {
    assert.equal(spanIdToHex('ac0f92f0309b64bf'), 'ac0f92f0309b64bf');
  });
  it('names a non-JSON body', () => {
    assert.throws(() => parseTraceData('<html>', URL_), MlflowResponseError);
  });
});

describe('transport helpers', () => {
  it('builds Basic and Bearer headers and none for anonymous', () => {
    assert.equal(
      authorizationHeader({ kind: 'basic', username: 'ann', password: 'p:w' }),
      `Basic ${Buffer.from('ann:p:w').toString('base64')}`,
    );
    assert.equal(authorizationHeader({ kind: 'bearer', token: 't0k' }), 'Bearer t0k');
    assert.equal(authorizationHeader({ kind: 'none' }), undefined);
  });
  it('reads Retry-After as seconds or as a date', () => {
    assert.equal(parseRetryAfter('2'), 2000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
    assert.equal(parseRetryAfter('soon'), undefined);
  });
  it('classifies low-level network errors', () => {
    const withCode = (code: string) => Object.assign(new Error(code), { code });
    assert.equal(classifyNetworkError(withCode('ECONNREFUSED')), 'refused');
    assert.equal(classifyNetworkError(new AggregateError([withCode('ECONNREFUSED')])), 'refused');
    assert.equal(classifyNetworkError(withCode('ENOTFOUND')), 'dns');
    // A client we closed ourselves (the server changed) is not a fault of the server.
    assert.equal(classifyNetworkError(withCode('UND_ERR_DESTROYED')), 'cancelled');
    assert.equal(classifyNetworkError(withCode('UND_ERR_HEADERS_TIMEOUT')), 'timeout');
    assert.equal(classifyNetworkError(withCode('DEPTH_ZERO_SELF_SIGNED_CERT')), 'tls');
    assert.equal(classifyNetworkError(withCode('ERR_TLS_CERT_ALTNAME_INVALID')), 'tls');
    assert.equal(classifyNetworkError(withCode('ECONNRESET')), 'reset');
    assert.equal(classifyNetworkError(new Error('no code')), 'other');
  });
});

describe('error messages say what to do', () => {
  const url = 'http://127.0.0.1:5000/api/3.0/mlflow/traces/tr-1';
  const cases: [Error, RegExp][] = [
    [
      new MlflowApiError(401, 'UNAUTHENTICATED', 'You are not authenticated', 'GET', url),
      /Sign in/,
    ],
    [new MlflowApiError(403, 'PERMISSION_DENIED', 'nope', 'POST', url), /read-only access/],
    [
      new MlflowApiError(
        403,
        undefined,
        'Invalid Host header - possible DNS rebinding attack detected',
        'GET',
        url,
      ),
      /--allowed-hosts naming it \(e\.g\. --allowed-hosts 127\.0\.0\.1\)/,
    ],
    [
      new MlflowApiError(404, 'RESOURCE_DOES_NOT_EXIST', 'Trace not found', 'GET', url),
      /deleted, or the id is wrong.*Trace not found/,
    ],
    [new MlflowApiError(500, undefined, 'Traceback ...', 'POST', url), /Try again.*server's log/],
    [
      new MlflowApiError(400, 'INVALID_PARAMETER_VALUE', 'bad filter', 'POST', url),
      /rejected.*bad filter/,
    ],
    [
      new MlflowNetworkError('refused', 'GET', url, 'ECONNREFUSED'),
      /Start the server or correct the tracking URL/,
    ],
    [new MlflowNetworkError('timeout', 'GET', url, undefined), /did not answer .* in time/],
    [new MlflowNetworkError('tls', 'GET', url, 'CERT_HAS_EXPIRED'), /has expired.*caFile cannot/],
  ];
  for (const [error, pattern] of cases) {
    it(`${error.name}: ${pattern.source}`, () => {
      assert.match(error.message, pattern);
      assert.doesNotMatch(error.message, /\n/);
    });
  }
  it('hints at --allowed-hosts only when the server refused the host name', () => {
    const denied = new MlflowApiError(403, 'PERMISSION_DENIED', 'Permission denied', 'POST', url);
    assert.doesNotMatch(denied.message, /allowed-hosts/);
  });
});

describe('text MLflow’s databases refuse', () => {
  it('refuses a NUL character in a name, rationale, source or metadata, saying where', () => {
    const nul = 'a\u0000b';
    const refused = (input: Parameters<typeof toWireNewAssessment>[1], where: RegExp) =>
      assert.throws(
        () => toWireNewAssessment('tr-1', input),
        (error) => error instanceof MlflowInputError && where.test(error.message),
      );
    refused({ kind: 'feedback', name: nul, value: true }, /^The name holds a NUL/);
    refused({ kind: 'feedback', value: true, rationale: nul }, /^The rationale holds a NUL/);
    refused(
      { kind: 'expectation', name: 'x', value: 1, source: { sourceType: 'HUMAN', sourceId: nul } },
      /^The source id/,
    );
    refused({ kind: 'feedback', value: true, metadata: { k: nul } }, /^The metadata value of "k"/);
    // Inside a value it is JSON text, which every backend stores.
    assert.ok(toWireNewAssessment('tr-1', { kind: 'feedback', value: nul }));
  });
});

describe('the source an assessment is logged with', () => {
  it('fills in what Python fills in, the same for the wire and for finding a lost write', () => {
    assert.deepEqual(sourceOrDefault(undefined, 'feedback'), {
      sourceType: 'CODE',
      sourceId: 'default',
    });
    assert.deepEqual(sourceOrDefault({ sourceType: 'HUMAN' }, 'expectation'), {
      sourceType: 'HUMAN',
      sourceId: 'default',
    });
    const wire = toWireNewAssessment('tr-1', { kind: 'feedback', value: true });
    assert.deepEqual(wire.source, { source_type: 'CODE', source_id: 'default' });
  });
});
