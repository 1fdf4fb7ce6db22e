/**
 * Code and traces side by side (issue 21), end to end in the packaged extension: a developer opens
 * sample_app.py and reads the CodeLens above a traced function, follows its hover's link to a
 * trace, runs the app from the integrated terminal, reviews the run's new trace from the "1 new
 * trace from this run — Review" notification with the keyboard, logs its ground truth, adds it to
 * a new evaluation dataset, and jumps from one of its spans back to the function's `def`. Each
 * result is read back with MLflow's Python SDK. Prints (does not assert) the time from opening
 * the file to its lenses drawn and the searches the server received for them. Screenshots:
 * test-output/e2e/6-code-journey-*.png.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator } from 'playwright-core';
import { launchChromium, startCodeServer } from '../../scripts/code-server-harness/code-server.mjs';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { pythonPath, repoRoot } from '../support/env';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import { startServer } from '../support/servers';
import { sampleWorkspace } from './support/sample-workspace';
import { Workbench } from './support/workbench';

const REVIEWER = 'kim@example.com';
const VSIX = path.join(repoRoot(), 'dist', 'mlflow-trace-review.vsix');
const QUESTION = 'Will it be windy in Brest?';
const ANSWER = 'It is 18°C with light rain in Paris. Take an umbrella.';
const DATASET = 'Weather regressions';
const field = (name: string) => `[data-field="${name}"] input, [data-field="${name}"] textarea`;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`npm test\`.`);
  return value;
}

/** Polls (the server through MLflow's SDK, or the screen) until `probe` finds what it looks for. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The 1-based line of `text` in the workspace's sample_app.py. */
function lineOf(file: string, text: string): number {
  const index = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.startsWith(text));
  assert.ok(index >= 0, `${text} is in ${file}`);
  return index + 1;
}

describe('code and traces side by side, from the sample app', () => {
  let mlflow: MlflowServer;
  let sdk: PythonSdk;
  let codeServer: Awaited<ReturnType<typeof startCodeServer>>;
  let browser: Browser;
  let workspace: string;
  let seeded: { experiments: Record<string, string>; traces: Record<string, string> };
  const cleanups: (() => unknown)[] = [];

  /** The trace searches the server has answered so far (its access log). */
  const searchesSoFar = () =>
    fs
      .readFileSync(mlflow.logPath, 'utf8')
      .split('\n')
      .filter((line) => /POST \/(ajax-)?api\/[^ ]*traces\/search/.test(line)).length;

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
    ) as typeof seeded;
    sdk = new PythonSdk(mlflow.url);
    cleanups.push(() => sdk.close());
    const sample = sampleWorkspace('mtr-e2e-code-');
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
        // Runs typed in the terminal are watched (the default has debug and tasks too).
        'mlflowTraceReview.runTraces.collectFrom': ['terminal'],
        'terminal.integrated.gpuAcceleration': 'off',
        'terminal.integrated.suggest.enabled': false,
        'terminal.integrated.env.linux': { MLFLOW_TRACKING_URI: mlflow.url },
      },
    });
    cleanups.push(() => codeServer.stop());
    browser = await launchChromium(required('MTR_CHROMIUM'));
    cleanups.push(() => browser.close());
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('lens, hover, a run in the terminal, its review, a dataset and back to the def', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const w = new Workbench(page, '6-code-journey');
    const appFile = path.join(workspace, 'sample_app.py');
    const agentLine = lineOf(appFile, 'def weather_agent(');
    const toolLine = lineOf(appFile, 'def get_weather(');
    const lens = page.locator('.monaco-editor .codelens-decoration');
    try {
      await w.open(`${codeServer.base}/?folder=${encodeURIComponent(workspace)}`);

      // 1. The file, opened as a person opens it (Quick Open): a lens above each traced function.
      const searchesBefore = searchesSoFar();
      await w.press('Control+P');
      await w.waitForQuickInput('Search files by name');
      await w.type('sample_app.py');
      await w.waitForFocusedItem('sample_app.py');
      const opened = performance.now();
      await w.press('Enter');
      await lens
        .filter({ hasText: / traces? · / })
        .first()
        .waitFor({ timeout: 60_000 });
      const lensMs = performance.now() - opened;
      const lensSearches = searchesSoFar() - searchesBefore;
      // Ctrl+G to the agent's def, so that it and its lens are on screen.
      await w.press('Control+G');
      await w.type(String(agentLine));
      await w.press('Enter');
      const defLine = page.locator('.monaco-editor .view-line', { hasText: 'def weather_agent(' });
      await defLine.waitFor();
      const lensAbove = await lensJustAbove(defLine);
      // The seeded agent trace: a judge's feedback a person overrode, so it is reviewed.
      assert.match(lensAbove, /^1 trace · last \d+ (s|min) ago$/);
      await w.screenshot('lens');

      // 2. Its hover lists the agent's traces; its link opens one in the trace panel.
      await defLine
        .locator('span', { hasText: /^weather_agent$/ })
        .last()
        .hover();
      const hover = page.locator('.monaco-hover', { hasText: 'MLflow traces of span' }).first();
      await hover.waitFor({ timeout: 30_000 });
      assert.match(await hover.innerText(), /MLflow traces of span weather_agent: 1 trace/);
      const link = hover.locator('a', { hasText: "What's the weather in Paris?" }).first();
      await link.hover();
      await w.screenshot('hover');
      await link.click();
      const linked = await w.webview('trace');
      await linked
        .locator('body', { hasText: seeded.traces.agent ?? '(no agent trace)' })
        .waitFor({ timeout: 30_000 });
      // Closed with its tab's ×: back to the code.
      const tab = page.locator('.tab', { hasText: 'weather_agent' });
      await tab.hover();
      await tab.locator('.tab-actions .action-label').click();
      await tab.waitFor({ state: 'detached' });

      // 3. The app, run from the integrated terminal: its new trace is offered for review.
      const traceId = await w.runInTerminal(
        `.venv/bin/python sample_app.py "${QUESTION}"`,
        /trace: (tr-[0-9a-f]+)/,
      );
      const offer = await w.waitForNotification('new trace from this run');
      assert.equal(offer, '1 new trace from this run — Review');
      await page
        .locator('.statusbar-item', { hasText: '1 new trace from this run' })
        .first()
        .waitFor();
      // The lens counts the run's trace at once (not when its counts are a minute old).
      await eventually('the lens to count the new trace', async () => {
        const text = await lensJustAbove(defLine);
        return /^2 traces · 1 unreviewed · last \d+ s ago$/.test(text) ? text : undefined;
      });
      await w.screenshot('lens-and-offer');

      // Review: Submit and Next over exactly that trace, rated with the keyboard.
      await page
        .locator('.notification-toast', { hasText: 'new trace from this run' })
        .locator('.monaco-button', { hasText: 'Review' })
        .first()
        .click();
      const panel = await w.webview('trace');
      await panel.locator('body', { hasText: traceId }).waitFor({ timeout: 30_000 });
      const form = await w.webview('form');
      // The form opens with its name box focused: the keys go there.
      await form.locator('[data-field="name"]:focus').waitFor();
      await w.type('answers_the_question');
      await w.press('Enter'); // on to the kind of value: pass / fail, Pass chosen
      await w.press('Tab'); // to Pass / Fail
      await w.press('ArrowRight'); // Fail: it talks about Paris
      await form.locator('[data-boolean="false"][checked]').waitFor();
      await w.screenshot('rating');
      await w.press('Control+Shift+Enter'); // Submit and Next
      // The run had one trace: nothing else is next (not the seeded traces no one rated).
      await page
        .locator('.statusbar-item', { hasText: 'Every trace of this run has human feedback' })
        .first()
        .waitFor();
      const rated = await eventually('the feedback', async () =>
        (await sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId })).find(
          (a) => a.assessment_name === 'answers_the_question',
        ),
      );
      assert.equal(rated.feedback?.value, false);
      assert.deepEqual(rated.source, { source_type: 'HUMAN', source_id: REVIEWER });

      // 4. Its ground truth, from the trace panel's Add Expectation…
      await panel.locator('[data-testid="add-expectation"]').click();
      const expectation = await w.webview('form');
      await expectation.locator(field('name')).first().fill('expected_response');
      await expectation.locator(field('valueText')).first().fill(ANSWER);
      await expectation.locator(field('valueText')).first().press('Control+Enter');
      await eventually('the expectation', async () =>
        (await sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId })).find(
          (a) => a.assessment_name === 'expected_response',
        ),
      );
      // … then into a new evaluation dataset, from the trace panel's title bar.
      await panel.locator('body', { hasText: 'expected_response' }).waitFor({ timeout: 30_000 });
      await page
        .locator('.editor-actions .action-label[aria-label^="Add to Evaluation Dataset"]')
        .first()
        .click();
      await w.waitForQuickInput('Which evaluation dataset?');
      await w.waitForFocusedItem('Create Dataset…');
      await w.press('Enter');
      await w.waitForQuickInput('The new evaluation dataset’s name');
      await w.type(DATASET);
      await w.press('Enter');
      assert.equal(
        await w.waitForNotification(`Evaluation dataset "${DATASET}"`),
        `Evaluation dataset "${DATASET}": 1 record added, 0 updated.`,
      );
      const datasets = await sdk.call<{ dataset_id: string; name: string }[]>('search_datasets', {
        experiment_ids: [seeded.experiments.samples],
      });
      const dataset = datasets.find((d) => d.name === DATASET);
      assert.ok(dataset, `the dataset in ${JSON.stringify(datasets)}`);
      const records = await sdk.call<Record<string, unknown>[]>('dataset_records', {
        dataset_id: dataset.dataset_id,
      });
      const [record, ...others] = records;
      assert.ok(record && others.length === 0, `one record: ${JSON.stringify(records)}`);
      assert.equal(record.source_type, 'TRACE');
      assert.equal(record.source_id, traceId);
      assert.deepEqual(record.inputs, { question: QUESTION });
      assert.deepEqual(record.expectations, { expected_response: ANSWER });
      await w.screenshot('dataset');

      // 5. From the tool's span, back to its def.
      await panel.locator('.span-row', { hasText: 'get_weather' }).first().click();
      await panel.locator('.span-details h3', { hasText: 'get_weather' }).waitFor();
      await panel.locator('[data-testid="go-to-source"]').click();
      await page.locator('.tab.active', { hasText: 'sample_app.py' }).waitFor();
      // The cursor on the function's name in its def line (after "def ").
      await page
        .locator('.statusbar-item', { hasText: `Ln ${String(toolLine)}, Col 5` })
        .first()
        .waitFor();
      await w.screenshot('go-to-source');

      console.log(
        `[code journey] sample_app.py (${String((await lens.allInnerTexts()).length)} lenses): drawn ${lensMs.toFixed(0)} ms after Quick Open's Enter; the server received ${String(lensSearches)} trace searches meanwhile (one per distinct span name)`,
      );
    } catch (error) {
      await w.screenshot('failure').catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  });
});

/** The text of the lens drawn just above `line` (the nearest lens whose box ends above it). */
async function lensJustAbove(line: Locator): Promise<string> {
  const page = line.page();
  const top = (await line.boundingBox())?.y ?? 0;
  const lenses = page.locator('.monaco-editor .codelens-decoration');
  let best: { y: number; text: string } | undefined;
  for (const one of await lenses.all()) {
    const box = await one.boundingBox();
    if (!box || box.y >= top) continue;
    if (!best || box.y > best.y) best = { y: box.y, text: (await one.innerText()).trim() };
  }
  return best?.text ?? '';
}
