/** In a workspace that is not trusted, the workspace cannot choose the server or run anything. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  EXTENSION_ID,
  env,
  extensionApi,
  inWorkbench,
  run,
  showView,
  waitFor,
} from './support/harness';

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
    // Activation asks the server nothing; the view shown does.
    await showView();
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
  });

  it('ignores the workspace’s reviewer identity, refresh interval and timeout', async () => {
    const api = await extensionApi();
    const settings = api.connection.settings;
    assert.notEqual(settings.reviewer, 'someone-else@example.com', 'ratings attributed to anyone');
    assert.equal(settings.autoRefreshSeconds, 10, 'the user’s default, not 0.001');
    assert.equal(settings.requestTimeoutMs, 30_000, 'the user’s default, not 2.01 s');
  });

  it('runs none of the workspace’s code from any command a user can reach', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const root = folder.uri.fsPath;
    const marker = path.join(os.tmpdir(), `mtr-hostile-${process.pid}`);
    fs.rmSync(marker, { force: true });
    // A planted interpreter in both usual places, and a planted `python -m mlflow`.
    for (const venv of ['.venv', 'venv']) {
      const bin = path.join(root, venv, 'bin');
      fs.mkdirSync(bin, { recursive: true });
      fs.writeFileSync(path.join(bin, 'python'), `#!/bin/sh\necho ${venv} >> ${marker}\n`, {
        mode: 0o755,
      });
    }
    const planted = path.join(root, '.mlflow', 'mlflow');
    fs.mkdirSync(planted, { recursive: true });
    fs.writeFileSync(
      path.join(planted, '__main__.py'),
      `open(${JSON.stringify(marker)}, "a").write("mlflow\\n")\n`,
    );

    assert.equal(await run('startLocalServer'), undefined, 'refused, saying why');
    assert.equal(
      await run('choosePythonInterpreter', path.join(root, '.venv', 'bin', 'python')),
      undefined,
      'refused: checking an interpreter runs it',
    );
    // Then every command of the palette, as a person would run it: each question it asks is
    // dismissed with Escape until the command is done.
    const contributed = (
      vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        contributes: { commands: { command: string }[] };
      }
    ).contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 20, 'the commands were read');
    for (const command of contributed) {
      let done = false;
      void Promise.resolve(vscode.commands.executeCommand(command)).then(
        () => (done = true),
        () => (done = true),
      );
      await waitFor(`${command} to finish`, async () => {
        if (!done) await inWorkbench({ press: 'Escape' });
        return done;
      });
    }
    assert.equal(fs.existsSync(marker), false, 'nothing from the workspace ran');
  });
});
