/**
 * A draft survives reloading the window. This suite runs twice in one code-server: the first
 * time it types into a form and reloads the workbench; the extension host starts again, runs
 * the suite again, and this time checks that the form came back with what was typed (webview
 * state and the panel serializer), and that the local server started before the reload is
 * running again at the same URL. A marker file tells the two runs apart.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  env,
  extensionApi,
  inWebview,
  screenshot,
  seed,
  showView,
  waitFor,
} from './support/harness';

const field = (name: string) => `[data-field="${name}"] input, [data-field="${name}"] textarea`;

describe('reloading the window', () => {
  const marker = path.join(env('MTR_BRIDGE_DIR'), 'reload-marker');
  const localUrlFile = path.join(env('MTR_BRIDGE_DIR'), 'reload-local-server');

  it('brings the form back with the draft, and the local server on its port', async () => {
    const api = await extensionApi();
    // Activation asks nothing of the server: the view shown starts the check (after the reload,
    // the restored form does too, and brings the local server back).
    if (!fs.existsSync(marker)) await showView();
    // After the reload this includes the local server's cold start (10–30 s on two busy cores).
    await waitFor('the connection', () => api.connection.state.kind === 'connected', 60_000);
    if (!fs.existsSync(marker)) {
      await vscode.commands.executeCommand('mlflowTraceReview.openFeedbackForm', {
        traceId: seed().traces.error,
      });
      await inWebview(
        'form',
        { waitFor: true, selector: field('name') },
        { fill: 'typed_before_reload', selector: field('name') },
        { click: true, selector: '[data-value-type="string"]' },
        { fill: 'half-written thought', selector: field('valueText') },
      );
      // Then a local server (after the form: the seeded trace is not on it).
      await vscode.commands.executeCommand(
        'mlflowTraceReview.choosePythonInterpreter',
        env('MTR_PYTHON'),
      );
      const url = await vscode.commands.executeCommand<string | undefined>(
        'mlflowTraceReview.startLocalServer',
      );
      assert.ok(url, 'the local server started');
      fs.writeFileSync(localUrlFile, url);
      fs.writeFileSync(marker, 'typed');
      // "Developer: Reload Window": this extension host ends here and the suite runs again.
      await vscode.commands.executeCommand('workbench.action.reloadWindow');
      await new Promise(() => undefined);
    }
    const [name, value] = await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { value: true, selector: field('name') },
      { value: true, selector: field('valueText') },
    );
    assert.deepEqual(name, ['typed_before_reload']);
    assert.deepEqual(value, ['half-written thought']);
    await screenshot('form-after-reload');
    // The server that ran before the reload is back, at the same address.
    const before = fs.readFileSync(localUrlFile, 'utf8');
    await waitFor(
      'the local server again',
      () =>
        api.connection.settings.trackingUri.url === before &&
        api.connection.state.kind === 'connected',
      60_000,
    );
    await vscode.commands.executeCommand('mlflowTraceReview.stopLocalServer');
  });
});
