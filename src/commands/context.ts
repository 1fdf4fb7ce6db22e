/** What commands need from the rest of the extension, built once in activate(). */
import type * as vscode from 'vscode';
import type { CodeLinks } from '../code/code-links';
import type { Connection } from '../connection/connection';
import type { CredentialStore } from '../connection/credentials';
import type { LocalServer } from '../connection/local-server';
import type { FormPanels } from '../panels/form-panel';
import type { ReviewPanels } from '../panels/review-panel';
import type { SessionPanels } from '../panels/session-panel';
import type { TracePanels } from '../panels/trace-panel';
import type { ExperimentQuestions } from '../store/experiment-questions';
import type { RunTraces } from '../runs/run-traces';
import type { TraceStore } from '../store/trace-store';
import type { TreeNode } from '../tree/nodes';
import type { QueueTreeProvider } from '../tree/queue-tree';
import type { TraceTreeProvider } from '../tree/trace-tree';
import type { ErrorReporter } from '../ui/error-reporter';

export interface CommandContext {
  readonly extension: vscode.ExtensionContext;
  readonly connection: Connection;
  readonly credentials: CredentialStore;
  readonly store: TraceStore;
  readonly tree: TraceTreeProvider;
  readonly view: vscode.TreeView<TreeNode>;
  /** The Review Queues view's rows. */
  readonly queues: QueueTreeProvider;
  readonly log: vscode.LogOutputChannel;
  /** Failures: logged, shown with what fixes them, fed to the connection state. */
  readonly reporter: ErrorReporter;
  readonly localServer: LocalServer;
  readonly traces: TracePanels;
  readonly forms: FormPanels;
  readonly sessions: SessionPanels;
  /** The review panel (one queue's items, worked with the keyboard). */
  readonly review: ReviewPanels;
  /** The experiments' questions (label schemas) the everyday flows offer first. */
  readonly questions: ExperimentQuestions;
  /** The traces of the last run of the app, offered for review. */
  readonly runs: RunTraces;
  /** Drafts of what a person typed in a flow that failed, offered again on the next try. */
  readonly drafts: Map<string, unknown>;
  /** CodeLens, hover and Go to Source (src/code/). */
  readonly code: CodeLinks;
  /** Starts what activation leaves for first use (the server check, asking git); idempotent. */
  start(): void;
}
