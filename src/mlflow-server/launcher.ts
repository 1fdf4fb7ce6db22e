/**
 * Starts a real `mlflow server` on a free loopback port with SQLite in a data folder (or another
 * backend store the caller names, such as PostgreSQL for the tests), waits for
 * `/health`, and stops it with every process it spawned (uvicorn workers included). Used by the
 * tests, the demo and the benchmarks; no `vscode` import.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Temporary folders start with this (the data folders the launcher makes, and every server's
 * working folder), so a sweep can find servers a crash left behind.
 */
export const DATA_DIR_PREFIX = 'mtr-mlflow-';

export interface BasicAuthUser {
  username: string;
  password: string;
}

export interface MlflowServerOptions {
  /** The Python interpreter of an environment that has mlflow installed. */
  python: string;
  /** Where the SQLite database and artifacts go; default: a new temporary folder, removed on stop. */
  dataDir?: string;
  /**
   * MLflow's `--backend-store-uri`, e.g. `postgresql://user@/db?host=/socket/folder`. Default:
   * SQLite in the data folder (`sqlite:///DATA_DIR/mlflow.db`).
   */
  backendStoreUri?: string;
  /** With `basicAuth`: the users' database (`database_uri`). Default: SQLite in the data folder. */
  authDatabaseUri?: string;
  /** Default: a free port on 127.0.0.1. */
  port?: number;
  /** Run with `--app-name basic-auth`; the admin user is created with these credentials. */
  basicAuth?: BasicAuthUser;
  /** Prepended to every route (`--static-prefix`), e.g. "/mlflow". */
  staticPrefix?: string;
  /** Host names MLflow accepts besides loopback and private addresses (`--allowed-hosts`). */
  allowedHosts?: string[];
  /** Extra environment for the server process. */
  env?: Record<string, string>;
  /** How long to wait for `/health`. Default 120 s (a cold start on two cores takes ~10 s). */
  startTimeoutMs?: number;
  /** Aborting it during the start stops the process; the start then rejects. */
  signal?: AbortSignal;
}

export interface MlflowServer {
  /** Base URL for clients, with the static prefix: `http://127.0.0.1:PORT[/prefix]`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The `--backend-store-uri` it runs with. */
  readonly backendStoreUri: string;
  readonly pid: number;
  /** The end of the server's output so far (from DATA_DIR/server.log). */
  log(): string;
  /** DATA_DIR/server.log: where the server writes its output. */
  readonly logPath: string;
  /** Settles when the process exits, with its exit code or the signal that ended it. */
  readonly exited: Promise<number | string>;
  /** Stops the server and its workers; removes the data folder unless it was given or `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

const running = new Set<ChildProcess>();
/** The empty working folders of servers not stopped: removed at exit if stop() never ran. */
const workDirs = new Set<string>();
let exitHookInstalled = false;

export async function startMlflowServer(options: MlflowServerOptions): Promise<MlflowServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), DATA_DIR_PREFIX));
  mkdirSync(dataDir, { recursive: true });
  refuseSymlinkedDataFolder(dataDir);
  // The server runs in an empty folder of its own: `python -m mlflow` imports from its working
  // folder first, and a data folder inside a workspace may hold a planted `mlflow/` package.
  const workDir = mkdtempSync(path.join(tmpdir(), `${DATA_DIR_PREFIX}run-`));
  workDirs.add(workDir);
  const port = options.port ?? (await freeLoopbackPort());
  const prefix = options.staticPrefix ? `/${options.staticPrefix.replace(/^\/+|\/+$/g, '')}` : '';
  const url = `http://127.0.0.1:${port}${prefix}`;
  const backendStoreUri = options.backendStoreUri ?? `sqlite:///${path.join(dataDir, 'mlflow.db')}`;

  const args = [
    '-m',
    'mlflow',
    'server',
    '--backend-store-uri',
    backendStoreUri,
    '--artifacts-destination',
    path.join(dataDir, 'artifacts'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--workers',
    '1',
    ...(prefix ? ['--static-prefix', prefix] : []),
    ...(options.allowedHosts?.length ? ['--allowed-hosts', options.allowedHosts.join(',')] : []),
    ...(options.basicAuth ? ['--app-name', 'basic-auth'] : []),
  ];
  const env: Record<string, string | undefined> = {
    ...process.env,
    // The job runner (scheduled judges) is not needed and costs a process and start-up time.
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
    // Python 3.11+: no working folder (or script folder) on sys.path, in the workers too.
    PYTHONSAFEPATH: '1',
    ...options.env,
  };
  if (options.basicAuth) {
    env.MLFLOW_AUTH_CONFIG_PATH = writeBasicAuthConfig(
      dataDir,
      options.basicAuth,
      options.authDatabaseUri ?? `sqlite:///${path.join(dataDir, 'basic_auth.db')}`,
    );
    env.MLFLOW_FLASK_SERVER_SECRET_KEY = randomBytes(24).toString('hex');
  }

  // The server writes its output straight into the log file, not into a pipe this process must
  // drain: a caller that blocks its event loop (a synchronous child process) would otherwise
  // leave the pipe full and the server stuck writing its access log.
  const logPath = path.join(dataDir, 'server.log');
  const logFd = openSync(logPath, 'w');
  // Its own process group, so that stop() reaches the uvicorn workers it forks too.
  const child = spawn(options.python, args, {
    cwd: workDir,
    env,
    detached: true,
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const output = (): string => {
    try {
      return readFileSync(logPath, 'utf8').slice(-64_000);
    } catch {
      return '';
    }
  };
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const status = { exited: false };
  void exited.then(() => {
    status.exited = true;
    running.delete(child);
  });
  running.add(child);
  installExitHook();

  const stop = async ({ keepData = false } = {}): Promise<void> => {
    if (!status.exited && child.pid !== undefined) {
      killGroup(child.pid, 'SIGTERM');
      const stopped = await Promise.race([
        exited.then(() => true),
        delay(10_000).then(() => false),
      ]);
      if (!stopped) {
        killGroup(child.pid, 'SIGKILL');
        await exited;
      }
    }
    // Workers may outlive the parent for a moment; make sure none is left.
    if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    rmSync(workDir, { recursive: true, force: true });
    workDirs.delete(workDir);
    if (ownsDataDir && !keepData) rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  for (;;) {
    if (options.signal?.aborted) {
      await stop({ keepData: true });
      throw new Error(`mlflow server start at ${url} was stopped before it answered`);
    }
    if (status.exited) {
      await stop({ keepData: true });
      throw new Error(
        `mlflow server exited during start (see ${dataDir}/server.log):\n${output().slice(-4000)}`,
      );
    }
    if (await isHealthy(`${url}/health`)) break;
    if (Date.now() > deadline) {
      await stop({ keepData: true });
      throw new Error(
        `mlflow server did not answer ${url}/health in time:\n${output().slice(-4000)}`,
      );
    }
    await delay(250);
  }

  return {
    url,
    port,
    dataDir,
    backendStoreUri,
    pid: child.pid ?? -1,
    log: output,
    logPath,
    exited,
    stop,
  };
}

/**
 * The data folder, and what the server writes in it, must be what they say: a symbolic link
 * there (committed to a repository, say) would send the log or database anywhere.
 */
export function refuseSymlinkedDataFolder(dataDir: string): void {
  const entries = ['server.log', 'mlflow.db', 'artifacts', 'basic_auth.ini', '.gitignore'];
  for (const target of [dataDir, ...entries.map((entry) => path.join(dataDir, entry))]) {
    let isLink = false;
    try {
      isLink = lstatSync(target).isSymbolicLink();
    } catch {
      continue; // not there yet
    }
    if (isLink)
      throw new Error(
        `${target} is a symbolic link. The MLflow server's data folder and its files must be real files and folders: remove the link, or choose another data folder.`,
      );
  }
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

function writeBasicAuthConfig(dataDir: string, admin: BasicAuthUser, databaseUri: string): string {
  const file = path.join(dataDir, 'basic_auth.ini');
  writeFileSync(
    file,
    [
      '[mlflow]',
      'default_permission = READ',
      `database_uri = ${databaseUri}`,
      `admin_username = ${admin.username}`,
      `admin_password = ${admin.password}`,
      'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
      '',
    ].join('\n'),
  );
  return file;
}

async function isHealthy(healthUrl: string): Promise<boolean> {
  try {
    const res = await fetch(healthUrl, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** If this Node process exits without stopping its servers, take them down with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    for (const workDir of workDirs) rmSync(workDir, { recursive: true, force: true });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
