/**
 * A reviewer works an MLflow review queue with the keyboard alone, in the packaged extension: a
 * queue of five traces with three questions (pass/fail, categorical, numeric) made with MLflow's
 * Python API; each item answered with digits and Tab and submitted with Ctrl+Enter, one declined
 * with Ctrl+D, one reopened with Alt+R and answered again; each step checked on the server with
 * MLflow's Python SDK (names and values, overrides, statuses, who completed). It prints the keys
 * pressed per item and the time from a submit to the next item drawn (measured in the webview);
 * neither is asserted.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, startCodeServer } from '../../scripts/code-server-harness/code-server.mjs';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { repoRoot } from '../support/env';
import { PythonSdk } from '../support/python-sdk';
import { startServer } from '../support/servers';
import { sampleWorkspace } from './support/sample-workspace';
import { Workbench } from './support/workbench';

const REVIEWER = 'erin@example.com';
const VSIX = path.join(repoRoot(), 'dist', 'mlflow-trace-review.vsix');
const EXPERIMENT = 'Support bot';
const QUEUE = 'Weekly review';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the end-to-end tests with \`npm test\`.`);
  return value;
}

interface PyItem {
  item_id: string;
  status: string;
  completed_by: string | null;
}
interface PyAnswer {
  assessment_id: string;
  name: string;
  value: unknown;
  source_id: string;
  valid: boolean;
  overrides: string | null;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} on the server`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a reviewer works a review queue with the keyboard alone', () => {
  let mlflow: MlflowServer;
  let sdk: PythonSdk;
  let codeServer: Awaited<ReturnType<typeof startCodeServer>>;
  let browser: Browser;
  let workspace: string;
  let queueId: string;
  let order: string[];
  const cleanups: (() => unknown)[] = [];

  const items = () => sdk.call<PyItem[]>('list_review_queue_items', { queue_id: queueId });
  const answers = (traceId: string) =>
    sdk.call<PyAnswer[]>('review_answers', { trace_id: traceId });
  const statusOf = async (traceId: string) => (await items()).find((i) => i.item_id === traceId);

  before(async () => {
    assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: \`npm run package\` makes it`);
    mlflow = await startServer();
    cleanups.push(async () => {
      await mlflow.stop();
      fs.rmSync(mlflow.dataDir, { recursive: true, force: true });
    });
    sdk = new PythonSdk(mlflow.url);
    cleanups.push(() => sdk.close());
    const traceIds: string[] = [];
    let experimentId = '';
    for (const input of [
      'refund?',
      'reset password',
      'invoice copy',
      'api limits',
      'cancel plan',
    ]) {
      const made = await sdk.call<{ trace_id: string; experiment_id: string }>('create_trace', {
        experiment: EXPERIMENT,
        input,
      });
      traceIds.push(made.trace_id);
      experimentId = made.experiment_id;
    }
    const schema = async (name: string, input: unknown) =>
      (
        await sdk.call<{ schema_id: string }>('create_label_schema', {
          experiment_id: experimentId,
          name,
          input,
        })
      ).schema_id;
    const schemaIds = [
      await schema('resolved', { kind: 'pass_fail', positive_label: 'Yes', negative_label: 'No' }),
      await schema('topic', { kind: 'categorical', options: ['billing', 'account', 'technical'] }),
      await schema('quality', { kind: 'numeric', min_value: 1, max_value: 5 }),
    ];
    queueId = (
      await sdk.call<{ queue_id: string }>('create_review_queue', {
        experiment_id: experimentId,
        name: QUEUE,
        users: [REVIEWER],
        schema_ids: schemaIds,
      })
    ).queue_id;
    await sdk.call('add_items_to_review_queue', { queue_id: queueId, item_ids: traceIds });
    order = (await items()).map((i) => i.item_id);
    const sample = sampleWorkspace('mtr-e2e-review-');
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
        'mlflowTraceReview.experiments': [experimentId],
      },
    });
    cleanups.push(() => codeServer.stop());
    browser = await launchChromium(required('MTR_CHROMIUM'));
    cleanups.push(() => browser.close());
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('answers, declines, reopens and answers again, every step on the server', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    const w = new Workbench(page, '5-review-queue');
    const keysPerItem: number[] = [];
    let keys = 0;
    const press = async (key: string) => {
      keys++;
      await w.press(key);
    };
    const drawn = async (traceId: string) => {
      const frame = await w.webview('review');
      await frame
        .locator(`body:has([data-question="0"])`)
        .waitFor({ timeout: 20_000 })
        .catch(() => undefined);
      await eventually(`the panel on ${traceId}`, async () => {
        const shown = await (
          await w.webview('review')
        ).evaluate(() => {
          const text = document.querySelector('.review-trace header')?.textContent ?? '';
          return text;
        });
        return shown.includes(traceId) ? true : undefined;
      });
    };
    try {
      await w.open(`${codeServer.base}/?folder=${encodeURIComponent(workspace)}`);
      await w.runCommand('MLflow: Start Review…');
      await w.waitForQuickInput('Which review queue?');
      await w.waitForFocusedItem(QUEUE);
      await w.press('Enter');
      await drawn(order[0] ?? '');
      await w.screenshot('panel');

      // Items 1 to 3: answered (Yes / billing / 4), each with digit, Tab, digit, Tab, digit,
      // Ctrl+Enter.
      for (const [index, traceId] of order.slice(0, 3).entries()) {
        keys = 0;
        await press('1');
        await press('Tab');
        await press('1');
        await press('Tab');
        await press('4');
        await press('Control+Enter');
        keysPerItem.push(keys);
        const next = order[index + 1] ?? '';
        await drawn(next);
        const written = await eventually('the answers', async () => {
          const a = await answers(traceId);
          return a.length === 3 ? a : undefined;
        });
        assert.deepEqual(written.map((a) => [a.name, a.value, a.source_id, a.valid]).sort(), [
          ['quality', 4, REVIEWER, true],
          ['resolved', true, REVIEWER, true],
          ['topic', 'billing', REVIEWER, true],
        ]);
        const item = await statusOf(traceId);
        assert.equal(item?.status, 'complete');
        assert.equal(item.completed_by, REVIEWER);
      }
      await w.screenshot('after-three');

      // Item 4: declined with one key.
      keys = 0;
      await press('Control+d');
      keysPerItem.push(keys);
      await drawn(order[4] ?? '');
      assert.equal((await statusOf(order[3] ?? ''))?.status, 'declined');
      assert.equal((await answers(order[3] ?? '')).length, 0);

      // Item 5 answered (No / technical / 2).
      keys = 0;
      await press('2');
      await press('Tab');
      await press('3');
      await press('Tab');
      await press('2');
      await press('Control+Enter');
      keysPerItem.push(keys);
      const finished = await w.webview('review');
      await finished.locator('[data-testid="review-finished"]').waitFor({ timeout: 20_000 });
      assert.equal((await statusOf(order[4] ?? ''))?.status, 'complete');
      await w.screenshot('finished');

      // Back to the first item, reopened and answered again: each answer overrides the first.
      const first = order[0] ?? '';
      const before = await answers(first);
      // From the finish state, Alt+PageDown goes back to the queue's first item.
      await w.press('Alt+PageDown');
      await drawn(first);
      keys = 0;
      await press('Alt+r');
      await eventually('the item reopened', async () =>
        (await statusOf(first))?.status === 'pending' ? true : undefined,
      );
      // The panel says so before the next keys (they wait while it is busy).
      await (
        await w.webview('review')
      )
        .locator('[data-testid="review-status"]', { hasText: /^pending$/ })
        .waitFor({ timeout: 20_000 });
      await press('2');
      await press('Tab');
      await press('2');
      await press('Tab');
      await press('Backspace');
      await press('5');
      await press('Control+Enter');
      keysPerItem.push(keys);
      await (
        await w.webview('review')
      )
        .locator('[data-testid="review-finished"]')
        .waitFor({ timeout: 20_000 });
      const after = await answers(first);
      const valid = after.filter((a) => a.valid);
      assert.deepEqual(valid.map((a) => [a.name, a.value]).sort(), [
        ['quality', 5],
        ['resolved', false],
        ['topic', 'account'],
      ]);
      for (const a of valid)
        assert.equal(before.find((b) => b.assessment_id === a.overrides)?.name, a.name);
      assert.equal((await statusOf(first))?.status, 'complete');
      assert.deepEqual((await items()).map((i) => i.status).sort(), [
        'complete',
        'complete',
        'complete',
        'complete',
        'declined',
      ]);
      await w.screenshot('reopened-and-answered');

      const times = await (
        await w.webview('review')
      ).evaluate(() => document.body.dataset.drawTimes ?? '');
      const ms = times.split(',').filter(Boolean).map(Number);
      const sorted = [...ms].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      console.log(
        `[review journey] keys per item: ${keysPerItem.join(', ')} (3 questions: a digit and Tab each, the last without Tab, then Ctrl+Enter; decline: Ctrl+D; the reopened item: Alt+R, then its answers with Backspace to retype the number)`,
      );
      console.log(
        `[review journey] submit or decline to the next item drawn, in the webview (ms): ${ms.join(', ')}; median ${String(median)}`,
      );
    } catch (error) {
      await w.screenshot('failure').catch(() => undefined);
      throw error;
    } finally {
      await page.close();
    }
  });
});
