/** Registers every command with the one error handler. The ids match package.json. */
import * as vscode from 'vscode';
import {
  selectExperiments,
  selectServer,
  signIn,
  signOut,
  startLocalServer,
} from './connection-commands';
import type { CommandContext } from './context';
import { deleteAssessment } from './delete-assessment';
import { editAssessment } from './edit-assessment';
import { registerCommand } from './error-handler';
import { logExpectation } from './log-expectation';
import { logFeedback } from './log-feedback';
import { overrideFeedback } from './override-feedback';
import {
  openAssessmentForm,
  openExpectationForm,
  openFeedbackForm,
  openTrace,
} from './panel-commands';
import { reviewLatestTrace } from './review-latest-trace';
import { copyAssessmentId, copyTraceId, openInMlflowUi, revealAssessment } from './trace-actions';
import { clearFilter, loadMore, quickFilter, refresh, setFilter } from './view-commands';

type Handler = (ctx: CommandContext, arg?: unknown) => Promise<unknown>;

const COMMANDS: Record<string, Handler> = {
  refresh,
  loadMore,
  setFilter,
  clearFilter,
  quickFilter,
  selectServer,
  selectExperiments,
  signIn,
  signOut,
  startLocalServer,
  showLog: (ctx) => {
    ctx.log.show();
    return Promise.resolve();
  },
  openSettings: async () => {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'mlflowTraceReview');
  },
  logFeedback,
  logExpectation,
  editAssessment,
  overrideFeedback,
  deleteAssessment,
  reviewLatestTrace,
  copyTraceId,
  copyAssessmentId,
  openInMlflowUi,
  revealAssessment,
  openTrace,
  openFeedbackForm,
  openExpectationForm,
  openAssessmentForm,
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return Object.entries(COMMANDS).map(([name, handler]) =>
    registerCommand(ctx, `mlflowTraceReview.${name}`, (arg?: unknown) => handler(ctx, arg)),
  );
}
