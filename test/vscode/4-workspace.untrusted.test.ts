/** In a workspace that is not trusted, the workspace cannot choose the server. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { env, extensionApi, waitFor } from './support/harness';

describe('an untrusted workspace', () => {
  it('runs in restricted mode', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('ignores the workspace’s trackingUri and uses the user’s own server', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const settings = await vscode.workspace.fs.readFile(
      vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json'),
    );
    assert.match(
      new TextDecoder().decode(settings),
      /workspace-server\.invalid/,
      'the fixture sets it',
    );
    const api = await extensionApi();
    assert.equal(api.connection.settings.trackingUri.url, env('MLFLOW_TRACKING_URI'));
    assert.equal(api.connection.settings.trackingUri.origin, 'MLFLOW_TRACKING_URI');
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
  });
});
