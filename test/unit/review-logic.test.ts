import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asAssessmentId,
  asExperimentId,
  asTraceId,
  type Assessment,
  type LabelSchema,
  type ReviewQueue,
  type ReviewQueueItem,
  type TraceInfo,
} from '../../src/mlflow';
import {
  mlflowReviewUrl,
  nextUnreviewed,
  ownAnswer,
  planSubmit,
  prefill,
  progressOf,
  progressText,
  questionsOf,
  startItem,
  step,
} from '../../src/review/review-logic';
import { checkDraft, isAnswered } from '../../src/shared/review-answers';
import {
  localQueue,
  localQueueId,
  localQuestions,
  makeLocalQueue,
} from '../../src/review/queue-source';

const EXP = asExperimentId('1');

const item = (id: string, status: ReviewQueueItem['status']): ReviewQueueItem => ({
  queueId: 'rq-1',
  traceId: asTraceId(id),
  status,
  creationTimeMs: 0,
  lastUpdateTimeMs: 0,
});

const schema = (
  schemaId: string,
  name: string,
  input: LabelSchema['input'],
  extra: Partial<LabelSchema> = {},
): LabelSchema => ({
  schemaId,
  experimentId: EXP,
  name,
  kind: 'feedback',
  enableComment: false,
  input,
  isDefault: false,
  ...extra,
});

const queue = (queueType: ReviewQueue['queueType'], schemaIds: string[] = []): ReviewQueue => ({
  queueId: 'rq-1',
  experimentId: EXP,
  name: 'q',
  queueType,
  creationTimeMs: 0,
  lastUpdateTimeMs: 0,
  users: ['me'],
  schemaIds,
});

const answer = (
  id: string,
  name: string,
  value: Assessment['value'],
  sourceId: string,
  createTime: string,
  extra: Partial<{ valid: boolean; sourceType: 'HUMAN' | 'LLM_JUDGE'; rationale: string }> = {},
): Assessment => ({
  assessmentId: asAssessmentId(id),
  traceId: asTraceId('tr-1'),
  kind: 'feedback',
  name,
  value,
  source: { sourceType: extra.sourceType ?? 'HUMAN', sourceId },
  createTime,
  lastUpdateTime: createTime,
  metadata: {},
  valid: extra.valid ?? true,
  ...(extra.rationale ? { rationale: extra.rationale } : {}),
});

const trace = (assessments: Assessment[]): TraceInfo => ({
  traceId: asTraceId('tr-1'),
  requestTime: '2026-01-01T00:00:00Z',
  state: 'OK',
  metadata: {},
  tags: {},
  assessments,
});

const passFail = schema('ls-pf', 'correct', {
  type: 'passFail',
  positiveLabel: 'Yes',
  negativeLabel: 'No',
});
const topic = schema(
  'ls-cat',
  'topic',
  { type: 'categorical', options: ['billing', 'tech'], multiSelect: false },
  { enableComment: true },
);
const score = schema('ls-num', 'score', { type: 'numeric', minValue: 1, maxValue: 5 });
const truth = schema(
  'ls-text',
  'answer',
  { type: 'text', maxLength: 5 },
  {
    kind: 'expectation',
  },
);

describe('working a review queue', () => {
  const items = [
    item('a', 'complete'),
    item('b', 'pending'),
    item('c', 'declined'),
    item('d', 'pending'),
  ];

  it('finds the next unreviewed item after the current one, wrapping, never the current one', () => {
    assert.equal(nextUnreviewed(items, 'b')?.traceId, 'd');
    assert.equal(nextUnreviewed(items, 'd')?.traceId, 'b', 'wraps around');
    assert.equal(nextUnreviewed(items, 'c')?.traceId, 'd');
    assert.equal(nextUnreviewed([item('a', 'pending')], 'a'), undefined, 'only the current one');
    assert.equal(nextUnreviewed([item('a', 'complete')], 'a'), undefined);
    assert.equal(nextUnreviewed(items, undefined)?.traceId, 'b');
  });

  it('steps through the list in its order, stopping at its ends', () => {
    assert.equal(step(items, 'b', 1)?.traceId, 'c');
    assert.equal(step(items, 'b', -1)?.traceId, 'a');
    assert.equal(step(items, 'a', -1), undefined);
    assert.equal(step(items, 'd', 1), undefined);
  });

  it('starts at the item asked for, else the first pending one, else finished', () => {
    assert.equal(startItem(items, 'c')?.traceId, 'c');
    assert.equal(startItem(items, undefined)?.traceId, 'b');
    assert.equal(startItem(items, 'gone')?.traceId, 'b');
    assert.equal(startItem([item('a', 'complete')], undefined), undefined);
  });

  it('counts complete and declined items as reviewed', () => {
    const p = progressOf(items);
    assert.deepEqual(p, { total: 4, reviewed: 2, pending: 2 });
    assert.equal(progressText(p), '2 of 4 reviewed');
  });

  it("asks a user queue all of the experiment's questions, a custom queue its own, oldest first", () => {
    const made = [
      { ...score, createdAt: 3 },
      { ...topic, createdAt: 2 },
      { ...passFail, createdAt: 1 },
    ];
    // The server's order (newest first), shown in the order they were made.
    assert.deepEqual(
      questionsOf(queue('user'), made).questions.map((q) => q.name),
      ['correct', 'topic', 'score'],
    );
    const custom = questionsOf(queue('custom', ['ls-gone', 'ls-num', 'ls-pf']), made);
    assert.deepEqual(
      custom.questions.map((q) => q.name),
      ['correct', 'score'],
    );
    assert.deepEqual(custom.missing, ['ls-gone']);
  });

  it("pre-fills the reviewer's own newest valid answer (case-insensitive), not others' or overridden ones", () => {
    const t = trace([
      answer('a-old', 'correct', false, 'ME', '2026-01-01T00:00:00Z'),
      answer('a-new', 'correct', true, 'me', '2026-01-02T00:00:00Z'),
      answer('a-gone', 'correct', false, 'me', '2026-01-03T00:00:00Z', { valid: false }),
      answer('a-other', 'correct', false, 'carol', '2026-01-04T00:00:00Z'),
      answer('a-judge', 'score', 2, 'me', '2026-01-04T00:00:00Z', { sourceType: 'LLM_JUDGE' }),
      answer('a-topic', 'topic', 'tech', 'Me', '2026-01-01T00:00:00Z', { rationale: 'why' }),
      answer('a-stale', 'score', 9, 'me', '2026-01-01T00:00:00Z'),
    ]);
    assert.equal(ownAnswer(t, passFail, 'me')?.assessmentId, 'a-new');
    assert.deepEqual(prefill(t, [passFail, topic, score], 'me'), {
      'ls-pf': { value: true },
      'ls-cat': { value: 'tech', comment: 'why' },
      // 9 no longer fits 1..5: the question starts empty rather than showing it as valid.
    });
  });

  it('writes one answer per answered question, in the queue’s order, overriding the reviewer’s own', () => {
    const t = trace([answer('a-mine', 'correct', false, 'me', '2026-01-01T00:00:00Z')]);
    const plan = planSubmit(
      [passFail, topic, score, truth],
      {
        'ls-num': { text: ' 4 ' },
        'ls-pf': { value: true, comment: 'ignored: no comments on this question' },
        'ls-cat': { value: 'billing', comment: 'because' },
        'ls-text': { text: '' },
      },
      t,
      'me',
    );
    assert.deepEqual(plan, {
      ok: true,
      writes: [
        { schemaId: 'ls-pf', kind: 'feedback', name: 'correct', value: true, overrides: 'a-mine' },
        {
          schemaId: 'ls-cat',
          kind: 'feedback',
          name: 'topic',
          value: 'billing',
          rationale: 'because',
        },
        { schemaId: 'ls-num', kind: 'feedback', name: 'score', value: 4 },
      ],
    });
  });

  it('refuses answers that do not fit, and answers to questions that are gone; never clamps', () => {
    const t = trace([]);
    const plan = planSubmit(
      [topic, score, truth],
      {
        'ls-num': { text: '7' },
        'ls-cat': { value: 'refunds' },
        'ls-text': { text: 'too long' },
        'ls-deleted': { value: true },
      },
      t,
      'me',
    );
    assert.equal(plan.ok, false);
    assert.ok(!plan.ok);
    assert.deepEqual(
      plan.problems.map((p) => p.schemaId),
      ['ls-num', 'ls-cat', 'ls-text', 'ls-deleted'],
    );
    assert.match(plan.problems[0]?.message ?? '', /^score: 7 is above the maximum of 5/);
    assert.match(plan.problems[1]?.message ?? '', /"refunds" is not one of the options/);
    assert.match(plan.problems[2]?.message ?? '', /8 characters, 3 more than the limit of 5/);
    assert.match(plan.problems[3]?.message ?? '', /deleted or taken out of the queue/);
    const none = planSubmit([passFail], {}, t, 'me');
    assert.ok(!none.ok);
    assert.match(none.problems[0]?.message ?? '', /answer at least one question, or decline/);
  });

  it('reads a draft as answered only when it holds an answer', () => {
    assert.equal(isAnswered(undefined), false);
    assert.equal(isAnswered({ comment: 'only a comment' }), false);
    assert.equal(isAnswered({ text: '  ' }), false);
    assert.equal(isAnswered({ value: [] }), false);
    assert.equal(isAnswered({ value: false }), true);
    assert.deepEqual(checkDraft(score.input, { text: '4,5' }), {
      ok: false,
      message: '"4,5" is not a number: type digits, with "." for decimals.',
    });
  });

  it("links to MLflow's Review tab as its router reads it", () => {
    assert.equal(
      mlflowReviewUrl('http://host:5000/mlflow/', '12', 'rq-ab', 'tr-1'),
      'http://host:5000/mlflow/#/experiments/12/review-queue?selectedQueueId=rq-ab&selectedItemId=tr-1&startReview=true',
    );
    assert.equal(
      mlflowReviewUrl('http://host:5000', '12', 'rq-ab', undefined),
      'http://host:5000/#/experiments/12/review-queue?selectedQueueId=rq-ab',
    );
  });
});

describe('a local review queue', () => {
  const feedback = (name: string, value: Assessment['value'], sourceType: 'HUMAN' | 'LLM_JUDGE') =>
    answer(`a-${name}-${JSON.stringify(value)}`, name, value, 'x', '2026-01-01T00:00:00Z', {
      sourceType,
    });

  it("asks the experiment's feedback names in use, typed by their values, or one pass/fail", () => {
    const traces = [
      trace([feedback('helpful', true, 'LLM_JUDGE'), feedback('score', 0.5, 'LLM_JUDGE')]),
      trace([feedback('helpful', false, 'HUMAN'), feedback('tone', 'warm', 'HUMAN')]),
      trace([feedback('score', 'high', 'HUMAN')]),
    ];
    assert.deepEqual(localQuestions(traces), [
      {
        name: 'helpful',
        input: { type: 'passFail', positiveLabel: 'Pass', negativeLabel: 'Fail' },
      },
      // A number once and a text once: text (nothing is made to fit).
      { name: 'score', input: { type: 'text' } },
      { name: 'tone', input: { type: 'text' } },
    ]);
    assert.deepEqual(localQuestions([trace([])]), [
      {
        name: 'feedback',
        input: { type: 'passFail', positiveLabel: 'Pass', negativeLabel: 'Fail' },
      },
    ]);
  });

  it('holds the traces no person gave feedback, and keeps their statuses in the workspace', async () => {
    const saved = new Map<string, unknown>();
    const state = {
      get: (key: string) => saved.get(key),
      update: (key: string, value: unknown) => {
        saved.set(key, value);
        return Promise.resolve();
      },
    };
    const human = { ...trace([feedback('helpful', true, 'HUMAN')]), traceId: asTraceId('tr-h') };
    const judged = {
      ...trace([feedback('helpful', true, 'LLM_JUDGE')]),
      traceId: asTraceId('tr-j'),
    };
    const bare = { ...trace([]), traceId: asTraceId('tr-b') };
    await makeLocalQueue(state, 'http://s', '7', [human, judged, bare]);
    const source = localQueue(state, 'http://s', localQueueId('7'));
    assert.deepEqual(
      (await source.items()).map((i) => [i.traceId, i.status]),
      [
        ['tr-j', 'pending'],
        ['tr-b', 'pending'],
      ],
    );
    await source.setStatus('tr-b', 'declined', 'me');
    const again = localQueue(state, 'http://s', localQueueId('7'));
    assert.deepEqual(
      (await again.items()).map((i) => [i.traceId, i.status, i.completedBy]),
      [
        ['tr-j', 'pending', undefined],
        ['tr-b', 'declined', 'me'],
      ],
    );
    await again.setStatus('tr-b', 'pending', 'me');
    assert.equal((await again.items())[1]?.status, 'pending');
    await assert.rejects(
      again.setStatus('tr-x', 'complete', 'me'),
      /not an item of the local queue/,
    );
    assert.equal((await again.queue()).schemaIds.length, 1);
  });
});
