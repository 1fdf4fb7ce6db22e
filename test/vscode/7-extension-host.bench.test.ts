/**
 * The benchmarks' extension-host part (run by `npm run bench`, never by `npm test`): activation,
 * the first page of a large experiment after opening the view, the host's memory after paging
 * through all of it, and the trace panel opening a trace of many spans. Writes its figures to
 * MTR_BENCH_OUT as JSON; asserts only that each step did what it measures.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { TraceRendered } from '../../src/panels/panel-context';
import { EXTENSION_ID, env, rows, showView, waitFor } from './support/harness';
import { asExperimentId } from '../../src/mlflow/ids';

const figures: Record<string, number> = {};

function memoryMb(): { heapUsed: number; rss: number } {
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed: heapUsed / 2 ** 20, rss: rss / 2 ** 20 };
}

describe('extension host figures', function () {
  // A measurement, not an assertion: a slow moment on a shared machine must not lose the run.
  this.timeout(300_000);
  let api: ExtensionApi;
  const experimentId = asExperimentId(env('MTR_BENCH_EXPERIMENT'));

  after(() => {
    fs.writeFileSync(env('MTR_BENCH_OUT'), JSON.stringify(figures, null, 1));
  });

  it('activates', async () => {
    const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(extension && !extension.isActive, 'the extension is not active before the test');
    figures.memoryBeforeActivationMb = memoryMb().heapUsed;
    const started = performance.now();
    api = await extension.activate();
    figures.activationMs = performance.now() - started;
  });

  it('shows the first page of the large experiment after the view opens', async () => {
    const started = performance.now();
    await showView();
    const experiment = await waitFor('the experiment row', async () =>
      (await rows(api)).find((r) => r.contextValue === 'experiment'),
    );
    const traces = await waitFor('the first page', async () => {
      const children = await rows(api, experiment.node);
      return children.filter((r) => r.contextValue.startsWith('trace')).length > 0
        ? children
        : undefined;
    });
    figures.viewToFirstPageMs = performance.now() - started;
    figures.firstPageTraces = traces.filter((r) => r.contextValue.startsWith('trace')).length;
  });

  it('pages through every trace', async () => {
    const started = performance.now();
    const pageMs: number[] = [];
    while (api.store.list(experimentId)?.nextPageToken) {
      const pageStarted = performance.now();
      await vscode.commands.executeCommand('mlflowTraceReview.loadMore', experimentId);
      pageMs.push(performance.now() - pageStarted);
    }
    figures.pageThroughAllMs = performance.now() - started;
    figures.pages = pageMs.length + 1;
    figures.slowestPageMs = Math.max(0, ...pageMs);
    figures.tracesLoaded = api.store.list(experimentId)?.traces.length ?? 0;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const memory = memoryMb();
    figures.heapUsedAfterAllMb = memory.heapUsed;
    figures.rssAfterAllMb = memory.rss;
    figures.gcBeforeMemory = gc ? 1 : 0;
    assert.ok(figures.tracesLoaded > 0);
  });

  /** Opens the big trace's panel; the figures of its first render. */
  async function openBigTrace(): Promise<TraceRendered & { openToRenderedMs: number }> {
    const traceId = env('MTR_BENCH_BIG_TRACE');
    const rendered = new Promise<TraceRendered>((resolve) => {
      const subscription = api.onDidRenderTrace((event) => {
        if (event.traceId !== traceId) return;
        subscription.dispose();
        resolve(event);
      });
    });
    const started = performance.now();
    await vscode.commands.executeCommand('mlflowTraceReview.openTrace', { traceId });
    const event = await rendered;
    return { ...event, openToRenderedMs: performance.now() - started };
  }

  it('opens and renders a trace of many spans', async () => {
    const first = await openBigTrace();
    figures.panelOpenToRenderedMs = first.openToRenderedMs;
    figures.panelWebviewReadyMs = first.webviewReadyMs;
    figures.panelRenderInWebviewMs = first.renderMs;
    figures.panelSpans = first.spans;
    assert.ok(first.spans > 0);
  });

  it('opens it again after closing it (webviews warmed up, spans cached)', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const again = await openBigTrace();
    figures.panelReopenToRenderedMs = again.openToRenderedMs;
    figures.panelReopenWebviewReadyMs = again.webviewReadyMs;
    assert.equal(again.spans, figures.panelSpans);
  });
});
