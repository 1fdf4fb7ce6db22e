import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MlflowClient } from '../../src/mlflow/client';
import { MlflowApiError, MlflowInputError } from '../../src/mlflow/errors';
import { idProblem } from '../../src/mlflow/ids';

/** Ids that would leave their path segment once the URL is parsed (or the server decodes it). */
const BAD_IDS = [
  '',
  ' ',
  '.',
  '..',
  '%2e',
  '%2e%2e',
  '.%2E',
  '%252e%252e',
  'a/b',
  'a\\b',
  'a?b',
  'a#b',
  '%2F',
];

describe('ids in request paths', () => {
  // A loopback server that records every path it is asked for and answers "not found".
  let server: Server;
  let client: MlflowClient;
  const asked: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'none' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new MlflowClient({ baseUrl: `http://127.0.0.1:${port}`, retry: { maxRetries: 0 } });
  });

  after(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('names what is wrong with an id that is not one path segment', () => {
    assert.equal(idProblem('tr-0123456789abcdef'), undefined);
    assert.equal(idProblem('a-1.2'), undefined);
    assert.match(idProblem('') ?? '', /empty/);
    assert.match(idProblem('..') ?? '', /dot segment/);
    assert.match(idProblem('%2e%2E') ?? '', /dot segment/);
    assert.match(idProblem('x/y') ?? '', /contains "\/"/);
    for (const id of BAD_IDS) assert.notEqual(idProblem(id), undefined, JSON.stringify(id));
  });

  it('refuses them before any request, with the client input error', async () => {
    const calls: [string, (id: string) => Promise<unknown>][] = [
      ['trace', (id) => client.getTraceInfo(id)],
      ['trace', (id) => client.getTraceSpans(id)],
      ['trace', (id) => client.logFeedback({ traceId: id, name: 'n', value: true })],
      ['trace', (id) => client.deleteAssessment(id, 'a-1')],
      ['assessment', (id) => client.getAssessment('tr-1', id)],
      ['assessment', (id) => client.deleteAssessment('tr-1', id)],
      ['assessment', (id) => client.updateAssessment('tr-1', id, { rationale: 'r' })],
      [
        'assessment',
        (id) => client.overrideFeedback({ traceId: 'tr-1', assessmentId: id, value: 1 }),
      ],
    ];
    for (const id of BAD_IDS) {
      for (const [kind, call] of calls) {
        await assert.rejects(
          call(id),
          (e: unknown) =>
            e instanceof MlflowInputError &&
            e.message.startsWith(`The ${kind} id "${id}" `) &&
            /nothing was sent/.test(e.message),
          `${kind} id ${JSON.stringify(id)}`,
        );
      }
    }
    assert.deepEqual(asked, []);
  });

  it('sends an ordinary id, encoded as one segment', async () => {
    await assert.rejects(client.getTraceInfo('tr-1.2'), MlflowApiError);
    assert.deepEqual(asked, ['/api/3.0/mlflow/traces/tr-1.2']);
  });
});
