/**
 * The launcher that the tests, the demo and the benchmarks share: the server it starts must not
 * depend on the starting process to keep running.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { pythonPath, repoRoot } from '../support/env';
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

  it('leaves no folder behind when the process that started it ends without stop()', async () => {
    // A test run killed part-way, a script that returns early: the exit hook stops the server,
    // and removes the empty folder it ran in (its data folder is the caller's to keep).
    const script = `
      const fs = require('node:fs');
      const { startMlflowServer } = require(${JSON.stringify(path.join(repoRoot(), 'dist', 'mlflow-server.js'))});
      startMlflowServer({ python: ${JSON.stringify(pythonPath())} }).then((server) => {
        console.log(JSON.stringify({ pid: server.pid, workDir: fs.readlinkSync('/proc/' + server.pid + '/cwd'), dataDir: server.dataDir }));
        process.exit(0);
      });`;
    const started = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 180_000 }),
    ) as { pid: number; workDir: string; dataDir: string };
    assert.match(path.basename(started.workDir), /^mtr-mlflow-run-/);
    assert.equal(existsSync(started.workDir), false, 'the working folder was left behind');
    // Killed by the hook; gone once the kernel has ended it (a moment after the SIGKILL).
    const alive = () => {
      try {
        process.kill(started.pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 5_000;
    while (alive() && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(alive(), false, 'the server was left running');
    rmSync(started.dataDir, { recursive: true, force: true });
  });

  it("keeps the server's output in server.log and returns its end from log()", () => {
    assert.match(server.log(), /GET \/health HTTP\/1\.1" 200/);
    assert.ok(server.log().length <= 64_000);
  });
});
