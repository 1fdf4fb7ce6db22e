/** The connection's error states, sign-in through SecretStorage, and getting back. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import { FaultProxy } from '../support/fault-proxy';
import { env, extensionApi, rows, screenshot, showView, waitFor, run } from './support/harness';

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
    await screenshot('state-unreachable');
  });

  it('says a basic-auth server wants a sign-in, and signs in with SecretStorage', async () => {
    await connectTo(env('MTR_AUTH_URL'), 'unauthorized');
    await screenshot('state-unauthorized');
    const wrong = await run('signIn', {
      username: env('MTR_AUTH_USER'),
      password: 'wrong-password',
    });
    assert.equal(wrong, undefined, 'wrong credentials do not sign in');
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
  });
});
