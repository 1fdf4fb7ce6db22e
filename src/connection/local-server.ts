/**
 * "Start a Local MLflow Server": `mlflow server` from the workspace's Python environment (or
 * PATH) on a free loopback port, SQLite under the workspace's `.mlflow/`, stopped with VS Code.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';
import { startMlflowServer, type MlflowServer } from '../mlflow-server/launcher';

export class LocalServer implements vscode.Disposable {
  private server: MlflowServer | undefined;

  get url(): string | undefined {
    return this.server?.url;
  }

  /** Starts the server (once) and returns its URL. */
  async start(globalStorage: vscode.Uri, log: vscode.LogOutputChannel): Promise<string> {
    if (this.server) return this.server.url;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const python = await findPythonWithMlflow(folder);
    if (!python) {
      throw new Error(
        'No Python environment with mlflow was found (tried the workspace’s .venv and venv, python.defaultInterpreterPath, python3 and python on PATH). Install it with "pip install mlflow" and try again.',
      );
    }
    const dataDir = folder
      ? path.join(folder, '.mlflow')
      : path.join(globalStorage.fsPath, 'mlflow');
    log.info(`Starting mlflow server with ${python}, data in ${dataDir}`);
    this.server = await startMlflowServer({ python, dataDir });
    log.info(`Local MLflow server ready at ${this.server.url}`);
    return this.server.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop({ keepData: true });
  }

  dispose(): void {
    void this.stop();
  }
}

async function findPythonWithMlflow(folder: string | undefined): Promise<string | undefined> {
  const configured = vscode.workspace
    .getConfiguration('python')
    .get<string>('defaultInterpreterPath');
  const candidates = [
    ...(configured && configured !== 'python' ? [configured] : []),
    ...(folder
      ? [path.join(folder, '.venv', 'bin', 'python'), path.join(folder, 'venv', 'bin', 'python')]
      : []),
    'python3',
    'python',
  ];
  for (const python of candidates) {
    if (await hasMlflow(python)) return python;
  }
  return undefined;
}

function hasMlflow(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(python, ['-c', 'import mlflow'], { timeout: 60_000 }, (error) => {
      resolve(!error);
    });
  });
}
