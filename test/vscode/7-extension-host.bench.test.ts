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
import { EXTENSION_ID, env, rows, showView, waitFor } from './support/harness';

const figures: Record<string, number> = {};

function memoryMb(): { heapUsed: number; rss: number } {
  const { heapUsed, rss } = process.memoryUsage();
  return { heapUsed: heapUsed / 2 ** 20, rss: rss / 2 ** 20 };
}

describe('extension host figures', () => {
  let api: ExtensionApi;
  const experimentId = env('MTR_BENCH_EXPERIMENT');

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
    const [experiment] = await waitFor('the experiment row', () => rows(api));
    assert.ok(experiment);
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
    let pages = 1;
    while (api.store.list(experimentId)?.nextPageToken) {
      await vscode.commands.executeCommand('mlflowTraceReview.loadMore', experimentId);
      pages++;
    }
    figures.pageThroughAllMs = performance.now() - started;
    figures.pages = pages;
    figures.tracesLoaded = api.store.list(experimentId)?.traces.length ?? 0;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const memory = memoryMb();
    figures.heapUsedAfterAllMb = memory.heapUsed;
    figures.rssAfterAllMb = memory.rss;
    figures.gcBeforeMemory = gc ? 1 : 0;
    assert.ok(figures.tracesLoaded > 0);
  });

  it('opens and renders a trace of many spans', async () => {
    const traceId = env('MTR_BENCH_BIG_TRACE');
    const rendered = new Promise<{ renderMs: number; spans: number }>((resolve) => {
      const subscription = api.onDidRenderTrace((event) => {
        if (event.traceId !== traceId) return;
        subscription.dispose();
        resolve(event);
      });
    });
    const started = performance.now();
    await vscode.commands.executeCommand('mlflowTraceReview.openTrace', { traceId });
    const event = await rendered;
    figures.panelOpenToRenderedMs = performance.now() - started;
    figures.panelRenderInWebviewMs = event.renderMs;
    figures.panelSpans = event.spans;
    assert.ok(event.spans > 0);
  });
});
