/**
 * Registers every command: its id (ui/ids.ts), the parser of its argument (args.ts) and its
 * handler, each run through the one error reporter. The map is typed by command name, so a
 * command in ui/ids.ts without a handler, or a handler whose argument type is not the parser's,
 * does not compile.
 */
import * as vscode from 'vscode';
import { COMMANDS, type CommandName } from '../ui/ids';
import { openSettings } from '../ui/vscode-commands';
import { PARSERS, type CommandArgs } from './args';
import {
  selectExperiments,
  selectServer,
  signIn,
  signOut,
  setClientKeyPassphrase,
  startLocalServer,
  stopLocalServer,
  choosePythonInterpreter,
} from './connection-commands';
import type { CommandContext } from './context';
import { deleteAssessment } from './delete-assessment';
import { editAssessment } from './edit-assessment';
import { logExpectation } from './log-expectation';
import { logFeedback } from './log-feedback';
import { overrideFeedback } from './override-feedback';
import {
  openAssessmentForm,
  openExpectationForm,
  openFeedbackForm,
  openTrace,
} from './panel-commands';
import { addToEvaluationDataset } from './dataset-commands';
import { addToReviewQueue, createMyQueue, refreshQueues } from './queue-commands';
import { goToSource, showSpanTraces } from './code-commands';
import { addMatchingToQueue } from './add-matching';
import { createQuestion, createQueue } from './review-setup';
import { reviewRunTraces } from './run-commands';
import { reviewLatestTrace } from './review-latest-trace';
import { openInMlflowReview, reviewAction, startLocalReview, startReview } from './review-commands';
import {
  filterSession,
  groupBySession,
  openSession,
  rateSession,
  ungroupBySession,
} from './session-commands';
import { copyAssessmentId, copyTraceId, openInMlflowUi, revealAssessment } from './trace-actions';
import { clearFilter, loadMore, quickFilter, refresh, setFilter } from './view-commands';

type Handlers = {
  [K in CommandName]: (ctx: CommandContext, arg: CommandArgs[K]) => Promise<unknown>;
};

const HANDLERS: Handlers = {
  refresh,
  loadMore,
  setFilter,
  clearFilter,
  quickFilter,
  selectServer,
  selectExperiments,
  signIn,
  signOut,
  setClientKeyPassphrase,
  startLocalServer,
  stopLocalServer,
  choosePythonInterpreter,
  showLog: (ctx) => {
    ctx.log.show();
    return Promise.resolve();
  },
  openSettings: async () => {
    await openSettings();
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
  filterSession,
  groupBySession,
  ungroupBySession,
  openSession,
  rateSession,
  refreshQueues,
  createMyQueue,
  addToReviewQueue,
  showSpanTraces,
  goToSource,
  startReview,
  startLocalReview,
  reviewSubmit: reviewAction('submit'),
  reviewDecline: reviewAction('decline'),
  reviewReopen: reviewAction('reopen'),
  reviewNext: reviewAction('next'),
  reviewPrevious: reviewAction('previous'),
  reviewNextUnreviewed: reviewAction('nextUnreviewed'),
  reviewShowKeys: reviewAction('help'),
  openInMlflowReview,
  addMatchingToQueue,
  createQueue,
  createQuestion,
  addToEvaluationDataset,
  reviewRunTraces,
};

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return (Object.keys(HANDLERS) as CommandName[]).map((name) => register(ctx, name));
}

// K ties HANDLERS[name] to PARSERS[name]: without it the two are unions that do not match.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function register<K extends CommandName>(ctx: CommandContext, name: K): vscode.Disposable {
  // A tree menu passes the row clicked and, with several rows selected, all of them.
  const run = async (arg?: unknown, selection?: unknown): Promise<unknown> => {
    ctx.start();
    try {
      if (isFocusedRowKey(arg)) {
        // A key pressed in the tree: act on the row with the keyboard focus.
        await selectFocusedRow();
        arg = undefined;
      }
      return await HANDLERS[name](ctx, PARSERS[name](arg, selection));
    } catch (error) {
      // "Try Again" runs the command again with the same argument; a quick flow that failed
      // while sending offers what was typed as its defaults (ctx.drafts).
      ctx.reporter.report(error, () => run(arg, selection));
      // Reported; callers (menus, tests, other extensions) get undefined.
      return undefined;
    }
  };
  return vscode.commands.registerCommand(COMMANDS[name], run);
}

/**
 * What the tree's keybindings pass (package.json): VS Code gives a command run by a key no row,
 * and its arrow keys move the focus without the selection, so the selection may be another row.
 */
function isFocusedRowKey(arg: unknown): boolean {
  return typeof arg === 'object' && arg !== null && 'focusedRow' in arg && arg.focusedRow === true;
}

/**
 * Selects the focused row, as Enter would. The workbench sends the new selection to the extension
 * host before the command's own reply, so the view's selection is current when this returns.
 */
async function selectFocusedRow(): Promise<void> {
  await vscode.commands.executeCommand('list.select');
}
