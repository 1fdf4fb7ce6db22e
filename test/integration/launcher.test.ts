/**
 * The launcher that the tests, the demo and the benchmarks share: the server it starts must not
 * depend on the starting process to keep running.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { pythonPath } from '../support/env';
import { startServer } from '../support/servers';

let server: MlflowServer;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server.stop();
});

describe('the MLflow server launcher', () => {
  it('keeps serving while the process that started it is blocked (no pipe left to fill)', () => {
    // A synchronous child blocks this process's event loop, as the seeding scripts do. Each
    // request adds an access-log line; 2 000 of them overfill any pipe that is not drained.
    const requests = 2000;
    const script = [
      'import http.client, sys',
      'host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])',
      'conn = http.client.HTTPConnection(host, port, timeout=20)',
      'for _ in range(n):',
      '    conn.request("GET", "/health")',
      '    assert conn.getresponse().read() == b"OK"',
      'print(n)',
    ].join('\n');
    const out = execFileSync(
      pythonPath(),
      ['-c', script, '127.0.0.1', String(server.port), String(requests)],
      { encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(out.trim(), String(requests));
  });

  it("keeps the server's output in server.log and returns its end from log()", () => {
    assert.match(server.log(), /GET \/health HTTP\/1\.1" 200/);
    assert.ok(server.log().length <= 64_000);
  });
});
