import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MlflowInputError } from '../../src/mlflow/errors';
import {
  andFilters,
  filterClause,
  nullClause,
  quoteFilterKey,
  quoteFilterValue,
} from '../../src/mlflow/filters';

describe('filter strings', () => {
  it('quotes values with the quote they do not contain', () => {
    assert.equal(quoteFilterValue('OK'), "'OK'");
    assert.equal(quoteFilterValue("it's"), '"it\'s"');
    assert.throws(() => quoteFilterValue(`it's "x"`), MlflowInputError);
  });
  it('backticks keys with special characters only', () => {
    assert.equal(quoteFilterKey('status'), 'status');
    assert.equal(quoteFilterKey('mlflow.trace.user'), '`mlflow.trace.user`');
    assert.equal(quoteFilterKey('is helpful'), '`is helpful`');
    assert.throws(() => quoteFilterKey('a`b'), MlflowInputError);
  });
  it('builds clauses and joins them with AND', () => {
    assert.equal(
      andFilters(
        filterClause('trace', 'status', '=', 'ERROR'),
        undefined,
        ' ',
        nullClause('feedback', 'human rating', true),
      ),
      "trace.status = 'ERROR' AND feedback.`human rating` IS NULL",
    );
    assert.equal(
      filterClause('trace', 'execution_time_ms', '>', 1000),
      'trace.execution_time_ms > 1000',
    );
  });
});
