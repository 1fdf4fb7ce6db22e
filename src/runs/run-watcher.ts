/**
 * Tells when a run of the app ends: a debug session, a task's process, or a command in the
 * integrated terminal (through shell integration, where the terminal has it). Each ended run is
 * passed on with its start and end time; nothing is asked of the server here.
 */
import * as vscode from 'vscode';
import { runsAnApp, type EndedRun, type RunKind } from './run-window';

export class RunWatcher implements vscode.Disposable {
  private readonly started = new Map<unknown, { kind: RunKind; name: string; startMs: number }>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly watched: () => Set<RunKind>,
    private readonly ended: (run: EndedRun) => void,
    now: () => number = Date.now,
  ) {
    const start = (key: unknown, kind: RunKind, name: string) => {
      if (this.watched().has(kind)) this.started.set(key, { kind, name, startMs: now() });
    };
    const end = (key: unknown) => {
      const run = this.started.get(key);
      if (!run) return;
      this.started.delete(key);
      this.ended({ ...run, endMs: now() });
    };
    this.subscriptions.push(
      vscode.debug.onDidStartDebugSession((s) => {
        // A child session (a subprocess, a compound's part) ends with its parent.
        if (!s.parentSession) start(s.id, 'debug', s.name);
      }),
      vscode.debug.onDidTerminateDebugSession((s) => {
        end(s.id);
      }),
      vscode.tasks.onDidStartTaskProcess((e) => {
        start(e.execution, 'task', e.execution.task.name);
      }),
      vscode.tasks.onDidEndTaskProcess((e) => {
        end(e.execution);
      }),
    );
    // Shell integration events (VS Code 1.93+): an older host simply has no terminal runs.
    if (typeof vscode.window.onDidStartTerminalShellExecution === 'function')
      this.subscriptions.push(
        vscode.window.onDidStartTerminalShellExecution((e) => {
          const line = e.execution.commandLine.value;
          if (runsAnApp(line)) start(e.execution, 'terminal', line);
        }),
        vscode.window.onDidEndTerminalShellExecution((e) => {
          end(e.execution);
        }),
      );
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.started.clear();
  }
}
