/**
 * A newcomer's first hour, end to end: the packaged .vsix in a fresh VS Code (code-server) with
 * no MLflow server anywhere and no MLFLOW_TRACKING_URI, then only what a person does: read the
 * welcome view, choose the interpreter, start a local server, run the sample app in a new
 * terminal (nothing set by hand), review its trace with the keyboard, reload the window, and
 * get the server back after it was killed from outside. Screenshots, light and high contrast:
 * test-output/e2e/5-first-hour-*.png.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, startCodeServer } from '../../scripts/code-server-harness/code-server.mjs';
import { repoRoot } from '../support/env';
import { killProcessGroupsNaming } from '../support/processes';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import { sampleWorkspace } from './support/sample-workspace';
import { Workbench } from './support/workbench';

const REVIEWER = 'sam@example.com';
const VSIX = path.join(repoRoot(), 'dist', 'mlflow-trace-review.vsix');
const DEFAULT_URL = 'http://127.0.0.1:5000';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`npm test\`.`);
  return value;
}

describe('a newcomer’s first hour', () => {
  let codeServer: Awaited<ReturnType<typeof startCodeServer>>;
  let browser: Browser;
  let workspace: string;
  const cleanups: (() => unknown)[] = [];

  before(async () => {
    const sample = sampleWorkspace('mtr-first-hour-');
    workspace = sample.folder;
    cleanups.push(sample.remove);
    codeServer = await startCodeServer({
      node24: required('MTR_NODE24'),
      codeServerEntry: required('MTR_CODE_SERVER_ENTRY'),
      installVsix: [VSIX],
      smokeDriver: false,
      // Nothing tells it where a server is: no setting, no variable.
      env: { MLFLOW_TRACKING_URI: '' },
      settings: {
        'mlflowTraceReview.reviewer': REVIEWER,
        'terminal.integrated.gpuAcceleration': 'off',
        'terminal.integrated.suggest.enabled': false,
      },
    });
    cleanups.push(() => codeServer.stop());
    // Whatever happens, no server of this workspace outlives the test.
    cleanups.push(() => killProcessGroupsNaming(path.join(workspace, '.mlflow')));
    browser = await launchChromium(required('MTR_CHROMIUM'));
    cleanups.push(() => browser.close());
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('starts from nothing and reviews a first trace, through a reload and a crash', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const w = new Workbench(page, '5-first-hour');
    try {
      await w.open(`${codeServer.base}/?folder=${encodeURIComponent(workspace)}`);
      await w.activityBarItem().click();
      // The welcome view says what is true: nothing answers at the default address.
      await page
        .locator('.welcome-view-content', { hasText: `Nothing answers at ${DEFAULT_URL}` })
        .waitFor({ timeout: 60_000 });
      await w.screenshot('welcome');

      // The interpreter, from the palette: the workspace's .venv has mlflow.
      await w.runCommand('MLflow: Choose Python Interpreter for the Local Server');
      await w.waitForQuickInput('Python Interpreter for the Local MLflow Server');
      await w.type('.venv');
      await w.waitForFocusedItem('.venv');
      await w.press('Enter');
      await w.waitForNotification('The local MLflow server will run with');

      // The welcome button starts it, on the default port; the notification says where.
      await page
        .locator('.welcome-view-content a, .welcome-view-content .monaco-button', {
          hasText: 'Start a Local MLflow Server',
        })
        .first()
        .click();
      const started = await w.waitForNotification('Local MLflow server running at');
      assert.match(started, new RegExp(`running at ${DEFAULT_URL}, with its data in .*\\.mlflow`));
      assert.match(started, /ignored by git/);
      await w.waitForTreeRow('Default', 120_000);
      await w.screenshot('local-server');

      // The app, in a new terminal, with nothing set by hand: its trace appears by itself.
      const traceId = await w.runInTerminal(
        '.venv/bin/python sample_app.py "Is it sunny in Nice?"',
        /trace: (tr-[0-9a-f]+)/,
      );
      await w.waitForTreeRow('Is it sunny in Nice?', 60_000);
      await w.screenshot('first-trace');

      // Reviewed with the keyboard alone, the trace beside while it is rated. (The terminal has
      // the focus and keeps Ctrl+Alt+R for the shell: the palette, then.)
      await w.runCommand('MLflow: Review Latest Trace');
      await w.waitForQuickInput('Log Feedback (1/4)');
      await w.webview('trace');
      await w.type('helpful');
      await w.press('Enter');
      await w.waitForQuickInput('Log Feedback (2/4)');
      await w.waitForFocusedItem('Pass / fail');
      await w.press('Enter');
      await w.waitForQuickInput('Pass or fail?');
      await w.press('Enter');
      await w.waitForQuickInput('Log Feedback (4/4)');
      await w.screenshot('rating');
      await w.press('Enter');
      const sdk = new PythonSdk(DEFAULT_URL);
      try {
        const stored = await eventually('the rating on the server', async () =>
          (await sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId })).find(
            (a) => a.assessment_name === 'helpful',
          ),
        );
        assert.equal(stored.feedback?.value, true);
        assert.deepEqual(stored.source, { source_type: 'HUMAN', source_id: REVIEWER });
      } finally {
        sdk.close();
      }
      await w.waitForTreeRow('Is it sunny in Nice?');

      // A reload: the server is back at the same address, the trace still there.
      await w.runCommand('Developer: Reload Window');
      await w.activityBarItem().waitFor({ timeout: 60_000 });
      await w.showView();
      await w.waitForTreeRow('Is it sunny in Nice?', 120_000);
      await page
        .locator('.statusbar-item', { hasText: 'MLflow 127.0.0.1:5000' })
        .first()
        .waitFor({ timeout: 60_000 });
      // The trace panel came back with the window, and shows the trace once the server answers.
      const restored = await w.webview('trace');
      await restored.locator('h1', { hasText: 'weather_agent' }).waitFor({ timeout: 60_000 });
      await w.screenshot('after-reload');

      // Killed from outside: the notification says so, and Restart brings it back.
      assert.ok(killProcessGroupsNaming(path.join(workspace, '.mlflow')) > 0);
      const died = await w.waitForNotification('The local MLflow server at');
      assert.match(died, /stopped \(exit .*\)\. Its output is in .*server\.log/);
      await w.screenshot('server-died');
      await page
        .locator('.notification-toast', { hasText: 'The local MLflow server at' })
        .locator('.monaco-button', { hasText: 'Restart' })
        .first()
        .click();
      await w.waitForNotification('Local MLflow server running at');
      await w.waitForTreeRow('Is it sunny in Nice?', 120_000);

      // The same view in the high-contrast theme.
      await w.press('F1');
      await w.type('Preferences: Color Theme');
      // Not "Browse Color Themes in Marketplace", which the palette lists first.
      await page
        .locator('.quick-input-list .monaco-list-row', {
          hasText: /^Preferences: Color Theme(?!s)/,
        })
        .first()
        .click();
      await w.type('Dark High Contrast');
      await w.waitForFocusedItem('Dark High Contrast');
      await w.press('Enter');
      await page.locator('.monaco-workbench.hc-black').waitFor({ timeout: 30_000 });
      await w.treeRow('Is it sunny in Nice?').click();
      await w.webview('trace');
      await w.screenshot('high-contrast');

      // (Stopping it on request is tested in test/vscode/3-connection.test.ts; the cleanup
      // below stops this one.)
    } catch (error) {
      await w.screenshot('failure').catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  });
});

/** Polls `probe` until it finds what it looks for. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
