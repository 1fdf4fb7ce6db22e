import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asAssessmentId,
  asTraceId,
  MlflowInputError,
  type Assessment,
  type TraceInfo,
} from '../../src/mlflow';
import {
  assessmentOfTrace,
  checkSpanOfTrace,
  checkSubmittedTrace,
} from '../../src/panels/webview-checks';

const TRACE_ID = asTraceId('tr-1');
const feedback: Assessment = {
  assessmentId: asAssessmentId('a-1'),
  traceId: TRACE_ID,
  kind: 'feedback',
  name: 'correct',
  value: true,
  source: { sourceType: 'HUMAN', sourceId: 'me' },
  createTime: '2026-01-01T00:00:00Z',
  lastUpdateTime: '2026-01-01T00:00:00Z',
  metadata: {},
  valid: true,
};
const trace: TraceInfo = {
  traceId: TRACE_ID,
  requestTime: '2026-01-01T00:00:00Z',
  state: 'OK',
  metadata: {},
  tags: {},
  assessments: [feedback],
};
const SPANS = [{ spanId: '00000000000000aa' }, { spanId: '00000000000000bb' }];

const refused = (pattern: RegExp) => (e: unknown) =>
  e instanceof MlflowInputError && pattern.test(e.message) && /nothing was done/.test(e.message);

describe('what the trace panel takes from its webview', () => {
  it('acts on an assessment of its trace', () => {
    assert.equal(assessmentOfTrace(TRACE_ID, trace, 'a-1'), feedback);
  });

  it('refuses an assessment id of the wrong form', () => {
    for (const id of ['', '..', 'a-1/../a-2', '%2e%2e'])
      assert.throws(() => assessmentOfTrace(TRACE_ID, trace, id), refused(/assessment id that/));
  });

  it('refuses an assessment that is not on its trace, or before the trace is loaded', () => {
    assert.throws(
      () => assessmentOfTrace(TRACE_ID, trace, 'a-of-another-trace'),
      refused(/Assessment "a-of-another-trace" is not one of the assessments of trace tr-1/),
    );
    assert.throws(() => assessmentOfTrace(TRACE_ID, undefined, 'a-1'), refused(/not one of/));
  });

  it('opens a form on a span of its trace, or on any well-formed span while spans are unknown', () => {
    checkSpanOfTrace(TRACE_ID, SPANS, '00000000000000bb');
    checkSpanOfTrace(TRACE_ID, undefined, '0123456789abcdef');
  });

  it('refuses a span id of the wrong form, or of a span the trace does not have', () => {
    for (const id of ['..', 'ABCDEF0123456789', '0123', '0123456789abcdef/..'])
      assert.throws(
        () => checkSpanOfTrace(TRACE_ID, undefined, id),
        refused(/span id that is not/),
      );
    assert.throws(
      () => checkSpanOfTrace(TRACE_ID, SPANS, '0123456789abcdef'),
      refused(/Span 0123456789abcdef is not one of the spans of trace tr-1/),
    );
  });

  it('takes a form’s draft only for the form’s own trace', () => {
    checkSubmittedTrace(TRACE_ID, 'tr-1');
    assert.throws(
      () => checkSubmittedTrace(TRACE_ID, 'tr-other'),
      (e: unknown) =>
        e instanceof MlflowInputError &&
        /draft for trace "tr-other", but it is the form of trace tr-1: nothing was sent/.test(
          e.message,
        ),
    );
  });

  it('takes a form’s target span only if it is one of the trace’s, saying nothing was sent', () => {
    checkSpanOfTrace(TRACE_ID, SPANS, '00000000000000aa', 'form');
    const notSent = (pattern: RegExp) => (e: unknown) =>
      e instanceof MlflowInputError &&
      pattern.test(e.message) &&
      /nothing was sent/.test(e.message);
    assert.throws(
      () => checkSpanOfTrace(TRACE_ID, SPANS, '0123456789abcdef', 'form'),
      notSent(/^Span 0123456789abcdef is not one of the spans of trace tr-1: .* submit again\.$/),
    );
    assert.throws(
      () => checkSpanOfTrace(TRACE_ID, undefined, '..', 'form'),
      notSent(/^The form sent a span id that is not/),
    );
  });
});
