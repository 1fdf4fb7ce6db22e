/**
 * One error handler for every command: the cause goes to the log, the person gets one clear
 * notification with the actions that can fix it. "Try Again" runs the command again; a flow that
 * failed while sending offers what was typed as its defaults, so nothing needs retyping.
 */
import * as vscode from 'vscode';
import {
  MlflowApiError,
  MlflowError,
  MlflowInputError,
  MlflowNetworkError,
  MlflowRouteNotFoundError,
  MlflowServerTooOldError,
} from '../mlflow';
import type { CommandContext } from './context';
import { errorMessage } from '../util/error-message';

/** Thrown when a person dismisses a prompt: not an error, nothing to report. */
export class Cancelled extends Error {
  constructor() {
    super('Cancelled');
  }
}

export function registerCommand(
  ctx: CommandContext,
  id: string,
  handler: (...args: unknown[]) => Promise<unknown>,
): vscode.Disposable {
  const run = async (...args: unknown[]): Promise<unknown> => {
    try {
      return await handler(...args);
    } catch (error) {
      if (error instanceof Cancelled) return undefined;
      ctx.connection.noteFailure(error);
      reportError(ctx, error, () => run(...args));
      // Reported above; callers (menus, tests, other extensions) get undefined.
      return undefined;
    }
  };
  return vscode.commands.registerCommand(id, run);
}

function reportError(ctx: CommandContext, error: unknown, retry: () => Promise<unknown>): void {
  const message = errorMessage(error);
  if (error instanceof MlflowError) ctx.log.error(message);
  else ctx.log.error(error instanceof Error ? (error.stack ?? message) : message);

  const actions = actionsFor(error);
  // Not awaited by the command: the notification stays while the person decides.
  void vscode.window
    .showErrorMessage(message, ...actions.map((a) => a.title))
    .then(async (choice) => {
      const action = actions.find((a) => a.title === choice);
      if (action) await action.run(retry);
    });
}

interface Action {
  title: string;
  run(retry: () => Promise<unknown>): Thenable<unknown>;
}

const TRY_AGAIN: Action = { title: 'Try Again', run: (retry) => retry() };
const SIGN_IN: Action = {
  title: 'Sign In',
  run: () => vscode.commands.executeCommand('mlflowTraceReview.signIn'),
};
const SETTINGS: Action = {
  title: 'Open Settings',
  run: () => vscode.commands.executeCommand('workbench.action.openSettings', 'mlflowTraceReview'),
};
const CONNECT: Action = {
  title: 'Connect to Another Server',
  run: () => vscode.commands.executeCommand('mlflowTraceReview.selectServer'),
};
const SHOW_LOG: Action = {
  title: 'Show Log',
  run: () => vscode.commands.executeCommand('mlflowTraceReview.showLog'),
};

function actionsFor(error: unknown): Action[] {
  if (error instanceof MlflowInputError) return [];
  if (error instanceof MlflowApiError) {
    if (error.status === 401 || error.status === 403) return [SIGN_IN, SHOW_LOG];
    if (error.status >= 500) return [TRY_AGAIN, SHOW_LOG];
    return [SHOW_LOG];
  }
  if (error instanceof MlflowNetworkError) return [TRY_AGAIN, SETTINGS, SHOW_LOG];
  if (error instanceof MlflowServerTooOldError || error instanceof MlflowRouteNotFoundError) {
    return [CONNECT, SETTINGS];
  }
  return [SHOW_LOG];
}
