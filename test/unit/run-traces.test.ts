/** The pure part of "traces from this run": the setting, the window, the matching, the words. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asTraceId, type TraceInfo } from '../../src/mlflow';
import { after, ReviewList } from '../../src/store/review-list';
import {
  collectFrom,
  offerText,
  runsAnApp,
  runTraces,
  runWindow,
  windowFilter,
} from '../../src/runs/run-window';

const trace = (id: string, at: number, humanFeedback = false): TraceInfo => ({
  traceId: asTraceId(id),
  requestTime: new Date(at).toISOString(),
  state: 'OK',
  metadata: {},
  tags: {},
  assessments: humanFeedback
    ? [
        {
          kind: 'feedback',
          assessmentId: 'a-1' as never,
          traceId: asTraceId(id),
          name: 'ok',
          value: true,
          source: { sourceType: 'HUMAN', sourceId: 'me' },
          createTime: '',
          lastUpdateTime: '',
          metadata: {},
          valid: true,
        },
      ]
    : [],
});

describe('which runs are watched (runTraces.collectFrom)', () => {
  it('watches every kind by default and what the list names otherwise', () => {
    assert.deepEqual([...collectFrom(undefined)], ['debug', 'task', 'terminal']);
    assert.deepEqual([...collectFrom(['terminal', 'debug'])], ['debug', 'terminal']);
    assert.deepEqual([...collectFrom(['task', 'bogus'])], ['task']);
  });

  it('watches nothing for "none" or an empty list', () => {
    assert.equal(collectFrom(['none']).size, 0);
    assert.equal(collectFrom(['debug', 'none']).size, 0);
    assert.equal(collectFrom([]).size, 0);
  });
});

describe("a run's time window", () => {
  const run = { startMs: 1_000_000, endMs: 1_060_000 };

  it('runs from the start to the end plus the grace', () => {
    assert.deepEqual(runWindow(run, 2000), { fromMs: 1_000_000, toMs: 1_062_000 });
    assert.equal(
      windowFilter(runWindow(run, 2000)),
      'attributes.timestamp_ms >= 1000000 AND attributes.timestamp_ms <= 1062000',
    );
  });

  it('keeps the traces inside it, once each, newest first', () => {
    const window = runWindow(run, 2000);
    const found = [
      trace('tr-early', 998_999),
      trace('tr-just-before', 999_999),
      trace('tr-a', 1_000_500),
      trace('tr-c', 1_061_999),
      trace('tr-b', 1_030_000),
      trace('tr-a', 1_000_500),
      trace('tr-late', 1_062_001),
    ];
    assert.deepEqual(
      runTraces(found, window).map((t) => t.traceId),
      ['tr-c', 'tr-b', 'tr-a'],
    );
    assert.deepEqual(runTraces([], window), []);
  });
});

describe('a terminal command that runs an app', () => {
  it('counts python, runners and scripts, with environment assignments before them', () => {
    for (const line of [
      'python sample_app.py "Will it rain?"',
      '.venv/bin/python app.py',
      'MLFLOW_TRACKING_URI=http://x python3.11 -m app',
      'uv run app.py',
      './run.sh',
      'node agent.mjs',
      'pytest -k rain',
    ])
      assert.ok(runsAnApp(line), line);
  });

  it('leaves out commands that run no app', () => {
    for (const line of ['ls -la', 'git status', 'cd src', '', 'cat app.py'])
      assert.ok(!runsAnApp(line), line);
  });
});

describe('the offer', () => {
  it('says how many traces', () => {
    assert.equal(offerText(3), '3 new traces from this run');
    assert.equal(offerText(1), '1 new trace from this run');
  });
});

describe("reviewing a run's traces in turn", () => {
  const ids = ['tr-3', 'tr-2', 'tr-1'].map(asTraceId);

  it('goes on after the current one, then wraps round, never repeating it', () => {
    assert.deepEqual(after(ids, asTraceId('tr-2')), ['tr-1', 'tr-3']);
    assert.deepEqual(after(ids, asTraceId('tr-1')), ['tr-3', 'tr-2']);
    assert.deepEqual(after(ids, asTraceId('tr-9')), ids);
  });

  it('skips traces a person has rated and ends when all are', async () => {
    const rated = new Set(['tr-2']);
    const get = (id: string) => Promise.resolve(trace(id, 0, rated.has(id)));
    const list = new ReviewList(ids);
    assert.equal((await list.next(asTraceId('tr-3'), get))?.traceId, 'tr-1');
    rated.add('tr-1');
    rated.add('tr-3');
    assert.equal(await list.next(asTraceId('tr-3'), get), undefined);
    assert.ok(list.has(asTraceId('tr-1')));
    assert.ok(!list.has(asTraceId('tr-9')));
  });
});
