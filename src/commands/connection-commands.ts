/** Choosing the server and experiments, signing in and out, and starting a local server. */
import * as vscode from 'vscode';
import { describeBadTrackingUri } from '../connection/tracking-uri';
import { SECTION } from '../connection/settings';
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
  const items = [
    {
      label: '$(edit) Enter a Server URL…',
      detail: `Now: ${current.url} (from ${current.origin})`,
      action: 'url' as const,
    },
    {
      label: '$(beaker) Choose Experiments…',
      detail: 'Which experiments the tree shows',
      action: 'experiments' as const,
    },
    {
      label: '$(sign-in) Sign In…',
      detail: `Credentials for ${ctx.connection.origin}`,
      action: 'signIn' as const,
    },
    {
      label: '$(server-process) Start a Local MLflow Server',
      detail: 'mlflow server with SQLite under .mlflow/',
      action: 'local' as const,
    },
    {
      label: '$(output) Show Log',
      detail: 'Every request, with its status and time',
      action: 'log' as const,
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
          prompt: 'The tracking server URL, with its path prefix if it has one',
          value: current.url,
          validate: describeBadTrackingUri,
        },
      );
      return setTrackingUri(ctx, url);
    }
    case 'experiments':
      await runCommand('selectExperiments');
      return undefined;
    case 'signIn':
      await runCommand('signIn');
      return undefined;
    case 'local':
      await runCommand('startLocalServer');
      return undefined;
    case 'log':
      ctx.log.show();
      return undefined;
  }
}

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
    const picker = vscode.window.createQuickPick<vscode.QuickPickItem & { id: string }>();
    picker.canSelectMany = true;
    picker.title = 'Experiments to Show';
    picker.placeholder = 'None selected: show every active experiment';
    picker.items = experiments.map((e) => ({
      label: e.name,
      description: `#${e.experimentId}`,
      id: e.experimentId,
    }));
    picker.selectedItems = picker.items.filter((i) => wanted.has(i.id) || wanted.has(i.label));
    chosen = await runQuickPick(picker, () => picker.selectedItems.map((i) => i.id));
  }
  await vscode.workspace
    .getConfiguration(SECTION)
    .update('experiments', chosen, vscode.ConfigurationTarget.Global);
  return chosen;
}

export async function signIn(ctx: CommandContext, given: CommandArgs['signIn']): Promise<boolean> {
  const origin = ctx.connection.origin;
  const title = `Sign In to ${origin}`;
  if (given?.token) await ctx.credentials.store(origin, { kind: 'bearer', token: given.token });
  else if (given?.username !== undefined && given.password !== undefined) {
    await ctx.credentials.store(origin, {
      kind: 'basic',
      username: given.username,
      password: given.password,
    });
  } else {
    const method = await pick({ title, step: 1, totalSteps: 3 }, [
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
    if (method.auth === 'basic') {
      const username = await input(
        { title, step: 2, totalSteps: 3 },
        { prompt: 'Username', validate: (t) => (t.trim() ? undefined : 'Enter a username') },
      );
      const password = await input(
        { title, step: 3, totalSteps: 3 },
        { prompt: 'Password', password: true },
      );
      await ctx.credentials.store(origin, { kind: 'basic', username: username.trim(), password });
    } else {
      const token = await input(
        { title, step: 2, totalSteps: 2 },
        {
          prompt: 'Token',
          password: true,
          validate: (t) => (t.trim() ? undefined : 'Enter the token'),
        },
      );
      await ctx.credentials.store(origin, { kind: 'bearer', token: token.trim() });
    }
  }
  setContext(CONTEXT_KEYS.signedIn, true);
  ctx.connection.reload();
  const state = await ctx.connection.check();
  if (state.kind === 'unauthorized') {
    throw new Error(`${origin} refused these credentials. Check them and sign in again.`);
  }
  if (state.kind !== 'connected') {
    throw new Error(state.kind === 'connecting' ? `${origin} did not answer.` : state.message);
  }
  return true;
}

export async function signOut(ctx: CommandContext): Promise<void> {
  await ctx.credentials.delete(ctx.connection.origin);
  setContext(CONTEXT_KEYS.signedIn, false);
  ctx.connection.reload();
  ctx.store.reset();
}

export async function startLocalServer(ctx: CommandContext): Promise<string> {
  const url = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Starting a local MLflow server…' },
    () => ctx.localServer.start(ctx.extension.globalStorageUri, ctx.log),
  );
  ctx.connection.useLocalServer(url);
  await ctx.connection.check();
  ctx.store.reset();
  void vscode.window.showInformationMessage(
    `Local MLflow server running at ${url} (stops when VS Code closes).`,
  );
  return url;
}

function describeState(ctx: CommandContext): string {
  const state = ctx.connection.state;
  return state.kind === 'connected' ? `connected, MLflow ${state.version}` : state.kind;
}
