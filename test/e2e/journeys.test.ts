/**
 * A person's journeys, end to end: the packaged .vsix installed in code-server (no test hooks in
 * the workbench), Chromium driven by Playwright the way a person uses VS Code, a real MLflow
 * server seeded with MLflow's SDK, and every result checked on the server with MLflow's SDK.
 * Screenshots of each step: test-output/e2e/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, startCodeServer } from '../../scripts/code-server-harness/code-server.mjs';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { pythonPath, repoRoot } from '../support/env';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import { startServer } from '../support/servers';
import { sampleWorkspace } from './support/sample-workspace';
import { Workbench } from './support/workbench';

const REVIEWER = 'dana@example.com';
const VSIX = path.join(repoRoot(), 'dist', 'mlflow-trace-review.vsix');
const field = (name: string) => `[data-field="${name}"] input, [data-field="${name}"] textarea`;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`npm test\`.`);
  return value;
}

/** Polls the server (through MLflow's SDK) until `probe` finds what it looks for. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} on the server`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a person’s journeys with the packaged extension', () => {
  let mlflow: MlflowServer;
  let sdk: PythonSdk;
  let codeServer: Awaited<ReturnType<typeof startCodeServer>>;
  let browser: Browser;
  let workspace: string;
  let seeded: { traces: Record<string, string> };
  const cleanups: (() => unknown)[] = [];

  const onServer = (traceId: string) =>
    sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId });

  /**
   * Runs `steps` in a fresh window on the sample workspace (its own extension host); a failure
   * leaves a screenshot of what the person would have seen.
   */
  async function inWorkbench(journey: string, steps: (w: Workbench) => Promise<void>) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const workbench = new Workbench(page, journey);
    try {
      await workbench.open(`${codeServer.base}/?folder=${encodeURIComponent(workspace)}`);
      await steps(workbench);
    } catch (error) {
      await workbench.screenshot('failure').catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  }

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: \`npm run package\` makes it`);
    mlflow = await startServer();
    cleanups.push(async () => {
      await mlflow.stop();
      fs.rmSync(mlflow.dataDir, { recursive: true, force: true });
    });
    seeded = JSON.parse(
      execFileSync(
        pythonPath(),
        [path.join(repoRoot(), 'python', 'seed.py'), '--tracking-uri', mlflow.url],
        { encoding: 'utf8' },
      ),
    ) as { traces: Record<string, string> };
    sdk = new PythonSdk(mlflow.url);
    cleanups.push(() => sdk.close());
    const sample = sampleWorkspace('mtr-e2e-workspace-');
    workspace = sample.folder;
    cleanups.push(sample.remove);
    codeServer = await startCodeServer({
      node24: required('MTR_NODE24'),
      codeServerEntry: required('MTR_CODE_SERVER_ENTRY'),
      installVsix: [VSIX],
      smokeDriver: false,
      settings: {
        'mlflowTraceReview.trackingUri': mlflow.url,
        'mlflowTraceReview.reviewer': REVIEWER,
        // The DOM renderer lets the test read the terminal as a person reads it.
        'terminal.integrated.gpuAcceleration': 'off',
        'terminal.integrated.suggest.enabled': false,
        'terminal.integrated.env.linux': {
          MLFLOW_TRACKING_URI: mlflow.url,
        },
      },
    });
    cleanups.push(() => codeServer.stop());
    browser = await launchChromium(required('MTR_CHROMIUM'));
    cleanups.push(() => browser.close());
  });

  after(async () => {
    // In reverse order of starting; whatever did start is stopped even if a later step failed.
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('1. rates the trace of an app run in the terminal, with the keyboard alone', async () => {
    await inWorkbench('1-rate-while-debugging', async (w) => {
      await w.activityBarItem().click();
      await w.waitForTreeRow('Sample apps');
      await w.screenshot('view');

      const traceId = await w.runInTerminal(
        '.venv/bin/python sample_app.py "Will it rain in Lyon?"',
        /trace: (tr-[0-9a-f]+)/,
      );
      // No refresh: the view polls while it is visible.
      await w.waitForTreeRow('Will it rain in Lyon?');
      await w.screenshot('new-trace-in-tree');

      await w.runCommand('MLflow: Review Latest Trace');
      await w.waitForQuickInput('a name');
      await w.type('helpful');
      await w.waitForFocusedItem('helpful');
      await w.press('Enter');
      await w.waitForQuickInput('What kind of value?');
      await w.waitForFocusedItem('Pass / fail');
      await w.screenshot('value-type');
      await w.press('Enter');
      await w.waitForQuickInput('Pass or fail?');
      await w.waitForFocusedItem('Pass');
      await w.press('Enter');
      await w.waitForQuickInput('Why?');
      await w.type('gave the forecast and the advice');
      await w.screenshot('rationale');
      await w.press('Enter');

      const helpful = await eventually('the feedback', async () =>
        (await onServer(traceId)).find((a) => a.assessment_name === 'helpful'),
      );
      assert.equal(helpful.feedback?.value, true);
      assert.equal(helpful.rationale, 'gave the forecast and the advice');
      assert.deepEqual(helpful.source, { source_type: 'HUMAN', source_id: REVIEWER });
      // The tree shows the new feedback under the trace it revealed.
      await w.waitForTreeRow('helpful: true');
      await w.screenshot('feedback-in-tree');
    });
  });

  it('2. logs ground truth as JSON from the command palette alone', async () => {
    await inWorkbench('2-ground-truth-from-palette', async (w) => {
      await w.runCommand('MLflow: Log Expectation (Ground Truth)');
      await w.waitForQuickInput('Which trace?');
      await w.type('How do I attach feedback');
      await w.waitForFocusedItem('rag_app');
      await w.screenshot('pick-trace');
      await w.press('Enter');
      await w.waitForQuickInput('a name');
      await w.type('expected_facts');
      await w.waitForFocusedItem('expected_facts');
      await w.press('Enter');
      await w.waitForQuickInput('Where does the value come from?');
      await w.type('JSON');
      await w.waitForFocusedItem('JSON');
      await w.press('Enter');
      await w.waitForQuickInput('JSON: any JSON value');
      await w.type(
        '{"facts": ["mlflow.log_feedback takes the trace id", "feedback has a source"]}',
      );
      await w.screenshot('json-value');
      await w.press('Enter');

      const traceId = seeded.traces.rag ?? '';
      const values = await eventually('the expectation', async () => {
        const all = await sdk.call<Record<string, { name: string; value: unknown }>>(
          'assessment_values',
          { trace_id: traceId },
        );
        return Object.values(all).find((a) => a.name === 'expected_facts');
      });
      assert.deepEqual(values.value, {
        facts: ['mlflow.log_feedback takes the trace id', 'feedback has a source'],
      });
      const stored = (await onServer(traceId)).find((a) => a.assessment_name === 'expected_facts');
      assert.deepEqual(stored?.source, { source_type: 'HUMAN', source_id: REVIEWER });
    });
  });

  it('3. overrides an LLM judge inline, then deletes the override', async () => {
    const traceId = seeded.traces.rag ?? '';
    const judged = (await onServer(traceId)).find((a) => a.assessment_name === 'groundedness');
    assert.equal(judged?.source.source_type, 'LLM_JUDGE');
    assert.notEqual(judged.valid, false);

    await inWorkbench('3-override-judge', async (w) => {
      await w.activityBarItem().click();
      const trace = await w.waitForTreeRow('rag_app: How do I attach feedback');
      await w.expand(trace);
      const judgeRow = await w.waitForTreeRow('groundedness');
      await w.screenshot('judge-in-tree');
      const tooltip = await w.hoverShows(judgeRow, 'feedback by LLM judge', 'judge-tooltip');
      assert.match(tooltip, /groundedness · feedback by LLM judge/);
      await w.contextMenu(judgeRow, 'Override Feedback');
      await w.waitForQuickInput('Override Feedback: groundedness');
      await w.waitForFocusedItem('Text');
      await w.press('Enter');
      await w.waitForQuickInput('Text:');
      await w.type('partly');
      await w.press('Enter');
      await w.waitForQuickInput('Why?');
      await w.type('the second claim is not in the documents');
      await w.press('Enter');

      const override = await eventually('the override', async () =>
        (await onServer(traceId)).find((a) => a.overrides === judged.assessment_id),
      );
      assert.equal(override.feedback?.value, 'partly');
      assert.deepEqual(override.source, { source_type: 'HUMAN', source_id: REVIEWER });
      const original = (await onServer(traceId)).find(
        (a) => a.assessment_id === judged.assessment_id,
      );
      assert.equal(original?.valid, false);

      // The tree keeps the judge's feedback on record, marked as overridden by the reviewer.
      await w.waitForTreeRow(/groundedness: yes.*overridden by .*dana@example\.com/);
      await w.screenshot('overridden-in-tree');

      // The trace panel shows the override, with the judge's feedback behind "edited".
      await trace.click();
      const panel = await w.webview('trace');
      const group = panel.locator('.feedback-group[data-name="groundedness"]');
      await group.locator('[data-testid="history"]').click();
      await panel.locator('.history .assessment').first().waitFor();
      assert.match(
        (await panel.locator('.history .assessment').allTextContents()).join('\n'),
        /yes.*overridden/s,
      );
      assert.match((await group.textContent()) ?? '', /partly/);
      await w.screenshot('overridden-in-panel');

      // Deleting the override (from its row's context menu, confirmed in VS Code's dialog)
      // brings the judge's feedback back.
      const overrideRow = await w.waitForTreeRow('groundedness: partly');
      await w.contextMenu(overrideRow, 'Delete Assessment');
      // The dialog names the trace and who assessed; Enter takes its default, which keeps it.
      const asked = await w.pressInDialog('Enter');
      assert.match(asked, /on trace "rag_app"/);
      assert.match(asked, /by human /);
      assert.ok(
        (await onServer(traceId)).some((a) => a.assessment_id === override.assessment_id),
        'Enter deleted the assessment',
      );
      await w.contextMenu(overrideRow, 'Delete Assessment');
      const question = await w.answerDialog('Delete', 'confirm-delete');
      assert.match(question, /groundedness/);
      await eventually('the judge’s feedback in force again', async () => {
        const now = await onServer(traceId);
        const back = now.find((a) => a.assessment_id === judged.assessment_id);
        return !now.some((a) => a.assessment_id === override.assessment_id) && back?.valid === true
          ? true
          : undefined;
      });
      await w.page
        .locator('.sidebar [role="treeitem"]', { hasText: 'overridden by' })
        .waitFor({ state: 'detached' });
      await group.locator('[data-testid="history"]').waitFor({ state: 'detached' });
      assert.match((await group.textContent()) ?? '', /yes/);
      await w.screenshot('override-deleted');
    });
  });

  it('4. keeps a form’s draft while the server is down and sends it once it is back', async () => {
    const traceId = seeded.traces.chat ?? '';
    await inWorkbench('4-server-stops', async (w) => {
      await w.runCommand('MLflow: Open Feedback Form');
      await w.waitForQuickInput('Which trace?');
      await w.type('Hi there');
      await w.waitForFocusedItem('chat_app');
      await w.press('Enter');
      const form = await w.webview('form');
      await form.locator(field('name')).first().fill('friendly');
      await form.locator('[data-value-type="string"]').first().click();
      await form.locator(field('valueText')).first().fill('warm but brief');
      await form.locator(field('rationale')).first().fill('typed before the outage');
      await w.screenshot('draft');

      await mlflow.stop({ keepData: true });
      await form.locator('[data-testid="submit"]').first().click();
      const error = form.locator('[data-testid="server-error"]');
      await error.waitFor();
      assert.match((await error.textContent()) ?? '', /Cannot connect.*Start the server/s);
      assert.equal(await form.locator(field('valueText')).first().inputValue(), 'warm but brief');
      assert.equal(
        await form.locator(field('rationale')).first().inputValue(),
        'typed before the outage',
      );
      await w.screenshot('server-down');

      mlflow = await startServer({ dataDir: mlflow.dataDir, port: mlflow.port });
      await form.locator('[data-testid="submit"]').first().click();
      const stored = await eventually('the feedback sent after the outage', async () =>
        (await onServer(traceId)).find((a) => a.assessment_name === 'friendly'),
      );
      assert.equal(stored.feedback?.value, 'warm but brief');
      assert.equal(stored.rationale, 'typed before the outage');
      await w.screenshot('sent');
    });
  });
});
