/**
 * "Start a Local MLflow Server": `mlflow server` from a Python environment that has mlflow, SQLite
 * under the workspace's `.mlflow/` (or the data folder setting), on the same loopback port every
 * time for a workspace (the port setting, else the last one used, else 5000 when free). It is
 * watched: a server that dies is forgotten and reported. One that was running when the window
 * closed (a reload) is started again by the extension on its next activation.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { Cancelled } from '../util/cancelled';
import {
  freeLoopbackPort,
  refuseSymlinkedDataFolder,
  startMlflowServer,
  type MlflowServer,
} from '../mlflow-server/launcher';
import { ErrorWithActions } from '../ui/error-reporter';
import { SETTINGS_SECTION } from '../ui/ids';

/** A local server's process ended without being asked to. */
export interface LocalServerExit {
  url: string;
  /** The exit code, or the signal that ended it. */
  code: number | string;
  logPath: string;
}

/** What the workspace remembers between windows (workspaceState). */
const REMEMBERED_PORT = 'localServer.port';
const WAS_RUNNING = 'localServer.running';
const DEFAULT_PORT = 5000;

export class LocalServer implements vscode.Disposable {
  private server: MlflowServer | undefined;
  private starting: Promise<string> | undefined;
  /** Aborts the start in progress (a stop, or the window closing, while it starts). */
  private abortStart: AbortController | undefined;
  private readonly exitedEmitter = new vscode.EventEmitter<LocalServerExit>();
  /** The server died by itself (not stopped by us): say so, and offer to start it again. */
  readonly onDidExit = this.exitedEmitter.event;
  private readonly urlEmitter = new vscode.EventEmitter<string | undefined>();
  /** Started (its URL), stopped or dead (undefined). */
  readonly onDidChangeUrl = this.urlEmitter.event;

  constructor(
    private readonly memory: vscode.Memento,
    private readonly globalStorage: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The running server's URL; undefined when none runs (a dead one does not count). */
  get url(): string | undefined {
    return this.server?.url;
  }

  get dataDir(): string | undefined {
    return this.server?.dataDir;
  }

  /** It ran when this workspace's window last closed (a reload): start it again. */
  get wasRunning(): boolean {
    return this.memory.get<boolean>(WAS_RUNNING, false);
  }

  /** Starts the server (once: a second start while one runs or starts gets the same URL). */
  start(): Promise<string> {
    if (this.server) return Promise.resolve(this.server.url);
    this.starting ??= this.launch().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** A start is under way (the process may not answer yet). */
  get isStarting(): boolean {
    return this.starting !== undefined;
  }

  /**
   * Stops it because the person asked: it is not started again with the next window. A start
   * under way is stopped too (its `start()` rejects with Cancelled).
   */
  async stop(): Promise<void> {
    await this.memory.update(WAS_RUNNING, false);
    this.abortStart?.abort();
    await this.starting?.catch(() => undefined);
    await this.shutDown();
  }

  dispose(): void {
    // The window closes or reloads: stop the process, but remember that it ran.
    this.abortStart?.abort();
    void this.shutDown();
    this.exitedEmitter.dispose();
    this.urlEmitter.dispose();
  }

  private async launch(): Promise<string> {
    const abort = new AbortController();
    this.abortStart = abort;
    try {
      return await this.launchUntil(abort.signal);
    } catch (error) {
      if (abort.signal.aborted) throw new Cancelled();
      throw error;
    } finally {
      if (this.abortStart === abort) this.abortStart = undefined;
    }
  }

  private async launchUntil(signal: AbortSignal): Promise<string> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const python = await findPythonWithMlflow(folder);
    const dataDir = dataFolder(folder, this.globalStorage);
    refuseSymlinkedDataFolder(dataDir);
    // The database holds every prompt and response: keep it out of the repository.
    mkdirSync(dataDir, { recursive: true });
    const ignore = path.join(dataDir, '.gitignore');
    if (!existsSync(ignore))
      writeFileSync(ignore, '# MLflow data of the local server\n*\n', { flag: 'wx' });
    const port = await this.choosePort();
    signal.throwIfAborted();
    this.log.info(`Starting mlflow server with ${python} on port ${port}, data in ${dataDir}`);
    const server = await startMlflowServer({ python, dataDir, port, signal });
    if (signal.aborted) {
      // It answered just as the stop came.
      await server.stop({ keepData: true });
      throw new Cancelled();
    }
    this.server = server;
    await this.memory.update(REMEMBERED_PORT, port);
    await this.memory.update(WAS_RUNNING, true);
    this.log.info(`Local MLflow server ready at ${server.url}`);
    this.urlEmitter.fire(server.url);
    void server.exited.then((code) => {
      // Stopped by us: this.server was cleared first. Otherwise it died: forget it and say so.
      if (this.server !== server) return;
      this.server = undefined;
      this.urlEmitter.fire(undefined);
      this.log.error(
        `The local MLflow server at ${server.url} exited (${code}); see ${server.logPath}`,
      );
      this.exitedEmitter.fire({ url: server.url, code, logPath: server.logPath });
    });
    return server.url;
  }

  private async shutDown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) this.urlEmitter.fire(undefined);
    await server?.stop({ keepData: true });
  }

  /** The port setting; else the port this workspace used last, or 5000, when it is free. */
  private async choosePort(): Promise<number> {
    const configured = vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .get<number>('localServer.port', 0);
    if (configured > 0) return configured;
    const preferred = this.memory.get<number>(REMEMBERED_PORT) ?? DEFAULT_PORT;
    if (await isFree(preferred)) return preferred;
    if (preferred !== DEFAULT_PORT && (await isFree(DEFAULT_PORT))) return DEFAULT_PORT;
    return freeLoopbackPort();
  }
}

/** `mlflowTraceReview.localServer.dataFolder`, else `.mlflow/` in the workspace (or storage). */
function dataFolder(folder: string | undefined, globalStorage: vscode.Uri): string {
  const configured = vscode.workspace
    .getConfiguration(SETTINGS_SECTION)
    .get<string>('localServer.dataFolder', '')
    .trim();
  if (configured) return path.resolve(folder ?? globalStorage.fsPath, configured);
  return folder ? path.join(folder, '.mlflow') : path.join(globalStorage.fsPath, 'mlflow');
}

/**
 * The first interpreter that can `import mlflow`: the interpreter setting, the Python
 * extension's selected interpreter, the workspace's .venv or venv, python.defaultInterpreterPath,
 * python3 and python on PATH. None: an error that offers to choose one.
 */
export async function findPythonWithMlflow(folder: string | undefined): Promise<string> {
  const tried: string[] = [];
  for (const python of await interpreterCandidates(folder)) {
    tried.push(python);
    if (await hasMlflow(python)) return python;
  }
  throw new ErrorWithActions(
    `No Python environment with mlflow was found (tried ${tried.join(', ')}). Install it in your app's environment ("pip install mlflow"), then choose that interpreter.`,
    [{ title: 'Choose Python Interpreter…', command: 'choosePythonInterpreter' }],
  );
}

/** The interpreters the local server would try, for a person to choose from. */
export function pythonCandidates(): Promise<string[]> {
  return interpreterCandidates(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath);
}

async function interpreterCandidates(folder: string | undefined): Promise<string[]> {
  const configured = vscode.workspace
    .getConfiguration(SETTINGS_SECTION)
    .get<string>('localServer.python', '')
    .trim();
  // Nothing the workspace brings runs before it is trusted: not its environments, not its
  // interpreter settings (the restricted setting above reads the user's value only).
  const trusted = vscode.workspace.isTrusted;
  const python = vscode.workspace.getConfiguration('python');
  const defaultPath = trusted
    ? python.get<string>('defaultInterpreterPath')
    : python.inspect<string>('defaultInterpreterPath')?.globalValue;
  const inFolder = (...parts: string[]) => (folder && trusted ? [path.join(folder, ...parts)] : []);
  const candidates = [
    ...(configured ? [path.resolve(folder ?? '', configured)] : []),
    ...(trusted ? await selectedByPythonExtension() : []),
    ...inFolder('.venv', 'bin', 'python'),
    ...inFolder('venv', 'bin', 'python'),
    ...inFolder('.venv', 'Scripts', 'python.exe'),
    ...(defaultPath && defaultPath !== 'python' ? [defaultPath] : []),
    'python3',
    'python',
  ];
  // Run by absolute path only: a bare name found through a relative PATH entry (".") would run
  // whatever the current folder holds.
  const resolved = candidates.map((candidate) => resolveExecutable(candidate, folder));
  return [...new Set(resolved.filter((python): python is string => python !== undefined))];
}

/** An interpreter's absolute path: as given when absolute, else found on PATH's absolute entries. */
export function resolveExecutable(name: string, folder: string | undefined): string | undefined {
  if (path.isAbsolute(name)) return isExecutable(name) ? name : undefined;
  if (name.includes('/') || name.includes('\\')) {
    const relative = path.resolve(folder ?? process.cwd(), name);
    return isExecutable(relative) ? relative : undefined;
  }
  const extensions = process.platform === 'win32' ? ['.exe', ''] : [''];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!path.isAbsolute(dir)) continue;
    for (const extension of extensions) {
      const candidate = path.join(dir, name + extension);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The interpreter selected in the Python extension, when it is installed. */
async function selectedByPythonExtension(): Promise<string[]> {
  const extension = vscode.extensions.getExtension<PythonExtensionApi>('ms-python.python');
  if (!extension) return [];
  try {
    const api = extension.isActive ? extension.exports : await extension.activate();
    const selected = api.environments?.getActiveEnvironmentPath(
      vscode.workspace.workspaceFolders?.[0]?.uri,
    );
    return selected?.path ? [selected.path] : [];
  } catch {
    return [];
  }
}

/** The part of the Python extension's API this uses. */
interface PythonExtensionApi {
  environments?: { getActiveEnvironmentPath(resource?: vscode.Uri): { path: string } };
}

export function hasMlflow(python: string): Promise<boolean> {
  return new Promise((resolve) => {
    // From a folder of no workspace, with no working folder on sys.path (Python 3.11+): a
    // planted `mlflow/` package must not be what answers.
    const options = {
      timeout: 60_000,
      cwd: tmpdir(),
      env: { ...process.env, PYTHONSAFEPATH: '1' },
    };
    execFile(python, ['-c', 'import mlflow'], options, (error) => {
      resolve(!error);
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => {
      resolve(false);
    });
    probe.listen(port, '127.0.0.1', () => {
      probe.close(() => {
        resolve(true);
      });
    });
  });
}
