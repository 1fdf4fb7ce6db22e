import assert from 'node:assert/strict';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { MlflowClient } from '../../src/mlflow/client';
import { MlflowResponseTooLargeError } from '../../src/mlflow/errors';
import { HttpTransport } from '../../src/mlflow/http';

const LIMIT = 64 * 1024;
const CHUNK = Buffer.alloc(16 * 1024, 'x');

/**
 * A plain loopback HTTP server: `/endless` and `/endless-declared` stream bytes until the client
 * goes (the second also declares 1 GiB), `/exact` and `/exact-chunked` send exactly LIMIT bytes,
 * `/version` declares 100 MiB.
 */
function handle(path: string, res: ServerResponse): void {
  switch (path) {
    case '/endless':
      res.writeHead(200, { 'content-type': 'application/json' });
      writeUntilClosed(res);
      return;
    case '/endless-declared':
    case '/version':
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(path === '/version' ? 100 * 2 ** 20 : 2 ** 30),
      });
      writeUntilClosed(res);
      return;
    case '/exact':
      res.writeHead(200, { 'content-length': String(LIMIT) });
      res.end(Buffer.alloc(LIMIT, 'y'));
      return;
    case '/exact-chunked':
      res.writeHead(200);
      for (let sent = 0; sent < LIMIT; sent += CHUNK.length) res.write(CHUNK);
      res.end();
      return;
    default:
      res.writeHead(404).end();
  }
}

function writeUntilClosed(res: ServerResponse): void {
  const write = (): void => {
    while (!res.destroyed && res.write(CHUNK));
  };
  res.on('drain', write);
  write();
}

describe('the response size limit', () => {
  let server: Server;
  let baseUrl: string;
  let requests = 0;
  /** Resolves when the server's response is closed: the client cancelled its body. */
  let closed: Promise<void>;

  before(async () => {
    server = createServer((req, res) => {
      requests++;
      closed = new Promise((resolve) => res.on('close', resolve));
      handle(req.url ?? '', res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    requests = 0;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const transport = (): HttpTransport =>
    new HttpTransport({ baseUrl, maxResponseBytes: LIMIT, timeoutMs: 10_000 });

  const isTooLarge =
    (declared: number | undefined) =>
    (e: unknown): boolean =>
      e instanceof MlflowResponseTooLargeError &&
      e.limitBytes === LIMIT &&
      e.declaredBytes === declared &&
      /larger than the limit of 65536 bytes/.test(e.message) &&
      /raise the setting mlflowTraceReview\.maxResponseMegabytes/.test(e.message);

  it('refuses a body that streams past the limit without a Content-Length, and cancels it', async () => {
    const http = transport();
    await assert.rejects(
      http.send({ method: 'GET', path: '/endless', safeToRetry: true }),
      isTooLarge(undefined),
    );
    await closed;
    assert.equal(requests, 1, 'not retried');
    await http.close();
  });

  it('refuses a body whose Content-Length is over the limit before reading it', async () => {
    const http = transport();
    await assert.rejects(
      http.send({ method: 'GET', path: '/endless-declared', safeToRetry: true }),
      (e: unknown) => isTooLarge(2 ** 30)(e) && /it declares 1024 MiB/.test(String(e)),
    );
    await closed;
    assert.equal(requests, 1, 'not retried');
    await http.close();
  });

  it('reads a body of exactly the limit, with or without a Content-Length', async () => {
    const http = transport();
    for (const path of ['/exact', '/exact-chunked']) {
      const res = await http.send({ method: 'GET', path, safeToRetry: true });
      assert.equal(res.text.length, LIMIT, path);
    }
    await http.close();
  });

  it('holds the client to 64 MiB unless told otherwise', async () => {
    const client = new MlflowClient({ baseUrl, timeoutMs: 10_000 });
    await assert.rejects(
      client.getServerVersion(),
      (e: unknown) =>
        e instanceof MlflowResponseTooLargeError &&
        e.limitBytes === 64 * 2 ** 20 &&
        /larger than the limit of 64 MiB \(it declares 100 MiB\)/.test(e.message),
    );
    await client.close();
  });
});
