/**
 * A span's model, tokens and cost, and a trace's totals, read from what MLflow records
 * (src/shared/llm-metrics.ts), and the attributes the span details leave out.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ATTRIBUTES_SHOWN_ELSEWHERE,
  callMetrics,
  parseCost,
  parseTokenUsage,
  totalCost,
} from '../../src/shared/llm-metrics';

describe('an LLM call’s metrics from its span attributes', () => {
  it('reads the model, token usage and total cost as MLflow’s SDK records them', () => {
    assert.deepEqual(
      callMetrics({
        'mlflow.spanType': 'CHAT_MODEL',
        'mlflow.llm.model': 'gpt-4o-mini',
        'mlflow.chat.tokenUsage': { input_tokens: 12, output_tokens: 14, total_tokens: 26 },
        'mlflow.llm.cost': {
          input_cost: 1.8e-6,
          output_cost: 8.4e-6,
          total_cost: 0.000010199999999999999,
        },
      }),
      {
        model: 'gpt-4o-mini',
        tokens: { input: 12, output: 14, total: 26 },
        cost: 0.000010199999999999999,
      },
    );
  });
  it('is empty for a span that is no LLM call', () => {
    assert.deepEqual(callMetrics({ 'mlflow.spanType': 'TOOL' }), {});
    assert.deepEqual(callMetrics({}), {});
  });
  it('ignores values of other shapes than MLflow writes', () => {
    assert.deepEqual(
      callMetrics({
        'mlflow.llm.model': { name: 'x' },
        'mlflow.chat.tokenUsage': [1, 2],
        'mlflow.llm.cost': 'free',
      }),
      {},
    );
    assert.deepEqual(callMetrics({ 'mlflow.llm.model': '  ' }), {});
    assert.deepEqual(callMetrics({ 'mlflow.chat.tokenUsage': { input_tokens: '12' } }), {});
    assert.deepEqual(callMetrics({ 'mlflow.llm.cost': { total_cost: -1 } }), {});
  });
  it('cuts a model name that could be a megabyte', () => {
    assert.equal(callMetrics({ 'mlflow.llm.model': 'm'.repeat(1_000_000) }).model?.length, 200);
  });
  it('adds input and output cost when no total is recorded', () => {
    assert.equal(callMetrics({ 'mlflow.llm.cost': { input_cost: 1, output_cost: 2 } }).cost, 3);
    assert.equal(totalCost({ output: 2 }), 2);
    assert.equal(totalCost({}), undefined);
  });
});

describe('token usage and cost as MLflow stores them', () => {
  it('reads the JSON text of trace metadata, and decoded objects', () => {
    assert.deepEqual(
      parseTokenUsage('{"input_tokens": 1, "output_tokens": 2, "total_tokens": 3}'),
      {
        input: 1,
        output: 2,
        total: 3,
      },
    );
    assert.deepEqual(parseCost('{"input_cost": 0.5, "output_cost": 0.25, "total_cost": 0.75}'), {
      input: 0.5,
      output: 0.25,
      total: 0.75,
    });
    assert.deepEqual(parseCost({ total_cost: 0 }), { total: 0 });
  });
  it('keeps the cache counts out of the three it shows', () => {
    assert.deepEqual(
      parseTokenUsage({ input_tokens: 10, cache_read_input_tokens: 5, total_tokens: 10 }),
      { input: 10, total: 10 },
    );
  });
  it('reads nothing from text, null, lists, broken JSON, Infinity or negative numbers', () => {
    for (const value of [
      undefined,
      null,
      'null',
      '[1]',
      '"x"',
      '{',
      3,
      '{"total_cost": 1e999}',
      { total_cost: Infinity },
    ])
      assert.equal(parseCost(value), undefined, JSON.stringify(value));
    assert.equal(parseTokenUsage('{"input_tokens": -5}'), undefined);
    assert.deepEqual(parseTokenUsage('{"input_tokens": 1e999, "output_tokens": 3}'), { output: 3 });
  });
});

describe('the attributes shown elsewhere', () => {
  it('are the inputs, outputs, metrics, tools and MLflow’s plumbing, not other mlflow keys', () => {
    for (const key of [
      'mlflow.spanInputs',
      'mlflow.spanOutputs',
      'mlflow.traceRequestId',
      'mlflow.spanType',
      'mlflow.spanFunctionName',
      'mlflow.chat.tokenUsage',
      'mlflow.llm.model',
      'mlflow.llm.cost',
      'mlflow.chat.tools',
      'mlflow.chat.messages',
    ])
      assert.ok(ATTRIBUTES_SHOWN_ELSEWHERE.has(key), key);
    for (const key of ['temperature', 'mlflow.linkedPrompts', 'invocation_params'])
      assert.ok(!ATTRIBUTES_SHOWN_ELSEWHERE.has(key), key);
  });
});
