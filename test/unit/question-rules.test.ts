import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asTraceId, type TraceId } from '../../src/mlflow';
import {
  boundsProblem,
  describeLabelInput,
  instructionProblem,
  labelProblem,
  parseBound,
  parseMaxLength,
  parseOptions,
  parseQueueUsers,
  questionNameProblem,
  queueNameProblem,
} from '../../src/shared/question-rules';
import { traceFromWebview, traceToWebview } from '../../src/shared/protocol/trace';
import { addInBatches, ADD_BATCH, formatCount } from '../../src/store/matching-traces';

describe('a new question, checked as typed against the server’s rules', () => {
  it('takes names of 1 to 250 characters but not the default question’s', () => {
    assert.equal(questionNameProblem('Correctness'), undefined);
    assert.match(questionNameProblem('  ') ?? '', /^Type a name/);
    assert.match(
      questionNameProblem('x'.repeat(251)) ?? '',
      /at most 250 characters \(this one has 251\)/,
    );
    assert.match(questionNameProblem('feedback') ?? '', /default question/);
  });

  it('wants two different pass/fail labels of at most 64 characters', () => {
    assert.equal(labelProblem('Correct'), undefined);
    assert.match(labelProblem('') ?? '', /Type a label/);
    assert.match(labelProblem('y'.repeat(65)) ?? '', /at most 64 characters/);
    assert.match(labelProblem('Correct ', 'Correct') ?? '', /must differ/);
  });

  it('reads 1 to 10 comma-separated options, none empty or twice', () => {
    assert.deepEqual(parseOptions(' good, bad ,ugly'), {
      ok: true,
      options: ['good', 'bad', 'ugly'],
    });
    assert.match(expectFail(parseOptions('')), /Type the options/);
    assert.match(expectFail(parseOptions('a,,b')), /empty/);
    assert.match(expectFail(parseOptions('a,b,a')), /"a" is typed twice/);
    assert.match(expectFail(parseOptions('1,2,3,4,5,6,7,8,9,10,11')), /at most 10 options; 11/);
  });

  it('takes optional numeric bounds with the minimum below the maximum, never rounded', () => {
    assert.deepEqual(parseBound(''), { ok: true, value: undefined });
    assert.deepEqual(parseBound('2.5'), { ok: true, value: 2.5 });
    assert.match(expectFail(parseBound('five')), /not a number/);
    assert.equal(boundsProblem(1, 5), undefined);
    assert.match(boundsProblem(5, 5) ?? '', /above the minimum \(5\)/);
    assert.equal(boundsProblem(undefined, 5), undefined);
  });

  it('takes an optional whole maximum length of at least 1, and instructions of at most 1000', () => {
    assert.deepEqual(parseMaxLength(' 500 '), { ok: true, value: 500 });
    assert.deepEqual(parseMaxLength(''), { ok: true, value: undefined });
    assert.match(expectFail(parseMaxLength('0')), /at least 1/);
    assert.match(expectFail(parseMaxLength('2.5')), /whole number/);
    assert.equal(instructionProblem('Is it right?'), undefined);
    assert.match(instructionProblem('i'.repeat(1001)) ?? '', /at most 1000/);
  });

  it('says what each kind of question takes in one line', () => {
    assert.equal(
      describeLabelInput({ type: 'passFail', positiveLabel: 'Correct', negativeLabel: 'Wrong' }),
      'Pass/fail: Correct or Wrong',
    );
    assert.equal(
      describeLabelInput({ type: 'categorical', options: ['a', 'b'], multiSelect: true }),
      'One or more of: a, b',
    );
    assert.equal(
      describeLabelInput({ type: 'numeric', minValue: 1, maxValue: 5 }),
      'Number from 1 to 5',
    );
    assert.equal(describeLabelInput({ type: 'numeric', minValue: 0 }), 'Number of at least 0');
    assert.equal(
      describeLabelInput({ type: 'text', maxLength: 20 }),
      'Text of at most 20 characters',
    );
    assert.equal(describeLabelInput({ type: 'text' }), 'Text');
  });
});

describe('a new custom queue', () => {
  it('refuses an empty name and MLflow’s catch-all "default"', () => {
    assert.equal(queueNameProblem('Release triage'), undefined);
    assert.match(queueNameProblem('') ?? '', /Type a name/);
    assert.match(queueNameProblem('Default') ?? '', /catch-all/);
  });

  it('always has its creator among its reviewers, each once whatever the case, at most 10', () => {
    assert.deepEqual(parseQueueUsers('alice, Bob ,, me@x.org', 'Me@X.org'), {
      ok: true,
      users: ['Me@X.org', 'alice', 'Bob'],
    });
    assert.deepEqual(parseQueueUsers('', 'me'), { ok: true, users: ['me'] });
    const ten = Array.from({ length: 10 }, (_, i) => `u${i}`).join(',');
    assert.match(
      expectFail(parseQueueUsers(ten, 'me')),
      /at most 10 reviewers, you \(me\) included; 11/,
    );
  });
});

describe('adding many traces to a queue', () => {
  const ids = (n: number): TraceId[] => Array.from({ length: n }, (_, i) => asTraceId(`tr-${i}`));

  it('sends batches of 100 in order and counts what was sent', async () => {
    const sent: number[] = [];
    const reported: number[] = [];
    const result = await addInBatches(
      (batch) => {
        sent.push(batch.length);
        return Promise.resolve();
      },
      ids(250),
      { report: (n) => reported.push(n), cancelled: () => false },
    );
    assert.equal(ADD_BATCH, 100);
    assert.deepEqual(sent, [100, 100, 50]);
    assert.deepEqual(reported, [100, 200, 250]);
    assert.deepEqual(result, { added: 250, cancelled: false });
  });

  it('stops before the next batch when cancelled, saying how many went', async () => {
    let stop = false;
    const result = await addInBatches(
      () => {
        stop = true;
        return Promise.resolve();
      },
      ids(250),
      { report: () => undefined, cancelled: () => stop },
    );
    assert.deepEqual(result, { added: 100, cancelled: true });
  });

  it('writes counts with thin spaces between thousands', () => {
    assert.equal(formatCount(1234), '1\u202f234');
    assert.equal(formatCount(999), '999');
    assert.equal(formatCount(10000), '10\u202f000');
  });
});

describe('the trace panel’s review queues in its protocol', () => {
  it('carries the queues with the trace’s status, and the Add to Review Queue… click', () => {
    const message = {
      type: 'queues',
      traceId: 'tr-1',
      queues: [{ queueId: 'rq-1', name: 'Triage', status: 'complete', completedBy: 'carol' }],
    };
    assert.deepEqual(traceToWebview.parse(message), message);
    assert.equal(
      traceToWebview.safeParse({
        ...message,
        queues: [{ queueId: 'rq-1', name: 'T', status: 'done' }],
      }).success,
      false,
    );
    assert.deepEqual(traceFromWebview.parse({ type: 'addToQueue' }), { type: 'addToQueue' });
  });
});

function expectFail(result: { ok: true } | { ok: false; message: string }): string {
  if (result.ok) return assert.fail('expected a refusal');
  return result.message;
}
