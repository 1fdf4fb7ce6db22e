/**
 * "3 new traces from this run — Review" in the real extension host: a small app traced with
 * `@mlflow.trace` runs against the test server, under a real Python debugger and as a task; when
 * the run ends, its traces, and only those, are offered in the status bar and a notification, and
 * Review starts Submit and Next over exactly them. The debugger is debugpy's own adapter (PyPI's
 * `debugpy`, in the test venv), started by the fixture extension
 * `test/vscode/fixtures/python-debugger` as the Python Debugger extension starts it (that one
 * comes only from a marketplace); the app stops at a breakpoint on each call, where the test reads
 * the frame and the argument through the Debug Adapter Protocol before it continues.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { RunOffer } from '../../src/runs/run-traces';
import { PythonSdk } from '../support/python-sdk';
import {
  closeAllTabs,
  env,
  extensionApi,
  inWorkbench,
  panelTabs,
  run,
  screenshot,
  setSetting,
  showView,
  waitFor,
} from './support/harness';

const EXPERIMENT = 'Run traces';

/** The app: `count` traced calls, their trace ids written to `out` (argv). */
const APP = `import json, sys
import mlflow

mlflow.set_experiment(${JSON.stringify(EXPERIMENT)})

@mlflow.trace
def answer(question: str) -> str:
    with mlflow.start_span(name="lookup") as span:
        span.set_inputs({"q": question})
    return "It rains in " + question

ids = []
for city in sys.argv[2:]:
    answer(city)
    ids.append(mlflow.get_last_active_trace_id())
with open(sys.argv[1], "w") as f:
    json.dump(ids, f)
`;

/** The line of `answer`'s return (0-based), where the debug session's breakpoint is. */
const RETURN_LINE = APP.split('\n').findIndex((line) => line.includes('return "It rains in "'));

/** A Debug Adapter Protocol event, as the adapter sent it. */
interface DapEvent {
  event: string;
  body: { reason?: string; threadId?: number; exitCode?: number };
}

function asDapEvent(message: unknown): DapEvent | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { type, event, body } = message as { type?: unknown; event?: unknown; body?: unknown };
  if (type !== 'event' || typeof event !== 'string') return undefined;
  // The body's fields are the protocol's (stopped: reason, threadId; exited: exitCode).
  return { event, body: typeof body === 'object' && body !== null ? body : {} };
}

describe('traces from a run of the app', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  let folder: vscode.WorkspaceFolder;
  let app: string;
  let older: string;

  const appEnv = () => ({ MLFLOW_TRACKING_URI: env('MLFLOW_TRACKING_URI') });
  const outFile = (name: string) => path.join(folder.uri.fsPath, `${name}.json`);
  const idsIn = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as string[];

  /** The next search after a run ends, with what it found. */
  const nextSearch = () =>
    new Promise<RunOffer>((resolve) => {
      const sub = api.runs.onDidSearch((found) => {
        sub.dispose();
        resolve(found);
      });
    });

  async function runTask(name: string, args: string[]): Promise<void> {
    const task = new vscode.Task(
      { type: 'shell' },
      folder,
      name,
      'mlflow-test',
      new vscode.ProcessExecution(env('MTR_PYTHON'), [app, ...args], { env: appEnv() }),
    );
    const ended = new Promise<void>((resolve) => {
      const sub = vscode.tasks.onDidEndTaskProcess((e) => {
        if (e.execution.task.name === name) {
          sub.dispose();
          resolve();
        }
      });
    });
    await vscode.tasks.executeTask(task);
    await ended;
  }

  before(async function () {
    this.timeout(120_000);
    api = await extensionApi();
    await showView();
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    folder = vscode.workspace.workspaceFolders?.[0] ?? assert.fail('no workspace folder');
    app = path.join(folder.uri.fsPath, 'run_app.py');
    fs.writeFileSync(app, APP);
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
    // A trace of the same experiment made before the run: never part of its offer.
    ({ trace_id: older } = await sdk.call<{ trace_id: string }>('create_trace', {
      experiment: EXPERIMENT,
      input: 'before the run',
    }));
    await run('refresh');
  });

  after(async () => {
    sdk.close();
    await setSetting('runTraces.collectFrom', undefined);
    await closeAllTabs();
  });

  it('offers the traces of a session under the Python debugger, and only those, when it ends', async function () {
    this.timeout(180_000);
    const out = outFile('debug');
    // What debugpy's adapter sends: where it stopped, and the program's exit code.
    const events: DapEvent[] = [];
    let session: vscode.DebugSession | undefined;
    const tracking = vscode.debug.registerDebugAdapterTrackerFactory('debugpy', {
      createDebugAdapterTracker: (s) => {
        session = s;
        return {
          onDidSendMessage: (message: unknown) => {
            const event = asDapEvent(message);
            if (event) events.push(event);
          },
        };
      },
    });
    const breakpoint = new vscode.SourceBreakpoint(
      new vscode.Location(vscode.Uri.file(app), new vscode.Position(RETURN_LINE, 0)),
    );
    vscode.debug.addBreakpoints([breakpoint]);
    const searched = nextSearch();
    let found: RunOffer;
    try {
      const started = await vscode.debug.startDebugging(folder, {
        type: 'debugpy',
        request: 'launch',
        name: 'Run the sample app',
        python: env('MTR_PYTHON'),
        program: app,
        args: [out, 'Lyon', 'Paris', 'Nice'],
        env: appEnv(),
        cwd: folder.uri.fsPath,
        console: 'internalConsole',
      });
      assert.ok(started, 'the debug session started');
      const debug = session ?? assert.fail('no debugpy session');
      // A stop on each call, in `answer` at the breakpoint, with that call's question.
      for (const [n, city] of ['Lyon', 'Paris', 'Nice'].entries()) {
        const stopped = await waitFor(
          `debugpy stopping at the breakpoint for ${city}`,
          () => events.filter((e) => e.event === 'stopped')[n],
          60_000,
        );
        assert.equal(stopped.body.reason, 'breakpoint');
        const threadId = stopped.body.threadId ?? assert.fail('no thread');
        const { stackFrames } = (await debug.customRequest('stackTrace', {
          threadId,
          levels: 1,
        })) as {
          stackFrames: { id: number; name: string; line: number; source?: { path?: string } }[];
        };
        const top = stackFrames[0] ?? assert.fail('no stack frame');
        assert.equal(top.name, 'answer');
        assert.equal(top.line, RETURN_LINE + 1, 'DAP lines start at 1');
        // The workbench hands the path over as a URI of the remote window (code-server).
        assert.equal(vscode.Uri.parse(top.source?.path ?? '').path, app);
        const { result } = (await debug.customRequest('evaluate', {
          expression: 'question',
          frameId: top.id,
          context: 'watch',
        })) as { result: string };
        assert.equal(result, `'${city}'`);
        await debug.customRequest('continue', { threadId });
      }
      found = await searched;
      assert.equal(events.find((e) => e.event === 'exited')?.body.exitCode, 0, 'the app exited');
    } finally {
      vscode.debug.removeBreakpoints([breakpoint]);
      tracking.dispose();
      // A failure above leaves the app stopped at the breakpoint.
      const left = vscode.debug.activeDebugSession;
      if (left?.type === 'debugpy') await vscode.debug.stopDebugging(left);
    }
    // The stops showed Run and Debug and the app's file; the rest of the suite expects our view.
    await closeAllTabs();
    await showView();
    const made = idsIn(out);
    assert.equal(made.length, 3);
    assert.equal(found.run.kind, 'debug');
    assert.deepEqual([...found.traceIds].sort(), [...made].sort(), 'exactly the run’s traces');
    assert.ok(!(found.traceIds as string[]).includes(older));
    // Newest first: the app made them in order.
    assert.deepEqual(found.traceIds, [...made].reverse());
    assert.deepEqual(api.runs.shown, {
      text: '$(beaker) 3 new traces from this run',
      visible: true,
    });
    const [item] = await inWorkbench(
      { waitFor: '.statusbar-item', hasText: '3 new traces from this run' },
      { inspect: '.statusbar-item:has-text("from this run")' },
    );
    const shownItem = item?.[0];
    assert.ok(shownItem, 'the status bar item');
    assert.equal(shownItem.text.trim(), '3 new traces from this run');
    assert.ok(shownItem.codicons.includes('codicon-beaker'), shownItem.codicons.join(' '));
    await screenshot('run-traces-status-bar');
    await vscode.commands.executeCommand('notifications.showList');
    try {
      const [shown] = await inWorkbench(
        {
          waitFor: '.notifications-center .notification-list-item',
          hasText: '3 new traces from this run',
        },
        { inspect: '.notifications-center .notification-list-item:has-text("from this run")' },
      );
      assert.match(shown?.[0]?.text ?? '', /3 new traces from this run — Review/);
      await screenshot('run-traces-notification');
    } finally {
      await vscode.commands.executeCommand('notifications.clearAll');
      await vscode.commands.executeCommand('notifications.hideList');
    }
  });

  it('Review opens the newest of them and Submit and Next goes through exactly the others', async () => {
    const offered = api.runs.last?.traceIds ?? assert.fail('nothing offered');
    const ids = await run<string[]>('reviewRunTraces');
    assert.deepEqual(ids, offered);
    await waitFor(
      'the form and the trace panel',
      () => panelTabs('form') === 1 && panelTabs('trace') === 1,
    );
    assert.equal(api.runs.shown.visible, false, 'the offer is taken');
    // What "Submit and Next" asks the store for: the run's next trace, never the older one.
    const [first, second, third] = offered;
    assert.ok(first && second && third);
    const next = await api.store.nextUnrated(await api.store.getTrace(first));
    assert.equal(next?.traceId, second);
    const last = await api.store.nextUnrated(await api.store.getTrace(third));
    assert.equal(last?.traceId, first, 'round to the first unrated one, within the run');
    await closeAllTabs();
  });

  it('offers the traces of a task, and says nothing after a run that made none', async function () {
    this.timeout(120_000);
    const out = outFile('task');
    let searched = nextSearch();
    await runTask('sample app', [out, 'Lyon']);
    let found = await searched;
    assert.equal(found.run.kind, 'task');
    assert.deepEqual(found.traceIds, idsIn(out));
    assert.equal(api.runs.shown.text, '$(beaker) 1 new trace from this run');
    api.runs.taken();
    searched = nextSearch();
    await runTask('sample app, no question', [outFile('none')]);
    found = await searched;
    assert.deepEqual(found.traceIds, []);
    assert.equal(api.runs.shown.visible, false, 'nothing offered');
  });

  it('watches no run when the setting says none', async function () {
    this.timeout(60_000);
    await setSetting('runTraces.collectFrom', ['none']);
    const before = api.runs.collected;
    await runTask('sample app, not watched', [outFile('unwatched'), 'Nice']);
    assert.equal(idsIn(outFile('unwatched')).length, 1, 'the app made a trace');
    assert.equal(api.runs.collected, before, 'no search');
  });
});
