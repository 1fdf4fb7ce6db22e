import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asExperimentId,
  MlflowReviewUnsupportedError,
  type LabelSchema,
  type ReviewClient,
} from '../../src/mlflow';
import { ExperimentQuestions } from '../../src/store/experiment-questions';

const schema = (name: string, kind: LabelSchema['kind']): LabelSchema => ({
  schemaId: `ls-${name}`,
  experimentId: asExperimentId('1'),
  name,
  kind,
  enableComment: false,
  input: { type: 'text' },
  isDefault: false,
});

/** A source of questions whose answers the test chooses, counting the requests. */
function source(answer: () => Promise<LabelSchema[]>) {
  const client = {
    asked: 0,
    review: {
      listAllLabelSchemas: (): ReturnType<ReviewClient['listAllLabelSchemas']> => {
        client.asked++;
        return answer();
      },
    },
  };
  return client;
}

describe("the experiment's questions offered by Log Feedback and Log Expectation", () => {
  it('gives those of the kind asked for', async () => {
    const questions = new ExperimentQuestions(() => undefined);
    const client = source(() =>
      Promise.resolve([schema('Helpful', 'feedback'), schema('Reference', 'expectation')]),
    );
    assert.deepEqual(
      (await questions.of(client, '1', 'feedback')).map((s) => s.name),
      ['Helpful'],
    );
    assert.deepEqual(
      (await questions.of(client, '1', 'expectation')).map((s) => s.name),
      ['Reference'],
    );
  });

  it('falls back to none on a server without review routes, and does not ask it again', async () => {
    const questions = new ExperimentQuestions(() => undefined);
    const client = source(() =>
      Promise.reject(
        new MlflowReviewUnsupportedError(
          'http://old:5000/api/3.0/mlflow/label-schemas/list',
          '2.22.4',
        ),
      ),
    );
    assert.deepEqual(await questions.of(client, '1', 'feedback'), []);
    assert.deepEqual(await questions.of(client, '2', 'feedback'), []);
    assert.equal(client.asked, 1, 'asked once per server');
  });

  it('falls back to none on another failure, says so in the log, and asks again next time', async () => {
    const logged: string[] = [];
    const questions = new ExperimentQuestions((m) => logged.push(m));
    const client = source(() => Promise.reject(new Error('Not allowed (403)')));
    assert.deepEqual(await questions.of(client, '1', 'feedback'), []);
    await questions.of(client, '1', 'feedback');
    assert.equal(client.asked, 2);
    assert.match(logged[0] ?? '', /could not be read; offering free-form names only: Not allowed/);
  });
});
