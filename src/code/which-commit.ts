/**
 * Which commit a trace was recorded at, for the trace panel: "recorded at a1b2c3d, 4 commits
 * behind" when its `mlflow.source.git.commit` is not the workspace's HEAD, and Compare with
 * Today, which opens the traced function's file at that commit against today's. `git` runs only
 * when a trace with a commit is opened, or the button is pressed.
 */
import * as vscode from 'vscode';
import type { TraceInfo } from '../mlflow';
import type { TraceStore } from '../store/trace-store';
import { commitDistance, describeDistance, diffWithCommit, GIT_COMMIT_KEY } from './git-commit';
import { findSource, notFoundMessage, sourceQuery } from './go-to-source';
import type { PythonParser } from './python-parser';

/** The panel's line, or undefined (no commit recorded, it is HEAD, no git, no workspace). */
export async function sourceCommitLine(trace: TraceInfo): Promise<string | undefined> {
  const commit = trace.metadata[GIT_COMMIT_KEY];
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!commit || !folder || !vscode.workspace.isTrusted) return undefined;
  const distance = await commitDistance(folder, commit);
  return distance ? describeDistance(distance) : undefined;
}

/** Opens the file of the trace's root function at the recorded commit, against today's. */
export async function compareWithRecordedCommit(
  store: TraceStore,
  parser: PythonParser,
  trace: TraceInfo,
): Promise<void> {
  const commit = trace.metadata[GIT_COMMIT_KEY];
  if (!commit) throw new Error(`Trace ${trace.traceId} records no git commit.`);
  const spans = await store.spansOf(trace);
  const root = spans.find((s) => !s.parentSpanId) ?? spans[0];
  if (!root) throw new Error(`Trace ${trace.traceId} has no spans to find its code from.`);
  const query = sourceQuery(trace, root);
  const [found] = await findSource(query, parser);
  if (!found) {
    void vscode.window.showInformationMessage(notFoundMessage(query));
    return;
  }
  await diffWithCommit(found.uri, commit);
}
