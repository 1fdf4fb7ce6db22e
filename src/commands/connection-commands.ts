/** Choosing the server and experiments, signing in and out, and starting a local server. */
import * as vscode from 'vscode';
import { describeBadTrackingUri } from '../connection/tracking-uri';
import { SECTION } from '../connection/settings';
import type { StoredCredentials } from '../connection/credentials';
import { hasMlflow, pythonCandidates } from '../connection/local-server';
import { MlflowInputError } from '../mlflow';
import { Cancelled } from '../util/cancelled';
import { ErrorWithActions } from '../ui/error-reporter';
import { copyToClipboard } from '../ui/notify';
import { plain } from '../shared/format';
import { CONTEXT_KEYS } from '../ui/ids';
import { runCommand, setContext } from '../ui/vscode-commands';
import type { CommandArgs } from './args';
import type { CommandContext } from './context';
import { input, pick, runQuickPick } from './prompts';

/** The status bar's menu: the server, the experiments, sign-in, a local server. */
export async function selectServer(
  ctx: CommandContext,
  given: CommandArgs['selectServer'],
): Promise<string | undefined> {
  if (given !== undefined) return setTrackingUri(ctx, given);
  const current = ctx.connection.settings.trackingUri;
  const state = ctx.connection.state;
  const signedIn = await ctx.credentials.has(ctx.connection.origin);
  const localUrl = ctx.localServer.url;
  // Only what applies now: no Start while one runs, no Sign In for a server that wants none.
  const items: (vscode.QuickPickItem & { action: MenuAction })[] = [
    {
      label: '$(edit) Enter a Server URL…',
      detail: `Now: ${current.url} (from ${current.origin})${localUrl ? ': this stops the local server' : ''}`,
      action: 'url',
    },
    ...(state.kind === 'connected'
      ? [
          {
            label: '$(beaker) Choose Experiments…',
            detail: 'Which experiments the tree shows',
            action: 'experiments' as const,
          },
        ]
      : []),
    { label: '$(copy) Copy Tracking URI', detail: current.url, action: 'copyUri' },
    {
      label: '$(link-external) Open MLflow UI',
      detail: 'The server’s own web UI, in the browser',
      action: 'openUi',
    },
    ...(state.kind === 'unauthorized' || signedIn
      ? [
          {
            label: signedIn ? '$(sign-in) Sign In Again…' : '$(sign-in) Sign In…',
            detail: `Credentials for ${ctx.connection.origin}`,
            action: 'signIn' as const,
          },
        ]
      : []),
    ...(signedIn
      ? [
          {
            label: '$(sign-out) Sign Out',
            detail: `Forget the credentials for ${ctx.connection.origin}`,
            action: 'signOut' as const,
          },
        ]
      : []),
    ...(localUrl
      ? [
          {
            label: '$(debug-stop) Stop the Local MLflow Server',
            detail: `Running at ${localUrl}; its data stays`,
            action: 'stopLocal' as const,
          },
        ]
      : // Restricted Mode runs no Python from the workspace (startLocalServer says why).
        vscode.workspace.isTrusted
        ? [
            {
              label: '$(server-process) Start a Local MLflow Server',
              detail: 'mlflow server with SQLite under .mlflow/',
              action: 'local' as const,
            },
          ]
        : []),
    {
      label: '$(output) Show Log',
      detail: 'Every request, with its status and time',
      action: 'log',
    },
  ];
  const chosen = await pick({ title: 'MLflow Server' }, items, {
    placeHolder: `${current.url} · ${describeState(ctx)}`,
  });
  switch (chosen.action) {
    case 'url': {
      const url = await input(
        { title: 'MLflow Server' },
        {
          prompt: localUrl
            ? 'The tracking server URL (connecting to it stops the local server)'
            : 'The tracking server URL, with its path prefix if it has one',
          value: current.url,
          validate: describeBadTrackingUri,
        },
      );
      return setTrackingUri(ctx, url);
    }
    case 'copyUri':
      await copyToClipboard(current.url);
      return undefined;
    case 'openUi':
      await vscode.env.openExternal(vscode.Uri.parse(current.url, true));
      return undefined;
    case 'experiments':
    case 'signIn':
    case 'signOut':
    case 'stopLocal':
      await runCommand(MENU_COMMANDS[chosen.action]);
      return undefined;
    case 'local':
      await runCommand('startLocalServer');
      return undefined;
    case 'log':
      ctx.log.show();
      return undefined;
  }
}

type MenuAction =
  | 'url'
  | 'experiments'
  | 'copyUri'
  | 'openUi'
  | 'signIn'
  | 'signOut'
  | 'local'
  | 'stopLocal'
  | 'log';

const MENU_COMMANDS = {
  experiments: 'selectExperiments',
  signIn: 'signIn',
  signOut: 'signOut',
  stopLocal: 'stopLocalServer',
} as const;

async function setTrackingUri(ctx: CommandContext, url: string): Promise<string> {
  const problem = describeBadTrackingUri(url);
  if (problem) throw new Error(`${problem}.`);
  const clean = url.trim().replace(/\/+$/, '');
  await ctx.localServer.stop();
  ctx.connection.useLocalServer(undefined);
  // User settings: a URL chosen here follows the person, not the workspace.
  await vscode.workspace
    .getConfiguration(SECTION)
    .update('trackingUri', clean, vscode.ConfigurationTarget.Global);
  return clean;
}

export async function selectExperiments(
  ctx: CommandContext,
  given: CommandArgs['selectExperiments'],
): Promise<string[]> {
  let chosen: string[];
  if (given) chosen = given;
  else {
    const experiments = await ctx.store.allExperiments();
    const wanted = new Set(ctx.connection.settings.experiments);
    const picker = vscode.window.createQuickPick<
      vscode.QuickPickItem & { id: string; name: string }
    >();
    picker.canSelectMany = true;
    picker.title = 'Experiments to Show';
    picker.placeholder = 'None selected: show every active experiment';
    picker.items = experiments.map((e) => ({
      label: plain(e.name),
      description: `#${plain(e.experimentId)}`,
      id: e.experimentId,
      name: e.name,
    }));
    picker.selectedItems = picker.items.filter((i) => wanted.has(i.id) || wanted.has(i.name));
    chosen = await runQuickPick(picker, () => picker.selectedItems.map((i) => i.id));
  }
  await vscode.workspace
    .getConfiguration(SECTION)
    .update('experiments', chosen, vscode.ConfigurationTarget.Global);
  return chosen;
}

/**
 * Sign In: the credentials are tried on the server first, and stored (and "signed in" shown) only
 * once it accepts them. A refusal offers Sign In Again with the username kept.
 */
export async function signIn(ctx: CommandContext, given: CommandArgs['signIn']): Promise<boolean> {
  const origin = ctx.connection.origin;
  const credentials = await credentialsFor(origin, given);
  const state = await ctx.connection.probe(credentials);
  if (state.kind === 'unauthorized') {
    const username = credentials.kind === 'basic' ? credentials.username : undefined;
    throw new ErrorWithActions(
      `${origin} refused ${username ? `the password for ${username}` : 'this token'}. Nothing was stored.`,
      [{ title: 'Sign In Again', command: 'signIn', arg: username ? { username } : undefined }],
    );
  }
  if (state.kind !== 'connected') {
    throw new Error(state.kind === 'connecting' ? `${origin} did not answer.` : state.message);
  }
  await ctx.credentials.store(origin, credentials);
  setContext(CONTEXT_KEYS.signedIn, true);
  ctx.connection.reload();
  await ctx.connection.check();
  void vscode.window.showInformationMessage(
    credentials.kind === 'basic'
      ? `Signed in to ${origin} as ${credentials.username}.`
      : `Signed in to ${origin} with a token.`,
  );
  return true;
}

/** The credentials given, else asked for (the username prefilled when it is given alone). */
async function credentialsFor(
  origin: string,
  given: CommandArgs['signIn'],
): Promise<StoredCredentials> {
  if (given?.token) return { kind: 'bearer', token: given.token };
  if (given?.username !== undefined && given.password !== undefined)
    return { kind: 'basic', username: given.username, password: given.password };
  const title = `Sign In to ${origin}`;
  const method =
    given?.username !== undefined
      ? { auth: 'basic' as const }
      : await pick({ title, step: 1, totalSteps: 3 }, [
          {
            label: 'Username and password',
            detail: 'MLflow’s basic-auth app (mlflow server --app-name basic-auth)',
            auth: 'basic' as const,
          },
          {
            label: 'Token',
            detail: 'A bearer token for a gateway or managed MLflow',
            auth: 'bearer' as const,
          },
        ]);
  if (method.auth === 'bearer') {
    const token = await input(
      { title, step: 2, totalSteps: 2 },
      {
        prompt: 'Token',
        password: true,
        validate: (t) => (t.trim() ? undefined : 'Enter the token'),
      },
    );
    return { kind: 'bearer', token: token.trim() };
  }
  const username = await input(
    { title, step: 2, totalSteps: 3 },
    {
      prompt: 'Username',
      value: given?.username ?? '',
      validate: (t) => (t.trim() ? undefined : 'Enter a username'),
    },
  );
  const password = await input(
    { title, step: 3, totalSteps: 3 },
    { prompt: `Password for ${username.trim()}`, password: true },
  );
  return { kind: 'basic', username: username.trim(), password };
}

export async function signOut(ctx: CommandContext): Promise<void> {
  const origin = ctx.connection.origin;
  await ctx.credentials.delete(origin);
  setContext(CONTEXT_KEYS.signedIn, false);
  ctx.connection.reload();
  ctx.store.reset();
  void vscode.window.showInformationMessage(
    `Signed out of ${origin}: its credentials are forgotten.`,
  );
}

/**
 * Keeps the passphrase of the encrypted client key (mlflowTraceReview.clientKeyFile) in VS Code's
 * SecretStorage, never in settings. Returns whether one is stored now.
 */
export async function setClientKeyPassphrase(
  ctx: CommandContext,
  given: CommandArgs['setClientKeyPassphrase'],
): Promise<boolean> {
  const keyFile = ctx.connection.settings.clientKeyFile;
  if (!keyFile) {
    throw new Error(
      'No client key is set: set mlflowTraceReview.clientKeyFile (and clientCertFile) first.',
    );
  }
  const passphrase =
    given ??
    (await input(
      { title: 'Client Key Passphrase' },
      {
        prompt: `The passphrase of ${keyFile} (kept in VS Code's secret storage; empty forgets it)`,
        password: true,
      },
    ));
  await ctx.credentials.storeKeyPassphrase(keyFile, passphrase);
  ctx.connection.reload();
  return passphrase !== '';
}

export async function startLocalServer(ctx: CommandContext): Promise<string> {
  if (!vscode.workspace.isTrusted) refuseInRestrictedMode();
  const url = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'Starting a local MLflow server…',
      cancellable: true,
    },
    (_progress, token) => {
      token.onCancellationRequested(() => void ctx.localServer.stop());
      return ctx.localServer.start();
    },
  );
  ctx.connection.useLocalServer(url);
  await ctx.connection.check();
  ctx.store.reset();
  const where = ctx.localServer.dataDir ?? 'its data folder';
  void vscode.window
    .showInformationMessage(
      `Local MLflow server running at ${url}, with its data in ${where} (ignored by git). New terminals get MLFLOW_TRACKING_URI=${url}; it stops when VS Code closes.`,
      'Copy Tracking URI',
      'Open MLflow UI',
    )
    .then(async (choice) => {
      if (choice === 'Copy Tracking URI') await copyToClipboard(url);
      if (choice === 'Open MLflow UI') await vscode.env.openExternal(vscode.Uri.parse(url, true));
    });
  return url;
}

/**
 * Restricted Mode: starting a server runs a Python interpreter, and its data folder is in the
 * workspace, so it waits for the person to trust the workspace. Says why, offers the trust editor.
 */
function refuseInRestrictedMode(): never {
  const manage = 'Manage Workspace Trust';
  // Not awaited: the command ends now, the notification stays while the person decides.
  void vscode.window
    .showWarningMessage(
      'A local MLflow server is not started in Restricted Mode: it runs Python and keeps its data in this workspace. Trust the workspace to start one, or connect to a server you run yourself.',
      manage,
      'Connect to a Server…',
    )
    .then(async (choice) => {
      if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      else if (choice) await runCommand('selectServer');
    });
  throw new Cancelled();
}

/**
 * Choose Python Interpreter…: the interpreter the local server runs with, from the ones found
 * or from a file, checked for mlflow, saved in the setting (the workspace's, when one is open).
 */
export async function choosePythonInterpreter(
  ctx: CommandContext,
  given: CommandArgs['choosePythonInterpreter'],
): Promise<string> {
  // Checking an interpreter runs it; its only use, the local server, waits for trust too.
  if (!vscode.workspace.isTrusted) refuseInRestrictedMode();
  let python = given;
  if (python === undefined) {
    const browse = { label: '$(folder-opened) Browse…', detail: 'An interpreter on this machine' };
    const chosen = await pick({ title: 'Python Interpreter for the Local MLflow Server' }, [
      browse,
      ...(await pythonCandidates()).map((p) => ({ label: p, detail: '' })),
    ]);
    if (chosen === browse) {
      const [file] =
        (await vscode.window.showOpenDialog({
          title: 'Python Interpreter with mlflow',
          canSelectMany: false,
          openLabel: 'Use This Interpreter',
        })) ?? [];
      if (!file) throw new Cancelled();
      python = file.fsPath;
    } else python = chosen.label;
  }
  if (!(await hasMlflow(python))) {
    throw new ErrorWithActions(
      `${python} cannot import mlflow. Install it there ("${python} -m pip install mlflow") or choose another interpreter.`,
      [{ title: 'Choose Python Interpreter…', command: 'choosePythonInterpreter' }],
    );
  }
  await vscode.workspace
    .getConfiguration(SECTION)
    .update(
      'localServer.python',
      python,
      vscode.workspace.workspaceFolders
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global,
    );
  void vscode.window.showInformationMessage(`The local MLflow server will run with ${python}.`);
  return python;
}

/** Stops the server the extension started; the data stays for next time. */
export async function stopLocalServer(ctx: CommandContext): Promise<boolean> {
  const url = ctx.localServer.url;
  const starting = ctx.localServer.isStarting;
  if (!url && !starting) throw new MlflowInputError('No local MLflow server is running.');
  await ctx.localServer.stop();
  ctx.connection.useLocalServer(undefined);
  void vscode.window.showInformationMessage(
    url
      ? `Stopped the local MLflow server at ${url}. Its data stays for next time.`
      : 'Stopped the local MLflow server before it answered.',
  );
  return true;
}

function describeState(ctx: CommandContext): string {
  const state = ctx.connection.state;
  return state.kind === 'connected' ? `connected, MLflow ${state.version}` : state.kind;
}
