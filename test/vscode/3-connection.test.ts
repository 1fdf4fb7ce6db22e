/** The connection's error states, sign-in through SecretStorage, and getting back. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { FaultProxy } from '../support/fault-proxy';
import { killProcessGroupsNaming, processGroupsNaming } from '../support/processes';
import { PythonSdk } from '../support/python-sdk';
import {
  env,
  extensionApi,
  rows,
  screenshot,
  setSetting,
  showView,
  waitFor,
  run,
} from './support/harness';

describe('the connection', () => {
  let api: ExtensionApi;

  before(async () => {
    api = await extensionApi();
    await showView();
  });
  after(async () => {
    await run('selectServer', env('MLFLOW_TRACKING_URI'));
    await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
  });

  async function connectTo(url: string, expected: string) {
    assert.equal(await run('selectServer', url), url);
    await waitFor(
      `state ${expected} for ${url}`,
      () =>
        api.connection.settings.trackingUri.url === url && api.connection.state.kind === expected,
    );
  }

  it('says a stopped server is unreachable, with an empty tree for the welcome content', async () => {
    await connectTo(env('MTR_STOPPED_URL'), 'unreachable');
    const state = api.connection.state;
    assert.match(state.kind === 'unreachable' ? state.message : '', /refused|Start the server/i);
    assert.deepEqual(await rows(api), []);
    // The view names the server that does not answer, and counts nothing it cannot show.
    assert.ok(api.view.message?.includes(env('MTR_STOPPED_URL')), api.view.message);
    assert.equal(api.view.badge, undefined);
    await screenshot('state-unreachable');
  });

  it('says a tracking URL it cannot use is misconfigured, offers the likely fix, and still runs', async () => {
    await setSetting('trackingUri', '127.0.0.1:5000');
    await waitFor('misconfigured', () => api.connection.state.kind === 'misconfigured');
    const state = api.connection.state;
    assert.equal(state.kind === 'misconfigured' ? state.fix : '', 'http://127.0.0.1:5000');
    assert.match(api.view.message ?? '', /"127\.0\.0\.1:5000" \(user settings\) cannot be used/);
    await screenshot('state-misconfigured');
    // The commands that fix it are there (activation used to fail here).
    await connectTo(env('MLFLOW_TRACKING_URI'), 'connected');
  });

  it('takes a user and password out of the tracking URL: never shown, used for that server', async () => {
    const seeded = new URL(env('MLFLOW_TRACKING_URI'));
    await setSetting('trackingUri', `http://alice:s3cret@${seeded.host}`);
    await waitFor(
      'connected without the password in the URL',
      () =>
        api.connection.state.kind === 'connected' &&
        api.connection.settings.trackingUri.url === `http://${seeded.host}`,
    );
    assert.deepEqual(api.connection.settings.trackingUri.embedded, {
      username: 'alice',
      password: 's3cret',
    });
    assert.doesNotMatch(api.view.message ?? '', /s3cret/);
    await connectTo(env('MLFLOW_TRACKING_URI'), 'connected');
  });

  it('says a basic-auth server wants a sign-in, and signs in with SecretStorage', async () => {
    await connectTo(env('MTR_AUTH_URL'), 'unauthorized');
    await screenshot('state-unauthorized');
    const wrong = await run('signIn', {
      username: env('MTR_AUTH_USER'),
      password: 'wrong-password',
    });
    assert.equal(wrong, undefined, 'wrong credentials do not sign in');
    assert.equal(
      await api.credentials.has(api.connection.origin),
      false,
      'refused credentials are not stored',
    );
    const ok = await run('signIn', {
      username: env('MTR_AUTH_USER'),
      password: env('MTR_AUTH_PASSWORD'),
    });
    assert.equal(ok, true);
    await waitFor('connected with credentials', () => api.connection.state.kind === 'connected');
    const roots = await rows(api);
    assert.ok(
      roots.some((r) => r.label === 'Default'),
      'the auth server’s experiments are listed',
    );
    await run('signOut');
    await waitFor(
      'unauthorized after signing out',
      () => api.connection.state.kind === 'unauthorized',
    );
  });

  it('takes a 403 on a write as that action’s error: a read-only user stays connected', async () => {
    const authUrl = env('MTR_AUTH_URL');
    const admin = { username: env('MTR_AUTH_USER'), password: env('MTR_AUTH_PASSWORD') };
    const sdk = new PythonSdk(authUrl, {
      MLFLOW_TRACKING_USERNAME: admin.username,
      MLFLOW_TRACKING_PASSWORD: admin.password,
    });
    let traceId: string;
    try {
      ({ trace_id: traceId } = await sdk.call<{ trace_id: string }>('create_trace', {
        experiment: 'read-only',
      }));
    } finally {
      sdk.close();
    }
    // A new user of MLflow's basic auth may read every experiment and change none (READ).
    const reader = { username: 'reader', password: 'Reader-Passw0rd!' };
    const created = await fetch(`${authUrl}/api/2.0/mlflow/users/create`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}`,
      },
      body: JSON.stringify(reader),
    });
    assert.equal(created.status, 200, await created.text());
    await connectTo(authUrl, 'unauthorized');
    try {
      assert.equal(await run('signIn', reader), true);
      await waitFor('connected as the reader', () => api.connection.state.kind === 'connected');
      const logged = await run('logFeedback', { traceId, name: 'not_allowed', value: true });
      assert.equal(logged, undefined, 'the write was refused');
      assert.equal(api.connection.state.kind, 'connected');
      assert.ok((await rows(api)).length > 0, 'the view still lists the experiments');
    } finally {
      await run('signOut');
    }
  });

  it('never sends one server’s credentials to another', async () => {
    await connectTo(env('MTR_AUTH_URL'), 'unauthorized');
    await run('signIn', { username: env('MTR_AUTH_USER'), password: env('MTR_AUTH_PASSWORD') });
    await waitFor('connected', () => api.connection.state.kind === 'connected');
    // Another origin (a recording proxy in front of the seeded server) gets no Authorization.
    const proxy = await FaultProxy.start(env('MLFLOW_TRACKING_URI'));
    try {
      await connectTo(proxy.url, 'connected');
      await rows(api);
      assert.ok(proxy.seen.length > 0);
      assert.deepEqual(
        proxy.seen.filter((r) => r.headers.authorization !== undefined),
        [],
      );
    } finally {
      await connectTo(env('MTR_AUTH_URL'), 'connected');
      await run('signOut');
      await proxy.close();
    }
  });

  it('sends no password over plain HTTP to another machine unless the person agrees', async () => {
    // The same signed-in server, reached by this machine's host name: not loopback by its name,
    // so the credentials would cross a network. The question is a modal dialog, which VS Code
    // refuses to show in extension tests (it answers as if dismissed): nothing may be sent.
    const proxy = await FaultProxy.start(env('MTR_AUTH_URL'), os.hostname());
    try {
      await connectTo(proxy.url, 'unauthorized');
      await run('signIn', { username: env('MTR_AUTH_USER'), password: env('MTR_AUTH_PASSWORD') });
      await rows(api);
      assert.ok(proxy.seen.length > 0, 'requests reached the server');
      assert.deepEqual(
        proxy.seen.filter((r) => r.headers.authorization !== undefined).map((r) => r.path),
        [],
        'a password went over plain HTTP without asking',
      );
      assert.equal(api.connection.state.kind, 'unauthorized');
    } finally {
      await run('signOut');
      await connectTo(env('MLFLOW_TRACKING_URI'), 'connected');
      await proxy.close();
    }
  });

  it('keeps the view when one request fails, and comes back by itself after an outage', async () => {
    const proxy = await FaultProxy.start(env('MLFLOW_TRACKING_URI'));
    try {
      await connectTo(proxy.url, 'connected');
      const [experimentRow] = (await rows(api)).filter((r) => r.node.kind === 'experiment');
      assert.ok(experimentRow?.node.kind === 'experiment');
      const experimentId = experimentRow.node.experiment.experimentId;
      const [traceRow] = (await rows(api, experimentRow.node)).filter(
        (r) => r.node.kind === 'trace',
      );
      assert.ok(traceRow);
      const loaded = api.store.list(experimentId);
      assert.ok(loaded && loaded.traces.length > 0);

      // One request cut (the spans of one trace): that row says so, the view stays.
      proxy.set({ match: /get-trace-artifact/, fault: { kind: 'reset' } });
      const spansRow = (await rows(api, traceRow.node)).find((r) => r.node.kind === 'spans');
      assert.ok(spansRow);
      const [failed] = await rows(api, spansRow.node);
      assert.ok(failed);
      assert.equal(failed.node.kind, 'message');
      assert.match(failed.label, /cut/i);
      assert.equal((await api.connection.check()).kind, 'connected', 'the server answers');
      assert.equal(api.connection.state.kind, 'connected');

      // An outage: nothing answers. Then the server is back, and the extension sees it by
      // itself (no command), with every page it had loaded.
      proxy.set({ fault: { kind: 'reset' } });
      assert.equal((await api.connection.check()).kind, 'unreachable');
      proxy.set();
      await waitFor('the extension to reconnect by itself', () =>
        api.connection.state.kind === 'connected' ? true : undefined,
      );
      assert.equal(api.store.list(experimentId), loaded, 'the loaded pages were kept');
      const [spanAgain] = await rows(api, spansRow.node);
      assert.ok(spanAgain);
      assert.equal(spanAgain.node.kind, 'span', 'the failed row loads again');
    } finally {
      proxy.set();
      await connectTo(env('MLFLOW_TRACKING_URI'), 'connected');
      await proxy.close();
    }
  });

  it('names a server too old for assessments', async () => {
    await connectTo(env('MTR_OLD_URL'), 'tooOld');
    const state = api.connection.state;
    assert.equal(state.kind === 'tooOld' && state.version, '2.22.4');
    await screenshot('state-too-old');
  });
});

describe('a local server started from the editor', () => {
  let api: ExtensionApi;

  before(async () => {
    api = await extensionApi();
    // A workspace virtual environment with mlflow: .venv/bin/python (here a wrapper of the test's).
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const bin = path.join(folder.uri.fsPath, '.venv', 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, 'python'), `#!/bin/sh\nexec "${env('MTR_PYTHON')}" "$@"\n`, {
      mode: 0o755,
    });
  });
  after(async () => {
    await run('selectServer', env('MLFLOW_TRACKING_URI'));
    await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
  });

  it('starts mlflow server on a loopback port with SQLite under .mlflow/, and connects to it', async () => {
    const url = await run<string | undefined>('startLocalServer');
    assert.match(url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    await waitFor(
      'connected to the local server',
      () =>
        api.connection.state.kind === 'connected' &&
        api.connection.settings.trackingUri.origin === 'local server',
    );
    const roots = await rows(api);
    assert.deepEqual(
      roots.map((r) => r.label),
      ['Default'],
    );
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const stat = await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder.uri, '.mlflow'));
    assert.equal(stat.type, vscode.FileType.Directory);
    // Prompts and responses stay out of the repository.
    assert.match(
      fs.readFileSync(path.join(folder.uri.fsPath, '.mlflow', '.gitignore'), 'utf8'),
      /^\*$/m,
    );
  });

  it('gives new terminals its URI, notices when it dies, and starts and stops on request', async () => {
    const url = api.connection.settings.trackingUri.url;
    assert.equal(api.connection.settings.trackingUri.origin, 'local server');
    // A new terminal sees the server in use, not the MLFLOW_TRACKING_URI VS Code started with.
    const out = path.join(os.tmpdir(), `mtr-terminal-${process.pid}.txt`);
    fs.rmSync(out, { force: true });
    const terminal = vscode.window.createTerminal({
      name: 'app',
      shellPath: '/bin/sh',
      shellArgs: ['-c', `printf %s "$MLFLOW_TRACKING_URI" > ${out}`],
    });
    try {
      const seen = await waitFor('the terminal’s MLFLOW_TRACKING_URI', () =>
        fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : undefined,
      );
      assert.equal(seen, url);
    } finally {
      terminal.dispose();
    }

    // Killed from outside: the extension says so and stops claiming it runs.
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    assert.ok(
      killProcessGroupsNaming(path.join(folder.uri.fsPath, '.mlflow')) > 0,
      'the local server’s processes',
    );
    await waitFor('the dead server noticed', () => api.connection.state.kind === 'unreachable');
    assert.equal(await run('stopLocalServer'), undefined, 'nothing is running to stop');

    // Started again on request, on the port it had: the app's MLFLOW_TRACKING_URI still holds.
    const again = await run<string | undefined>('startLocalServer');
    assert.equal(again, url);
    await waitFor('connected again', () => api.connection.state.kind === 'connected');
    assert.equal(await run('stopLocalServer'), true);
    await waitFor(
      'the configured server again',
      () => api.connection.settings.trackingUri.origin !== 'local server',
    );
  });

  it('stops a start under way: no server is left running, and none is claimed', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const dataDir = path.join(folder.uri.fsPath, '.mlflow');
    const starting = run<string | undefined>('startLocalServer');
    // The process is up but has not answered yet (a cold start takes seconds).
    await waitFor('the server process', () => processGroupsNaming(dataDir).length > 0);
    assert.equal(await run('stopLocalServer'), true);
    assert.equal(await starting, undefined, 'the start ends without a server');
    await waitFor('no server process left', () => processGroupsNaming(dataDir).length === 0);
    assert.notEqual(api.connection.settings.trackingUri.origin, 'local server');
  });
});

describe('choosing the local server’s interpreter', () => {
  after(async () => {
    await vscode.workspace
      .getConfiguration('mlflowTraceReview')
      .update('localServer.python', undefined, vscode.ConfigurationTarget.Workspace);
  });

  it('refuses an interpreter without mlflow, and keeps one that has it', async () => {
    const setting = () =>
      vscode.workspace.getConfiguration('mlflowTraceReview').get<string>('localServer.python');
    assert.equal(await run('choosePythonInterpreter', '/bin/false'), undefined);
    assert.equal(setting(), '');
    assert.equal(await run('choosePythonInterpreter', env('MTR_PYTHON')), env('MTR_PYTHON'));
    assert.equal(setting(), env('MTR_PYTHON'));
  });
});
