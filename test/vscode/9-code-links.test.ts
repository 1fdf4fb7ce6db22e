/**
 * Code and traces side by side (issue 21) in the real extension host: python/code_links_app.py,
 * committed to a git repository in the workspace and really run with MLflow's SDK against the
 * test server, gets a CodeLens with its counts above each traced function and `start_span`
 * block and a hover with its traces; a span goes back to its `def` (Go to Source), which says
 * how far behind HEAD the trace's commit is. Prints (does not assert) the requests per refresh
 * and the time to lenses for a file of 20 traced functions.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { SourceShown } from '../../src/code/go-to-source';
import type { ExtensionApi } from '../../src/extension';
import { asTraceId } from '../../src/mlflow';
import { PythonSdk } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWebview,
  rows,
  run,
  screenshot,
  setSetting,
  showView,
  waitFor,
} from './support/harness';

const EXPERIMENT = 'Code links';
const FILE = 'code_links_app.py';

describe('code links', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let folder: string;
  let traceIds: string[];
  let recorded: string;

  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: folder, encoding: 'utf8' }).trim();
  const commit = (message: string) => {
    git('add', '-A');
    git('-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-qm', message);
  };
  const fileUri = (name: string) => vscode.Uri.file(path.join(folder, name));
  const lenses = (uri: vscode.Uri) =>
    vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
  const titles = (found: vscode.CodeLens[]) =>
    found.map((l) => `${l.range.start.line + 1} ${l.command?.title ?? ''}`);

  /** Go to Source from the span of `Retriever.fetch` in the first trace. */
  const goToFetchSpan = async () => {
    const spans = await api.connection.client.getTraceSpans(traceIds[0] ?? '');
    const fetch = spans.find((s) => s.name === 'fetch');
    assert.ok(fetch);
    return run<SourceShown | undefined>('goToSource', {
      traceId: traceIds[0],
      spanId: fetch.spanId,
    });
  };

  before(async function () {
    this.timeout(180_000);
    api = await extensionApi();
    await showView();
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    fs.copyFileSync(path.join(env('MTR_ROOT'), 'python', FILE), path.join(folder, FILE));
    git('init', '-q');
    commit('the app');
    recorded = git('rev-parse', 'HEAD');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    ({ trace_ids: traceIds } = await sdk.call<{ trace_ids: string[] }>('run_app', {
      file: path.join(folder, FILE),
      args: [EXPERIMENT, 'the weather'],
      cwd: folder,
    }));
    // A judge says the answer failed; a person rated the summary.
    await sdk.call('log_feedback', {
      trace_id: traceIds[0],
      name: 'correct',
      value: 'no',
      source: { source_type: 'LLM_JUDGE', source_id: 'judge' },
    });
    await sdk.call('log_feedback', {
      trace_id: traceIds[1],
      name: 'helpful',
      value: true,
      source: { source_type: 'HUMAN', source_id: 'me@example.com' },
    });
    // HEAD moves on: the traces were recorded one commit behind.
    fs.writeFileSync(path.join(folder, 'NOTES.md'), 'later\n');
    commit('later');
    await setSetting('experiments', [EXPERIMENT]);
    await run('refresh');
    await waitFor('the connection again', () => api.connection.state.kind === 'connected');
  });

  after(async () => {
    sdk.close();
    await setSetting('experiments', undefined);
    await run('clearFilter');
    await closeAllTabs();
  });

  it('draws a lens with the counts above each traced function and start_span block', async function () {
    this.timeout(60_000);
    const uri = fileUri(FILE);
    await vscode.window.showTextDocument(uri);
    const before = api.code.stats.requests;
    const found = await waitFor('the lenses', async () => {
      const shown = await lenses(uri);
      return shown.length === 5 ? shown : undefined;
    });
    assert.equal(api.code.stats.requests - before, 5, 'one search per distinct span name');
    const age = '\\d+ (s|min) ago';
    const expected = [
      // All but summarize are spans of the one trace the judge failed.
      /^19 1 trace · 1 failing feedback · 1 unreviewed · last /, // fetch (a method)
      /^24 1 trace · 1 failing feedback · 1 unreviewed · last /, // compose (`@traced`)
      /^29 1 trace · 1 failing feedback · 1 unreviewed · last /, // answer_question
      /^31 1 trace · 1 failing feedback · 1 unreviewed · last /, // lookup (start_span)
      /^38 1 trace · last /, // summarize (async), rated by a person
    ];
    const shown = titles(found);
    expected.forEach((pattern, i) => {
      assert.match(shown[i] ?? '', new RegExp(pattern.source + age + '$'));
    });
    assert.deepEqual(
      found.map((l) => l.command?.arguments),
      ['fetch', 'compose', 'answer_question', 'lookup', 'summarize'].map((spanName) => [
        { spanName },
      ]),
    );
    // Asked again while fresh: no request.
    const after = api.code.stats.requests;
    await lenses(uri);
    assert.equal(api.code.stats.requests, after);
    await screenshot('code-links-lens');
  });

  it('shows a span’s traces in the tree when its lens is clicked', async () => {
    const [lens] = (await lenses(fileUri(FILE))).filter((l) => l.range.start.line === 30);
    assert.ok(lens?.command);
    const args: unknown[] = lens.command.arguments ?? [];
    await vscode.commands.executeCommand(lens.command.command, ...args);
    assert.equal(api.store.filter.text, "span.name = 'lookup'");
    const experiment = (await api.store.experiments())[0];
    assert.ok(experiment);
    const list = await waitFor('the filtered list', async () => {
      const shown = await api.store.ensureList(experiment);
      return shown.traces.length > 0 ? shown : undefined;
    });
    assert.deepEqual(
      list.traces.map((t) => t.traceId),
      [traceIds[0]],
    );
    await run('clearFilter');
  });

  it('counts a trace again when it is rated, with no search', async () => {
    const uri = fileUri(FILE);
    const summarize = async () => titles(await lenses(uri)).find((t) => t.startsWith('38 ')) ?? '';
    assert.match(await summarize(), /^38 1 trace · last /);
    const searches = api.code.stats.requests;
    // summarize's trace (traceIds[1]) was rated helpful; the reviewer now says it is not correct.
    await run('logFeedback', { traceId: traceIds[1], name: 'correct', value: false });
    await waitFor('the lens counting the failing feedback', async () =>
      /^38 1 trace · 1 failing feedback · last /.test(await summarize()) ? true : undefined,
    );
    assert.equal(api.code.stats.requests, searches, 'no search after a rating');
  });

  it('lists a function’s newest traces with their assessments in its hover', async () => {
    const uri = fileUri(FILE);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(29, 6), // `def answer`
    );
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => (c instanceof vscode.MarkdownString ? c.value : ''))
      .join('\n');
    assert.match(text, /MLflow traces of span\*\* answer\\_question/);
    assert.match(text, /correct\\: no/);
    assert.match(text, /the weather/);
    assert.ok(
      text.includes(
        `(command:mlflowTraceReview.openTrace?${encodeURIComponent(JSON.stringify([{ traceId: traceIds[0] }]))})`,
      ),
      text,
    );
    const editor = await vscode.window.showTextDocument(uri);
    editor.selection = new vscode.Selection(29, 6, 29, 6);
    await vscode.commands.executeCommand('editor.action.showHover');
    await screenshot('code-links-hover');
  });

  it('draws nothing when the setting turns the lenses off', async () => {
    await setSetting('codeLens.enabled', false);
    try {
      assert.deepEqual(await lenses(fileUri(FILE)), []);
    } finally {
      await setSetting('codeLens.enabled', undefined);
    }
    assert.equal((await lenses(fileUri(FILE))).length, 5);
  });

  it('goes from a span to its def, and says the trace is a commit behind', async () => {
    await closeAllTabs();
    const shown = await goToFetchSpan();
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, path.join(folder, FILE));
    assert.deepEqual([editor.selection.active.line, editor.selection.active.character], [19, 8]);
    assert.equal(
      shown?.commit,
      `This trace was recorded at ${recorded.slice(0, 7)}, 1 commit behind HEAD.`,
    );
  });

  it('takes a language server’s workspace symbols before parsing the files itself', async () => {
    await closeAllTabs();
    // What the Python extension's language server would answer: the method where it is defined,
    // beside a variable of the same name and a stub file, which are not functions of a .py file.
    const impl = fileUri('retriever_impl.py');
    fs.writeFileSync(
      impl.fsPath,
      '# the retriever, moved\nclass Retriever:\n    def fetch(self, q):\n        return []\n',
    );
    const at = (uri: vscode.Uri, line: number, character: number) =>
      new vscode.Location(uri, new vscode.Position(line, character));
    const asked: string[] = [];
    const provider = vscode.languages.registerWorkspaceSymbolProvider({
      provideWorkspaceSymbols: (query) => {
        asked.push(query);
        return [
          new vscode.SymbolInformation('fetch', vscode.SymbolKind.Variable, '', at(impl, 0, 0)),
          new vscode.SymbolInformation(
            'fetch',
            vscode.SymbolKind.Method,
            'Retriever',
            at(impl, 2, 8),
          ),
          new vscode.SymbolInformation(
            'fetch',
            vscode.SymbolKind.Method,
            '',
            at(fileUri('stub.pyi'), 1, 4),
          ),
        ];
      },
    });
    try {
      const shown = await goToFetchSpan();
      assert.deepEqual(asked, ['fetch'], 'asked for the function MLflow recorded');
      assert.equal(shown?.candidate.uri.fsPath, impl.fsPath);
      const editor = vscode.window.activeTextEditor;
      assert.equal(editor?.document.uri.fsPath, impl.fsPath);
      assert.deepEqual([editor.selection.active.line, editor.selection.active.character], [2, 8]);
    } finally {
      provider.dispose();
      fs.rmSync(impl.fsPath, { force: true });
    }
  });

  it('goes to the source from a span row of the tree (its menu)', async function () {
    this.timeout(60_000);
    await closeAllTabs();
    const trace = await api.store.getTrace(asTraceId(traceIds[0] ?? ''));
    assert.ok(trace.experimentId);
    const node = api.tree.nodeForTrace(trace, trace.experimentId);
    const group = (await rows(api, node)).find((r) => r.label === 'Spans');
    assert.ok(group);
    const [root] = await rows(api, group.node);
    assert.ok(root);
    const [lookup] = await rows(api, root.node);
    // The extension's own node (this bundle's SpanNode class is another copy).
    assert.ok(lookup?.node.kind === 'span');
    assert.equal(lookup.node.span.name, 'lookup');
    assert.match(lookup.contextValue, /\bspan\b/);
    // A start_span block has no function name: found by its span name, at its `with`.
    const shown = await run<SourceShown | undefined>('goToSource', lookup.node);
    assert.equal(shown?.candidate.uri.fsPath, path.join(folder, FILE));
    assert.equal(vscode.window.activeTextEditor?.selection.active.line, 30);
  });

  it('says in the trace panel which commit the trace was recorded at, and compares it with today', async function () {
    this.timeout(60_000);
    await closeAllTabs();
    await run('openTrace', { traceId: traceIds[0] });
    const [line] = await inWebview(
      'trace',
      { waitFor: true, selector: '[data-testid="source-commit"]' },
      { text: true, selector: '[data-testid="source-commit"]' },
    );
    assert.match(
      line?.[0] ?? '',
      new RegExp(`recorded at ${recorded.slice(0, 7)}, 1 commit behind`),
    );
    await screenshot('code-links-panel-commit');
    await inWebview('trace', { click: true, selector: '[data-testid="compare-commit"]' });
    const diff = await waitFor('the diff against today', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputTextDiff),
    );
    assert.ok(diff.input instanceof vscode.TabInputTextDiff);
    assert.equal(diff.input.modified.fsPath, path.join(folder, FILE));
    assert.equal(diff.input.original.scheme, 'mlflow-git');
    const then = await vscode.workspace.openTextDocument(diff.input.original);
    assert.equal(then.getText(), fs.readFileSync(path.join(folder, FILE), 'utf8'));
  });

  it('goes to the source from the span details of the trace panel', async function () {
    this.timeout(60_000);
    await closeAllTabs();
    await run('openTrace', { traceId: traceIds[1] });
    await inWebview(
      'trace',
      { waitFor: true, selector: '.span-details h3', hasText: 'summarize' },
      { click: true, selector: '[data-testid="go-to-source"]' },
    );
    const editor = await waitFor('the source', () =>
      vscode.window.activeTextEditor?.document.uri.fsPath === path.join(folder, FILE)
        ? vscode.window.activeTextEditor
        : undefined,
    );
    assert.equal(editor.selection.active.line, 38);
  });

  it('says what it looked for when no source is found', async () => {
    const spans = await api.connection.client.getTraceSpans(traceIds[1] ?? '');
    fs.renameSync(path.join(folder, FILE), path.join(folder, 'moved.txt'));
    try {
      const shown = await run<SourceShown | undefined>('goToSource', {
        traceId: traceIds[1],
        spanId: spans[0]?.spanId,
      });
      assert.equal(shown, undefined);
    } finally {
      fs.renameSync(path.join(folder, 'moved.txt'), path.join(folder, FILE));
    }
  });

  it('prints the requests and time to lenses for a file of 20 traced functions', async function () {
    this.timeout(60_000);
    const source = [
      'import mlflow',
      '',
      ...Array.from(
        { length: 20 },
        (_, i) => `@mlflow.trace(name="step_${i}")\ndef step_${i}(x):\n    return x\n`,
      ),
    ].join('\n');
    fs.writeFileSync(path.join(folder, 'twenty.py'), source);
    const uri = fileUri('twenty.py');
    const requests = api.code.stats.requests;
    const started = performance.now();
    await vscode.window.showTextDocument(uri);
    const drawn = await waitFor('20 lenses', async () => {
      const shown = await lenses(uri);
      return shown.length === 20 ? shown : undefined;
    });
    const ms = performance.now() - started;
    console.log(
      `[code links] a file of 20 traced functions: ${api.code.stats.requests - requests} requests per lens refresh, lenses drawn ${ms.toFixed(0)} ms after opening it (${drawn[0]?.command?.title ?? ''})`,
    );
  });
});
