/**
 * What goes wrong between the client and a real server: a stopped server, authentication, a
 * malformed answer, a slow one, "try again later", a cut connection, a server too old for
 * assessments, a wrong URL. Faults come from a loopback proxy in front of the real server
 * (test/support/fault-proxy.ts); nothing imitates MLflow itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MlflowClient, type MlflowClientOptions } from '../../src/mlflow/client';
import {
  MlflowApiError,
  MlflowNetworkError,
  MlflowResponseError,
  MlflowRouteNotFoundError,
  MlflowServerTooOldError,
} from '../../src/mlflow/errors';
import type { RequestLogEntry } from '../../src/mlflow/http';
import { startMlflowServer, type MlflowServer } from '../../src/mlflow-server/launcher';
import { oldServerPythonPath } from '../support/env';
import { FaultProxy } from '../support/fault-proxy';
import { PythonSdk } from '../support/python-sdk';
import { ADMIN, startServer } from '../support/servers';

const SEARCH = /\/traces\/search$/;
const CREATE = /\/assessments$/;
const FAST_RETRY = { baseDelayMs: 10, maxDelayMs: 2000 };

let server: MlflowServer;
let proxy: FaultProxy;
let traceId: string;
let experimentId: string;

before(async () => {
  server = await startServer();
  const sdk = new PythonSdk(server.url);
  ({ trace_id: traceId, experiment_id: experimentId } = await sdk.call<{
    trace_id: string;
    experiment_id: string;
  }>('create_trace'));
  sdk.close();
  proxy = await FaultProxy.start(server.url);
});

after(async () => {
  await proxy.close();
  await server.stop();
});

function viaProxy(options: Partial<MlflowClientOptions> = {}): MlflowClient {
  return new MlflowClient({ baseUrl: proxy.url, retry: FAST_RETRY, ...options });
}

describe('a stopped server', () => {
  it('is reported as refused, with what to do', async () => {
    const stopped = await startServer();
    const client = new MlflowClient({ baseUrl: stopped.url });
    assert.equal(
      (await client.getTraceInfo(traceId).catch((e: unknown) => e)) instanceof MlflowApiError,
      true,
      'a live server answers (404 here)',
    );
    await stopped.stop();
    await assert.rejects(
      client.searchTraces({ experimentIds: ['0'] }),
      (e: unknown) =>
        e instanceof MlflowNetworkError &&
        e.failure === 'refused' &&
        /Start the server or correct the tracking URL/.test(e.message),
    );
    await client.close();
  });
});

describe('a server with basic authentication', () => {
  let authServer: MlflowServer;
  before(async () => {
    authServer = await startServer({ basicAuth: ADMIN });
  });
  after(async () => {
    await authServer.stop();
  });

  it('answers 401 without credentials, and the error says to sign in', async () => {
    const client = new MlflowClient({ baseUrl: authServer.url });
    await assert.rejects(
      client.searchExperiments(),
      (e: unknown) => e instanceof MlflowApiError && e.status === 401 && /Sign in/.test(e.message),
    );
  });

  it('answers 401 for a wrong password', async () => {
    const client = new MlflowClient({
      baseUrl: authServer.url,
      credentials: { kind: 'basic', username: ADMIN.username, password: 'wrong' },
    });
    await assert.rejects(
      client.searchExperiments(),
      (e: unknown) => e instanceof MlflowApiError && e.status === 401,
    );
  });

  it('works with the right credentials, asked for on every request', async () => {
    let asked = 0;
    const client = new MlflowClient({
      baseUrl: authServer.url,
      credentials: () => {
        asked++;
        return { kind: 'basic', ...ADMIN };
      },
    });
    assert.equal((await client.getCurrentUser()).username, ADMIN.username);
    const experiments = await client.searchExperiments();
    assert.ok(experiments.items.some((e) => e.name === 'Default'));
    assert.equal(asked, 2);
    await client.close();
  });

  it('logs assessments with credentials, and the log of requests holds no secret', async () => {
    const entries: RequestLogEntry[] = [];
    const sdk = new PythonSdk(authServer.url, {
      MLFLOW_TRACKING_USERNAME: ADMIN.username,
      MLFLOW_TRACKING_PASSWORD: ADMIN.password,
    });
    const { trace_id: id } = await sdk.call<{ trace_id: string }>('create_trace');
    sdk.close();
    const client = new MlflowClient({
      baseUrl: authServer.url,
      credentials: { kind: 'basic', ...ADMIN },
      onRequest: (e) => entries.push(e),
    });
    const fb = await client.logFeedback({ traceId: id, name: 'ok', value: true });
    assert.equal((await client.getAssessment(id, fb.assessmentId)).value, true);
    assert.ok(entries.length >= 2);
    const logged = JSON.stringify(entries);
    assert.ok(
      !logged.includes(ADMIN.password) &&
        !logged.includes(Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')),
    );
  });
});

describe('credentials and headers on the wire', () => {
  it('sends a bearer token and extra headers to the server it belongs to', async () => {
    proxy.seen.length = 0;
    const client = viaProxy({
      credentials: { kind: 'bearer', token: 'tok-123' },
      headers: { 'x-gateway-key': 'k' },
    });
    await client.getTraceInfo(traceId);
    const seen = proxy.seen.at(-1);
    assert.equal(seen?.headers.authorization, 'Bearer tok-123');
    assert.equal(seen.headers['x-gateway-key'], 'k');
  });

  it('does not follow a redirect to another host, so credentials stay with their server', async () => {
    const elsewhere = await FaultProxy.start(server.url);
    proxy.set({
      fault: {
        kind: 'status',
        status: 302,
        headers: { location: `${elsewhere.url}/api/3.0/mlflow/traces/${traceId}` },
      },
      times: 1,
    });
    const client = viaProxy({ credentials: { kind: 'bearer', token: 'secret' } });
    await assert.rejects(
      client.getTraceInfo(traceId),
      (e: unknown) =>
        e instanceof MlflowApiError && e.status === 302 && /redirected/.test(e.message),
    );
    assert.equal(elsewhere.seen.length, 0);
    await elsewhere.close();
  });
});

describe('a malformed response', () => {
  it('names the field that is wrong', async () => {
    const client = viaProxy();
    const fb = await client.logFeedback({ traceId, name: 'shape', value: 1 });
    proxy.set({
      fault: {
        kind: 'transform',
        change: (json) => ({
          assessment: { ...(json as { assessment: object }).assessment, create_time: 12345 },
        }),
      },
      times: 1,
    });
    await assert.rejects(
      client.getAssessment(traceId, fb.assessmentId),
      (e: unknown) =>
        e instanceof MlflowResponseError &&
        e.field === 'assessment.create_time' &&
        /MLflow server/.test(e.message),
    );
  });

  it('flags one bad record of a page and shows the rest of the page', async () => {
    const client = viaProxy();
    await client.logFeedback({ traceId, name: 'page-check', value: true });
    proxy.set({
      match: SEARCH,
      fault: {
        kind: 'transform',
        change: (json) => {
          const traces = (json as { traces: Record<string, unknown>[] }).traces;
          const real = traces.find((t) => t.trace_id === traceId) ?? {};
          const assessments: unknown[] = Array.isArray(real.assessments) ? real.assessments : [];
          return {
            ...(json as object),
            traces: [
              { ...real, trace_id: 'tr-broken', request_time: 17 },
              {
                ...real,
                state: 'PAUSED',
                assessments: [...assessments, { assessment_id: 'a-broken', source: 'nobody' }],
              },
            ],
          };
        },
      },
      times: 1,
    });
    const page = await client.searchTraces({ experimentIds: [experimentId] });
    const [broken, good] = page.items;
    assert.ok(broken && good);
    assert.equal(broken.traceId, 'tr-broken');
    assert.match(broken.problem ?? '', /^request_time: expected string/);
    assert.equal(good.traceId, traceId);
    assert.equal(good.problem, undefined);
    assert.equal(good.state, 'STATE_UNSPECIFIED');
    const flagged = good.assessments.filter((a) => a.problem !== undefined);
    assert.deepEqual(
      flagged.map((a) => a.assessmentId),
      ['a-broken'],
    );
    assert.ok(good.assessments.some((a) => a.name === 'page-check' && a.value === true));
  });

  it('says so when a 200 answer is not JSON (a proxy or login page)', async () => {
    proxy.set({
      fault: { kind: 'status', status: 200, body: '<html>Please log in</html>' },
      times: 1,
    });
    await assert.rejects(
      viaProxy().getTraceInfo(traceId),
      (e: unknown) => e instanceof MlflowResponseError && /not JSON/.test(e.message),
    );
  });

  it('keeps the text of a plain-text 500', async () => {
    proxy.set({
      fault: { kind: 'status', status: 500, body: 'Internal Server Error: database is locked' },
      times: 1,
    });
    await assert.rejects(
      viaProxy({ retry: { maxRetries: 0 } }).getTraceInfo(traceId),
      (e: unknown) =>
        e instanceof MlflowApiError && e.status === 500 && /database is locked/.test(e.message),
    );
  });
});

describe('a slow server', () => {
  it('times out a read with a clear message', async () => {
    proxy.set({ fault: { kind: 'delay', ms: 1500 }, match: SEARCH, times: 1 });
    await assert.rejects(
      viaProxy({ timeoutMs: 300 }).searchTraces({ experimentIds: [experimentId] }),
      (e: unknown) =>
        e instanceof MlflowNetworkError &&
        e.failure === 'timeout' &&
        /did not answer/.test(e.message),
    );
  });

  it('times out a create once, without sending it again', async () => {
    proxy.set({ fault: { kind: 'delay', ms: 1500 }, match: CREATE, times: 1 });
    const before = proxy.count('POST', CREATE);
    await assert.rejects(
      viaProxy({ timeoutMs: 300 }).logFeedback({ traceId, name: 'slow', value: 1 }),
      (e: unknown) => e instanceof MlflowNetworkError && e.failure === 'timeout',
    );
    assert.equal(proxy.count('POST', CREATE) - before, 1);
  });
});

describe('retries', () => {
  it('retries a read after 503, honouring Retry-After', async () => {
    proxy.set({
      fault: { kind: 'status', status: 503, headers: { 'retry-after': '1' } },
      match: SEARCH,
      times: 2,
    });
    const before = proxy.count('POST', SEARCH);
    const waits: number[] = [];
    let last = 0;
    const page = await viaProxy({
      onRequest: () => {
        const now = performance.now();
        if (last) waits.push(now - last);
        last = now;
      },
    }).searchTraces({ experimentIds: [experimentId] });
    assert.ok(page.items.some((t) => t.traceId === traceId));
    assert.equal(proxy.count('POST', SEARCH) - before, 3);
    // Retry-After: 1 means at least a second between attempts (the base backoff here is 10 ms).
    assert.ok(
      waits.every((w) => w >= 950),
      `waits ${waits.join(', ')}`,
    );
  });

  it('retries a read after 429 and a cut connection', async () => {
    proxy.set(
      { fault: { kind: 'status', status: 429 }, match: /\/traces\/tr-/, times: 1 },
      { fault: { kind: 'reset' }, match: /\/traces\/tr-/, times: 1 },
    );
    assert.equal((await viaProxy().getTraceInfo(traceId)).traceId, traceId);
  });

  it('gives up after the allowed attempts', async () => {
    proxy.set({ fault: { kind: 'status', status: 503 }, match: SEARCH });
    const before = proxy.count('POST', SEARCH);
    await assert.rejects(
      viaProxy({ retry: { maxRetries: 2 } }).searchTraces({ experimentIds: [experimentId] }),
      (e: unknown) => e instanceof MlflowApiError && e.status === 503,
    );
    assert.equal(proxy.count('POST', SEARCH) - before, 3);
    proxy.set();
  });

  it('does not wait when the server asks for longer than the longest wait', async () => {
    proxy.set({
      fault: { kind: 'status', status: 503, headers: { 'retry-after': '3600' } },
      match: SEARCH,
      times: 1,
    });
    const before = proxy.count('POST', SEARCH);
    await assert.rejects(
      viaProxy().searchTraces({ experimentIds: [experimentId] }),
      (e: unknown) => e instanceof MlflowApiError && e.status === 503,
    );
    assert.equal(proxy.count('POST', SEARCH) - before, 1);
  });

  it('never repeats a create after 503 or a cut connection', async () => {
    const client = viaProxy();
    proxy.set({
      fault: { kind: 'status', status: 503, headers: { 'retry-after': '0' } },
      match: CREATE,
      times: 1,
    });
    let before = proxy.count('POST', CREATE);
    await assert.rejects(
      client.logFeedback({ traceId, name: 'once', value: 1 }),
      (e: unknown) => e instanceof MlflowApiError && e.status === 503,
    );
    assert.equal(proxy.count('POST', CREATE) - before, 1);

    proxy.set({ fault: { kind: 'reset' }, match: CREATE, times: 1 });
    before = proxy.count('POST', CREATE);
    await assert.rejects(
      client.logFeedback({ traceId, name: 'once', value: 1 }),
      (e: unknown) => e instanceof MlflowNetworkError && e.failure === 'reset',
    );
    assert.equal(proxy.count('POST', CREATE) - before, 1);
  });

  it('never repeats an update', async () => {
    const client = viaProxy();
    const fb = await client.logFeedback({ traceId, name: 'upd', value: 1 });
    proxy.set({ fault: { kind: 'status', status: 503 }, match: /\/assessments\/a-/, times: 1 });
    const before = proxy.count('PATCH', /\/assessments\/a-/);
    await assert.rejects(
      client.updateAssessment(traceId, fb.assessmentId, { feedback: { value: 2 } }),
      (e: unknown) => e instanceof MlflowApiError && e.status === 503,
    );
    assert.equal(proxy.count('PATCH', /\/assessments\/a-/) - before, 1);
    assert.equal((await client.getAssessment(traceId, fb.assessmentId)).value, 1);
  });
});

describe('the wrong server', () => {
  it('recognises a real MLflow 2 server as too old for traces and assessments', async () => {
    const old = await startMlflowServer({ python: oldServerPythonPath() });
    try {
      const client = new MlflowClient({ baseUrl: old.url });
      await assert.rejects(
        client.searchTraces({ experimentIds: ['0'] }),
        (e: unknown) =>
          e instanceof MlflowServerTooOldError &&
          e.serverVersion === '2.22.4' &&
          /Upgrade the server to MLflow 3/.test(e.message),
      );
      await assert.rejects(client.logFeedback({ traceId, value: 1 }), MlflowServerTooOldError);
      await client.close();
    } finally {
      await old.stop();
    }
  });

  it('says the URL is wrong when nothing there answers like MLflow', async () => {
    const client = new MlflowClient({ baseUrl: `${server.url}/not-mlflow` });
    await assert.rejects(
      client.getTraceInfo(traceId),
      (e: unknown) => e instanceof MlflowRouteNotFoundError && /static-prefix/.test(e.message),
    );
  });

  it('works under a static prefix when the URL includes it', async () => {
    const prefixed = await startServer({ staticPrefix: '/mlflow' });
    try {
      const client = new MlflowClient({ baseUrl: prefixed.url });
      assert.match(prefixed.url, /\/mlflow$/);
      assert.ok((await client.searchExperiments()).items.some((e) => e.name === 'Default'));
      await client.close();
    } finally {
      await prefixed.stop();
    }
  });
});
