/**
 * Which commit a trace was recorded at, against the workspace's HEAD, with `git` run only when a
 * person asks (Go to Source, the trace panel's button), each call bounded by a timeout. And the
 * file at that commit, read-only, for a diff against today's (`mlflow-git:` URIs).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import * as vscode from 'vscode';
import * as z from '../mlflow/zod';

export const GIT_COMMIT_KEY = 'mlflow.source.git.commit';
const GIT_TIMEOUT_MS = 5_000;
export const GIT_SCHEME = 'mlflow-git';
/** What a `mlflow-git:` URI's query holds (diffWithCommit writes it). */
const gitFile = z.object({ root: z.string(), relative: z.string(), commit: z.string() });

export interface CommitDistance {
  readonly recorded: string;
  readonly head: string;
  /** Commits on HEAD since the recorded one; undefined when git does not know that commit. */
  readonly behind: number | undefined;
}

function git(cwd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd, timeout: GIT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => {
        if (error) reject(new Error(`git ${args.join(' ')}: ${error.message}`));
        else resolve(stdout);
      },
    );
  });
}

/** Where the recorded commit stands against HEAD, or undefined when it is HEAD or no git. */
export async function commitDistance(
  folder: string,
  recorded: string,
): Promise<CommitDistance | undefined> {
  if (!/^[0-9a-f]{7,40}$/i.test(recorded)) return undefined;
  let head: string;
  try {
    head = (await git(folder, ['rev-parse', 'HEAD'])).trim();
  } catch {
    return undefined; // not a git repository, or no git
  }
  if (head.startsWith(recorded.toLowerCase())) return undefined;
  let behind: number | undefined;
  try {
    behind = Number((await git(folder, ['rev-list', '--count', `${recorded}..HEAD`])).trim());
  } catch {
    behind = undefined; // a commit this clone does not have
  }
  return { recorded, head, behind };
}

/** "recorded at a1b2c3d, 4 commits behind" */
export function describeDistance(distance: CommitDistance): string {
  const short = distance.recorded.slice(0, 7);
  if (distance.behind === undefined)
    return `recorded at ${short}, a commit this repository does not have`;
  return `recorded at ${short}, ${distance.behind} ${distance.behind === 1 ? 'commit' : 'commits'} behind`;
}

/** The workspace folder's git top level that holds the file. */
export async function repositoryOf(file: vscode.Uri): Promise<string | undefined> {
  try {
    return (await git(path.dirname(file.fsPath), ['rev-parse', '--show-toplevel'])).trim();
  } catch {
    return undefined;
  }
}

/** Opens the file at the commit against today's copy. */
export async function diffWithCommit(file: vscode.Uri, commit: string): Promise<void> {
  const root = await repositoryOf(file);
  if (!root) throw new Error(`${file.fsPath} is not in a git repository.`);
  const relative = path.relative(root, file.fsPath).split(path.sep).join('/');
  const then = vscode.Uri.from({
    scheme: GIT_SCHEME,
    path: file.path,
    query: JSON.stringify({ root, relative, commit }),
  });
  await vscode.commands.executeCommand(
    'vscode.diff',
    then,
    file,
    `${path.basename(file.fsPath)} (${commit.slice(0, 7)}) ↔ today`,
  );
}

/** Serves `mlflow-git:` URIs: `git show <commit>:<path>`, read-only. */
export function registerGitContent(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(GIT_SCHEME, {
    provideTextDocumentContent: async (uri) => {
      const parsed = gitFile.safeParse(JSON.parse(uri.query));
      if (!parsed.success) throw new Error(`Not a file at a commit: ${uri.toString()}`);
      const { root, relative, commit } = parsed.data;
      return git(root, ['show', `${commit}:${relative}`]);
    },
  });
}
