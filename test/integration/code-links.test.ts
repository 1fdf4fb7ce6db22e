/**
 * What MLflow 3.18 records that links traces and code (issue 21), made by really running a traced
 * Python app (python/code_links_app.py, in its own process, from a git repository) against the
 * pinned server: the span names and `mlflow.spanFunctionName`, the trace's `mlflow.source.*`
 * metadata, and the `span.name` filter through our client and MLflow's own search. What it finds
 * is written down in docs/mlflow-rest-findings.md#code-links.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spanNameFilter, SpanStatsSource } from '../../src/code/span-stats-source';
import { MlflowApiError } from '../../src/mlflow/errors';
import { asTraceId } from '../../src/mlflow/ids';
import { MlflowClient } from '../../src/mlflow/client';
import type { MlflowServer } from '../../src/mlflow-server/launcher';
import { repoRoot } from '../support/env';
import { PythonSdk } from '../support/python-sdk';
import { startServer } from '../support/servers';

interface PyTraceRecord {
  metadata: { [key: string]: string };
  spans: { name: string; function_name: string | null }[];
}

let server: MlflowServer;
let sdk: PythonSdk;
let client: MlflowClient;
let repo: string;
let head: string;
let traceIds: string[];
let experimentId: string;

const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

before(async () => {
  server = await startServer();
  sdk = new PythonSdk(server.url);
  client = new MlflowClient({ baseUrl: server.url });
  repo = mkdtempSync(path.join(os.tmpdir(), 'mtr-code-links-'));
  copyFileSync(path.join(repoRoot(), 'python', 'code_links_app.py'), path.join(repo, 'app.py'));
  git('init', '-q');
  git('add', 'app.py');
  git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', 'the app');
  head = git('rev-parse', 'HEAD');
  ({ trace_ids: traceIds } = await sdk.call<{ trace_ids: string[] }>('run_app', {
    file: path.join(repo, 'app.py'),
    args: ['code-links', 'the weather'],
    cwd: repo,
  }));
  experimentId = (await client.getTraceInfo(traceIds[0] ?? '')).experimentId ?? '';
});

after(async () => {
  sdk.close();
  await client.close();
  await server.stop();
  rmSync(repo, { recursive: true, force: true });
});

describe('what MLflow records of traced code', () => {
  it('names a decorated function’s span after name= or the function, with its __name__', async () => {
    const record = await sdk.call<PyTraceRecord>('trace_record', { trace_id: traceIds[0] });
    assert.deepEqual(
      record.spans.map((s) => [s.name, s.function_name]),
      [
        ['answer_question', 'answer'],
        ['lookup', null],
        ['fetch', 'fetch'],
        ['compose', 'compose'],
      ],
    );
    // Our client reads the same attribute (decoded from its JSON text).
    const spans = await client.getTraceSpans(traceIds[0] ?? '');
    assert.deepEqual(
      spans.map((s) => [s.name, s.attributes['mlflow.spanFunctionName'] ?? null]),
      record.spans.map((s) => [s.name, s.function_name]),
    );
    const summarize = await sdk.call<PyTraceRecord>('trace_record', { trace_id: traceIds[1] });
    assert.deepEqual(summarize.spans, [{ name: 'summarize', function_name: 'summarize' }]);
  });

  it('records where the trace came from and the git commit of the working directory', async () => {
    const info = await client.getTraceInfo(traceIds[0] ?? '');
    assert.equal(info.metadata['mlflow.source.name'], path.join(repo, 'app.py'));
    assert.equal(info.metadata['mlflow.source.type'], 'LOCAL');
    assert.equal(info.metadata['mlflow.source.git.commit'], head);
    const record = await sdk.call<PyTraceRecord>('trace_record', { trace_id: traceIds[0] });
    assert.equal(record.metadata['mlflow.source.git.commit'], head);
  });

  it('records no commit when the app runs from outside a repository', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'mtr-no-git-'));
    try {
      const { trace_ids } = await sdk.call<{ trace_ids: string[] }>('run_app', {
        file: path.join(repo, 'app.py'),
        args: ['code-links-outside'],
        cwd: outside,
      });
      const info = await client.getTraceInfo(trace_ids[0] ?? '');
      // MLflow asks git about the working directory, not the script's folder: empty, not absent.
      assert.equal(info.metadata['mlflow.source.git.commit'], '');
      assert.equal(info.metadata['mlflow.source.name'], path.join(repo, 'app.py'));
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('finding traces by span name', () => {
  it('finds the traces that contain a span of that name, nested ones too, as MLflow does', async () => {
    for (const [name, expected] of [
      ['answer_question', [traceIds[0]]],
      ['lookup', [traceIds[0]]],
      ['fetch', [traceIds[0]]],
      ['summarize', [traceIds[1]]],
      ['no such span', []],
    ] as const) {
      const filter = spanNameFilter(name);
      const page = await client.searchTraces({ experimentIds: [experimentId], filter });
      const ours = page.items.map((t) => t.traceId).sort();
      assert.deepEqual(ours, [...expected].sort(), name);
      const theirs = await sdk.call<string[]>('search_by_span_name', {
        experiment_id: experimentId,
        filter,
      });
      assert.deepEqual(ours, theirs, name);
    }
  });

  it('has no OR, and IN matches any of the names without saying which', async () => {
    await assert.rejects(
      client.searchTraces({
        experimentIds: [experimentId],
        filter: "span.name = 'fetch' OR span.name = 'summarize'",
      }),
      (error: unknown) => error instanceof MlflowApiError && /OR/.test(error.message),
    );
    const page = await client.searchTraces({
      experimentIds: [experimentId],
      filter: "span.name IN ('fetch', 'summarize')",
    });
    assert.deepEqual(page.items.map((t) => t.traceId).sort(), [...traceIds].sort());
  });

  it('counts a file’s spans with one search per distinct name, then none while fresh', async () => {
    const stats = new SpanStatsSource();
    const scope = { client, key: server.url, experimentIds: [experimentId] };
    const names = ['answer_question', 'lookup', 'fetch', 'compose', 'summarize', 'fetch'];
    // Two asks at once (a file's lenses and a hover) share the searches.
    const [found] = await Promise.all([
      stats.statsFor(scope, names),
      stats.statsFor(scope, names.slice(2)),
    ]);
    assert.equal(stats.requests, 5);
    assert.deepEqual(
      [...found].map(([name, s]) => [name, s.count, s.unreviewed, s.failing]),
      [
        ['answer_question', 1, 1, 0],
        ['lookup', 1, 1, 0],
        ['fetch', 1, 1, 0],
        ['compose', 1, 1, 0],
        ['summarize', 1, 1, 0],
      ],
    );
    await stats.statsFor(scope, names);
    assert.equal(stats.requests, 5, 'fresh answers are not asked again');
  });

  it('counts a trace rated meanwhile again in place, with no search', async () => {
    const stats = new SpanStatsSource();
    const scope = { client, key: server.url, experimentIds: [experimentId] };
    const before = await stats.statsFor(scope, ['fetch', 'lookup']);
    const rated = before.get('fetch')?.recent[0];
    assert.ok(rated, 'the fetch span has a trace');
    await client.logFeedback({
      traceId: rated.traceId,
      name: 'correct',
      value: false,
      source: { sourceType: 'HUMAN', sourceId: 'ann@example.com' },
    });
    const updated = await client.getTraceInfo(rated.traceId);
    const searches = stats.requests;

    assert.equal(stats.updateTrace(updated), true);
    const after = await stats.statsFor(scope, ['fetch', 'lookup']);
    assert.equal(stats.requests, searches, 'no search after a rating');
    assert.deepEqual(
      { count: after.get('fetch')?.count, unreviewed: after.get('fetch')?.unreviewed },
      { count: 1, unreviewed: 0 },
    );
    assert.equal(after.get('fetch')?.failing, 1, 'the new feedback says the trace failed');
    assert.equal(after.get('fetch')?.recent[0]?.assessments.length, 1);
    // A trace no answer counted changes nothing.
    assert.equal(stats.updateTrace({ ...updated, traceId: asTraceId('tr-not-counted') }), false);
  });
});
