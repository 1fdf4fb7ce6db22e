/**
 * One way to report a failure, for commands and webview actions alike: the cause goes to the log,
 * the connection state hears about it, and the person gets one clear notification with the
 * actions that can fix it. "Try Again" is offered only when the caller can repeat what failed.
 */
import * as vscode from 'vscode';
import {
  MlflowApiError,
  MlflowError,
  MlflowInputError,
  MlflowNetworkError,
  MlflowResponseTooLargeError,
  MlflowRouteNotFoundError,
  MlflowServerTooOldError,
} from '../mlflow';
import { redactUserInfo } from '../connection/tracking-uri';
import { plain } from '../shared/format';
import { WriteNotSavedError } from '../store/write-recovery';
import { Cancelled } from '../util/cancelled';
import { errorMessage } from '../util/error-message';
import type { Logger } from '../util/logger';
import type { CommandName } from './ids';
import { openSettings, runCommand } from './vscode-commands';

/** A failure that knows what fixes it: each action runs one of our commands. */
export class ErrorWithActions extends Error {
  constructor(
    message: string,
    readonly actions: readonly { title: string; command: CommandName; arg?: unknown }[],
  ) {
    super(message);
  }
}

export interface ErrorReporter {
  /**
   * Reports a failure. `retry` repeats the action (only pass one for actions that are safe to
   * repeat, or that a person chooses to repeat knowingly, such as a command's "Try Again").
   */
  report(error: unknown, retry?: () => Promise<unknown>): void;
}

export class NotifyingErrorReporter implements ErrorReporter {
  constructor(
    private readonly log: Logger,
    /** Tells the connection what a failure says about the server (unreachable, signed out, ...). */
    private readonly noteFailure: (error: unknown) => void,
  ) {}

  report(error: unknown, retry?: () => Promise<unknown>): void {
    if (error instanceof Cancelled) return;
    this.noteFailure(error);
    // A URL with a password in it (from a setting or a server's message) never shows it.
    const message = redactUserInfo(errorMessage(error));
    if (error instanceof MlflowError) this.log.error(message);
    else this.log.error(error instanceof Error ? redactUserInfo(error.stack ?? message) : message);

    const actions = actionsFor(error).filter((a) => a !== TRY_AGAIN || retry);
    // Not awaited: the notification stays while the person decides. The message holds trace
    // names and the server's own words: plain() keeps their `[text](url)` from becoming a link.
    void vscode.window
      .showErrorMessage(plain(message), ...actions.map((a) => a.title))
      .then(async (choice) => {
        const action = actions.find((a) => a.title === choice);
        if (action) await action.run(retry ?? (() => Promise.resolve()));
      });
  }
}

interface Action {
  title: string;
  run(retry: () => Promise<unknown>): Thenable<unknown>;
}

const TRY_AGAIN: Action = { title: 'Try Again', run: (retry) => retry() };
const SIGN_IN: Action = { title: 'Sign In', run: () => runCommand('signIn') };
const SETTINGS: Action = { title: 'Open Settings', run: () => openSettings() };
const CONNECT: Action = {
  title: 'Connect to Another Server',
  run: () => runCommand('selectServer'),
};
const SHOW_LOG: Action = { title: 'Show Log', run: () => runCommand('showLog') };

function actionsFor(error: unknown): Action[] {
  if (error instanceof ErrorWithActions) {
    return error.actions.map((a) => ({ title: a.title, run: () => runCommand(a.command, a.arg) }));
  }
  if (error instanceof MlflowInputError) return [];
  // Read back and not there: sending it again makes no duplicate. (Not known: no retry at all.)
  if (error instanceof WriteNotSavedError) return [TRY_AGAIN, SHOW_LOG];
  if (error instanceof MlflowApiError) {
    if (error.status === 401 || error.status === 403) return [SIGN_IN, SHOW_LOG];
    if (error.status >= 500) return [TRY_AGAIN, SHOW_LOG];
    return [SHOW_LOG];
  }
  if (error instanceof MlflowNetworkError) return [TRY_AGAIN, SETTINGS, SHOW_LOG];
  // Its message names the setting that raises the limit.
  if (error instanceof MlflowResponseTooLargeError) return [SETTINGS, SHOW_LOG];
  if (error instanceof MlflowServerTooOldError || error instanceof MlflowRouteNotFoundError) {
    return [CONNECT, SETTINGS];
  }
  return [SHOW_LOG];
}
