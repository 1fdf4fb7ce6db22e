import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asAssessmentId, asTraceId, type Assessment, type TraceInfo } from '../../src/mlflow';
import {
  matchesLocally,
  serverFilter,
  describeFilter,
  type QuickFilter,
} from '../../src/store/trace-filters';
import {
  assessmentCount,
  codeBlock,
  codeSpan,
  formatAge,
  formatDuration,
  previewLine,
} from '../../src/shared/format';
import { spanTooltip, traceTooltip } from '../../src/tree/tooltips';
import { bareSpan } from '../support/spans';

const base = {
  traceId: asTraceId('tr-1'),
  createTime: '',
  lastUpdateTime: '',
  metadata: {},
  valid: true,
};
const human: Assessment = {
  ...base,
  assessmentId: asAssessmentId('a-1'),
  kind: 'feedback',
  name: 'ok',
  value: true,
  source: { sourceType: 'HUMAN', sourceId: 'me' },
};
const failedJudge: Assessment = {
  ...base,
  assessmentId: asAssessmentId('a-2'),
  kind: 'feedback',
  name: 'tone',
  value: null,
  error: { errorCode: 'TIMEOUT' },
  source: { sourceType: 'LLM_JUDGE', sourceId: 'gpt' },
};
const trace = (assessments: Assessment[], metadata: Record<string, string> = {}): TraceInfo => ({
  traceId: asTraceId('tr-1'),
  requestTime: '2026-01-01T00:00:00Z',
  state: 'OK',
  metadata,
  tags: {},
  assessments,
});

describe('quick filters', () => {
  const only = (...q: QuickFilter[]) => ({ quick: new Set(q) });
  it('sends errors to the server and keeps the typed filter', () => {
    assert.equal(
      serverFilter({ text: "tag.env = 'dev'", quick: new Set(['errors']) }),
      "tag.env = 'dev' AND trace.status = 'ERROR'",
    );
    assert.equal(serverFilter(only()), undefined);
  });
  it('applies what the server cannot express to each trace', () => {
    assert.equal(matchesLocally(trace([human]), only('noHumanFeedback')), false);
    assert.equal(
      matchesLocally(trace([{ ...human, valid: false }]), only('noHumanFeedback')),
      true,
      'an overridden rating does not count',
    );
    assert.equal(matchesLocally(trace([failedJudge]), only('failedJudge')), true);
    assert.equal(matchesLocally(trace([human]), only('failedJudge')), false);
    assert.equal(describeFilter(only('failedJudge')), 'Filtered: Failed judge');
  });
});

describe('tree text', () => {
  it('shows untrusted text literally in Markdown code', () => {
    assert.equal(codeSpan('a`b'), '``a`b``');
    assert.equal(codeSpan('`x`'), '`` `x` ``');
    assert.equal(codeBlock('```\n<script>'), '````\n```\n<script>\n````');
  });
  it('previews chat requests by their last message, and JSON by its text', () => {
    assert.equal(
      previewLine('{"messages": [{"role": "user", "content": "Hi\\nthere"}]}'),
      'Hi there',
    );
    assert.equal(previewLine('{"question": "Why?"}'), 'Why?');
    assert.equal(previewLine('{"question": "cut at 1000 chars'), '{"question": "cut at 1000 chars');
    assert.equal(previewLine('"x"', 10), 'x');
  });
  it('formats ages, durations and counts', () => {
    const now = Date.parse('2026-01-01T01:00:00Z');
    assert.equal(formatAge('2026-01-01T00:59:30Z', now), '30 s ago');
    assert.equal(formatAge('2026-01-01T00:00:00Z', now), '1 h ago');
    assert.equal(formatDuration(250), '250 ms');
    assert.equal(formatDuration(1500), '1.50 s');
    assert.equal(formatDuration(125_000), '2 min 5 s');
    assert.equal(assessmentCount(trace([human, { ...failedJudge, valid: false }])), '1 assessment');
  });
});

describe('an LLM call in the tree’s hovers', () => {
  it('shows a span’s type, duration, model, tokens and cost', () => {
    const span = {
      ...bareSpan('s1', null, 0),
      endTimeUnixNano: 250_000n,
      spanType: 'CHAT_MODEL',
      attributes: {
        'mlflow.llm.model': 'gpt-4o-mini',
        'mlflow.chat.tokenUsage': { input_tokens: 1200, output_tokens: 14, total_tokens: 1214 },
        'mlflow.llm.cost': { total_cost: 0.000010199999999999999 },
      },
    };
    const md = spanTooltip(span);
    assert.ok(md.includes('CHAT\\_MODEL · 250 µs · model `gpt-4o-mini`'), md);
    assert.ok(md.includes('Tokens: 1,200 in · 14 out · 1,214 total · cost \\$0\\.0000102'), md);
  });
  it('shows a trace’s total tokens and cost', () => {
    const md = traceTooltip(
      trace([], {
        'mlflow.trace.tokenUsage': '{"input_tokens": 5, "output_tokens": 6, "total_tokens": 11}',
        'mlflow.trace.cost': '{"total_cost": 0.0012}',
      }),
    );
    assert.ok(md.includes('Tokens: 5 in · 6 out · 11 total · cost \\$0\\.0012'), md);
    assert.ok(!traceTooltip(trace([])).includes('Tokens'));
  });
});
