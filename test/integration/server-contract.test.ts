/**
 * The claims of ../shared/mlflow-rest.md that the client relies on, checked with raw HTTP
 * against the pinned server. Where the server disagrees with the notes, the test asserts what
 * the server does and says so in its name ("differs from the notes").
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { onPostgres } from '../support/backend';
import { PythonSdk } from '../support/python-sdk';
import { startServer } from '../support/servers';

let server: MlflowServer;
let traceId: string;
let experimentId: string;

before(async () => {
  server = await startServer();
  const sdk = new PythonSdk(server.url);
  for (let i = 0; i < 3; i++)
    ({ trace_id: traceId, experiment_id: experimentId } = await sdk.call<{
      trace_id: string;
      experiment_id: string;
    }>('create_trace', { experiment: 'contract' }));
  sdk.close();
});

after(async () => {
  await server.stop();
});

interface Raw {
  status: number;
  contentType: string;
  text: string;
  json: () => Record<string, unknown>;
}

async function raw(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Raw> {
  const res = await fetch(server.url + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}

const assessments = (id = traceId) => `/api/3.0/mlflow/traces/${id}/assessments`;
const location = (id = experimentId) => [
  { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: id } },
];

async function createFeedback(
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const res = await raw('POST', assessments(), {
    assessment: {
      assessment_name: 'contract',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'x' },
      feedback: { value: 1 },
      ...extra,
    },
  });
  assert.equal(res.status, 200, res.text);
  return res.json().assessment as Record<string, unknown>;
}

describe('conventions of the wire', () => {
  it('serves trace routes under both /api and /ajax-api', async () => {
    assert.equal((await raw('GET', `/api/3.0/mlflow/traces/${traceId}`)).status, 200);
    assert.equal((await raw('GET', `/ajax-api/3.0/mlflow/traces/${traceId}`)).status, 200);
  });

  it('answers /health with OK and /version with the version', async () => {
    assert.equal((await raw('GET', '/health')).text, 'OK');
    assert.equal((await raw('GET', '/version')).text, '3.18.0');
  });

  it('rejects a POST without a JSON content type', async () => {
    const res = await raw(
      'POST',
      '/api/3.0/mlflow/traces/search',
      JSON.stringify({ locations: location() }),
      { 'content-type': 'text/plain' },
    );
    assert.equal(res.status, 400);
  });

  it('sends errors as {error_code, message}', async () => {
    const res = await raw('GET', `${assessments()}/a-missing`);
    assert.equal(res.status, 404);
    assert.equal(res.json().error_code, 'RESOURCE_DOES_NOT_EXIST');
    assert.equal(typeof res.json().message, 'string');
  });

  it('differs from the notes: a missing route is a 404 with an HTML body, not an empty one', async () => {
    const res = await raw('GET', '/api/3.0/mlflow/no-such-route');
    assert.equal(res.status, 404);
    assert.match(res.contentType, /text\/html/);
    assert.match(res.text, /Not Found/);
  });

  it('rejects a non-local Host header (security middleware), but not on /health', async () => {
    // fetch() will not send a Host header of our choosing; node:http will.
    const withHost = (path: string) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = http.get(
          { host: '127.0.0.1', port: server.port, path, headers: { host: 'example.com' } },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
      });
    const rejected = await withHost(`/api/3.0/mlflow/traces/${traceId}`);
    assert.equal(rejected.status, 403);
    assert.match(rejected.text, /Invalid Host header/);
    assert.equal((await withHost('/health')).status, 200);
  });

  it('rejects a write that carries a non-local Origin, as a webview would send', async () => {
    const res = await raw(
      'POST',
      assessments(),
      { assessment: {} },
      { origin: 'vscode-webview://abc' },
    );
    assert.equal(res.status, 403);
    assert.match(res.text, /Cross-origin/i);
  });
});

describe('search traces', () => {
  it('needs locations; experiment_ids is not a field', async () => {
    const res = await raw('POST', '/api/3.0/mlflow/traces/search', {
      experiment_ids: [experimentId],
    });
    assert.equal(res.status, 400);
  });

  it('refuses max_results above 500', async () => {
    assert.equal(
      (
        await raw('POST', '/api/3.0/mlflow/traces/search', {
          locations: location(),
          max_results: 501,
        })
      ).status,
      400,
    );
    assert.equal(
      (
        await raw('POST', '/api/3.0/mlflow/traces/search', {
          locations: location(),
          max_results: 500,
        })
      ).status,
      200,
    );
  });

  it('differs from the notes: no page token when a full page is also the last one', async () => {
    const search = async (body: Record<string, unknown>) =>
      (
        await raw('POST', '/api/3.0/mlflow/traces/search', { locations: location(), ...body })
      ).json() as { traces?: unknown[]; next_page_token?: string };
    const exact = await search({ max_results: 3 });
    assert.equal(exact.traces?.length, 3);
    assert.equal(exact.next_page_token, undefined);
    const first = await search({ max_results: 2 });
    assert.equal(first.traces?.length, 2);
    assert.equal(typeof first.next_page_token, 'string');
    const last = await search({ max_results: 2, page_token: first.next_page_token });
    assert.equal(last.traces?.length, 1);
    assert.equal(last.next_page_token, undefined);
  });

  it('matches assessment filters only on valid assessments, and returns invalid ones too', async () => {
    const judged = await createFeedback({ assessment_name: 'filtered' });
    const override = await raw('POST', assessments(), {
      assessment: {
        assessment_name: 'filtered',
        trace_id: traceId,
        source: { source_type: 'HUMAN', source_id: 'h' },
        feedback: { value: 2 },
        overrides: judged.assessment_id,
      },
    });
    assert.equal(override.status, 200);
    const search = async (filter: string) =>
      ((
        await raw('POST', '/api/3.0/mlflow/traces/search', { locations: location(), filter })
      ).json().traces as { trace_id: string; assessments: { valid: boolean }[] }[] | undefined) ??
      [];
    // Numbers sent over REST are stored as floats: '2' does not match, '2.0' does.
    assert.equal((await search("feedback.filtered = '2'")).length, 0);
    const found = await search("feedback.filtered = '2.0'");
    assert.deepEqual(
      found.map((t) => t.trace_id),
      [traceId],
    );
    assert.equal(
      (await search("feedback.filtered = '1.0'")).length,
      0,
      'the overridden value no longer matches',
    );
    assert.ok(
      found[0]?.assessments.some((a) => !a.valid),
      'the invalid one is still returned',
    );
  });

  it('takes strings in single or double quotes and keys in backticks', async () => {
    const res = await raw('POST', '/api/3.0/mlflow/traces/search', {
      locations: location(),
      filter: 'trace.status = "OK" AND tag.`mlflow.traceName` = \'my_app\'',
    });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.json().traces as unknown[]).length, 3);
  });
});

describe('assessments', () => {
  it('applies no default source: one sent without a source is stored as SOURCE_TYPE_UNSPECIFIED with no id', async () => {
    const res = await raw('POST', assessments(), {
      assessment: { assessment_name: 'nosource', trace_id: traceId, feedback: { value: 1 } },
    });
    assert.equal(res.status, 200);
    assert.deepEqual((res.json().assessment as Record<string, unknown>).source, {
      source_type: 'SOURCE_TYPE_UNSPECIFIED',
    });
  });

  it('drops rationale on expectations', async () => {
    const res = await raw('POST', assessments(), {
      assessment: {
        assessment_name: 'ex',
        trace_id: traceId,
        source: { source_type: 'HUMAN', source_id: 'x' },
        expectation: { value: 'v' },
        rationale: 'dropped',
      },
    });
    assert.equal(res.status, 200);
    assert.equal((res.json().assessment as Record<string, unknown>).rationale, undefined);
  });

  it('stores list and object expectations in serialized form, whichever form they were sent in', async () => {
    const res = await raw('POST', assessments(), {
      assessment: {
        assessment_name: 'ex_list',
        trace_id: traceId,
        source: { source_type: 'HUMAN', source_id: 'x' },
        expectation: { value: ['a', 'b'] },
      },
    });
    assert.equal(res.status, 200);
    const back = (
      await raw(
        'GET',
        `${assessments()}/${(res.json().assessment as { assessment_id: string }).assessment_id}`,
      )
    ).json().assessment as { expectation: unknown };
    assert.deepEqual(back.expectation, {
      serialized_value: { serialization_format: 'JSON_FORMAT', value: '["a", "b"]' },
    });
  });

  it('accepts a name with a dot (the proto forbids it, OSS does not enforce it)', async () => {
    assert.equal((await createFeedback({ assessment_name: 'has.dot' })).assessment_name, 'has.dot');
  });

  it('ignores a snake_case update mask: 200 and nothing changes', async () => {
    const a = await createFeedback();
    const res = await raw('PATCH', `${assessments()}/${String(a.assessment_id)}`, {
      assessment: { assessment_name: 'renamed' },
      update_mask: 'assessment_name',
    });
    assert.equal(res.status, 200);
    assert.equal((res.json().assessment as Record<string, unknown>).assessment_name, 'contract');
  });

  it('applies a lowerCamelCase mask', async () => {
    const a = await createFeedback();
    const res = await raw('PATCH', `${assessments()}/${String(a.assessment_id)}`, {
      assessment: { assessment_name: 'renamed' },
      update_mask: 'assessmentName',
    });
    assert.equal((res.json().assessment as Record<string, unknown>).assessment_name, 'renamed');
  });

  it('answers a 500 to `valid` in the update mask', async () => {
    const a = await createFeedback();
    const res = await raw('PATCH', `${assessments()}/${String(a.assessment_id)}`, {
      assessment: { valid: false },
      update_mask: 'valid',
    });
    assert.equal(res.status, 500);
  });

  // The two backends differ here: MLflow checks neither the name's length nor NUL characters
  // itself, and leaves both to the database. SQLite does not enforce VARCHAR(250); PostgreSQL
  // does, and refuses NUL in any text column. MLflow passes the driver's error on as a 400
  // BAD_REQUEST whose message is the failed SQL. (The client refuses names over 250 characters
  // before sending: src/mlflow/convert.ts.)
  it('stores a name over 250 characters on SQLite; PostgreSQL answers 400 (VARCHAR(250))', async () => {
    const res = await raw('POST', assessments(), {
      assessment: {
        assessment_name: 'n'.repeat(251),
        trace_id: traceId,
        source: { source_type: 'HUMAN', source_id: 'x' },
        feedback: { value: 1 },
      },
    });
    if (onPostgres()) {
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json().error_code, 'BAD_REQUEST');
      assert.match(String(res.json().message), /value too long for type character varying\(250\)/);
    } else {
      assert.equal(res.status, 200, res.text);
      const stored = res.json().assessment as Record<string, unknown>;
      assert.equal(String(stored.assessment_name).length, 251);
    }
  });

  it('stores a NUL character in a rationale on SQLite; PostgreSQL answers 400', async () => {
    const res = await raw('POST', assessments(), {
      assessment: {
        assessment_name: 'contract',
        trace_id: traceId,
        source: { source_type: 'HUMAN', source_id: 'x' },
        feedback: { value: 1 },
        rationale: 'a\u0000b',
      },
    });
    if (onPostgres()) {
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json().error_code, 'BAD_REQUEST');
      assert.match(String(res.json().message), /cannot contain NUL \(0x00\) bytes/);
    } else {
      assert.equal(res.status, 200, res.text);
      assert.equal((res.json().assessment as Record<string, unknown>).rationale, 'a\u0000b');
    }
    // In a feedback value the NUL is inside JSON text ("\u0000"), which both backends store.
    const value = await createFeedback({ feedback: { value: 'a\u0000b' } });
    assert.deepEqual(value.feedback, { value: 'a\u0000b' });
  });

  it('answers 200 to deleting a missing assessment', async () => {
    const res = await raw('DELETE', `${assessments()}/a-00000000000000000000000000000000`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), {});
  });
});

describe('spans', () => {
  it('serves the trace data as text/plain JSON with base64 ids', async () => {
    const res = await raw('GET', `/ajax-api/3.0/mlflow/get-trace-artifact?request_id=${traceId}`);
    assert.equal(res.status, 200);
    assert.match(res.contentType, /text\/plain/);
    const span = (
      res.json().spans as { span_id: string; attributes: Record<string, unknown> }[]
    )[0];
    assert.match(span?.span_id ?? '', /=$/);
    assert.equal(typeof span?.attributes['mlflow.spanInputs'], 'string');
  });
});
