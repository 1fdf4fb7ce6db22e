/**
 * From a span to the code that made it: the function named by the span's `mlflow.spanFunctionName`
 * (else the span's name), looked for first in the workspace's symbols (the Python extension's
 * language server, when there is one), then by parsing the workspace's Python files (at most
 * MAX_FILES, the trace's `mlflow.source.name` file first). Several candidates: a quick pick; none:
 * a message saying what was looked for. When the trace records a git commit other than HEAD, the
 * person is told and offered a diff of the file at that commit against today's.
 */
import path from 'node:path';
import * as vscode from 'vscode';
import type { Span, TraceInfo } from '../mlflow';
import { plain } from '../shared/format';
import { commitDistance, describeDistance, diffWithCommit, GIT_COMMIT_KEY } from './git-commit';
import type { PythonParser } from './python-parser';

export const SOURCE_NAME_KEY = 'mlflow.source.name';
const FUNCTION_NAME_KEY = 'mlflow.spanFunctionName';
const MAX_FILES = 300;
const EXCLUDE = '{**/node_modules/**,**/.venv/**,**/venv/**,**/site-packages/**,**/.git/**}';

export interface SourceCandidate {
  readonly uri: vscode.Uri;
  readonly line: number;
  readonly character: number;
}

export interface SourceQuery {
  /** The function's `__name__`, when MLflow recorded it (a decorated function). */
  readonly functionName: string | undefined;
  readonly spanName: string;
  /** The trace's `mlflow.source.name`: the script or notebook that ran. */
  readonly sourceName: string | undefined;
  readonly commit: string | undefined;
}

export function sourceQuery(trace: TraceInfo, span: Span): SourceQuery {
  const recorded = span.attributes[FUNCTION_NAME_KEY];
  return {
    functionName: typeof recorded === 'string' && recorded ? recorded : undefined,
    spanName: span.name,
    sourceName: trace.metadata[SOURCE_NAME_KEY] || undefined,
    commit: trace.metadata[GIT_COMMIT_KEY] || undefined,
  };
}

/** Where the span's code may be, the likeliest first. */
export async function findSource(
  query: SourceQuery,
  parser: PythonParser,
): Promise<SourceCandidate[]> {
  const bySymbols = await fromSymbols(query);
  const found = bySymbols.length > 0 ? bySymbols : await fromParsing(query, parser);
  return rank(found, query.sourceName);
}

async function fromSymbols(query: SourceQuery): Promise<SourceCandidate[]> {
  const name = query.functionName;
  if (!name) return [];
  const symbols =
    (await vscode.commands.executeCommand<vscode.SymbolInformation[] | undefined>(
      'vscode.executeWorkspaceSymbolProvider',
      name,
    )) ?? [];
  return symbols
    .filter(
      (s) =>
        s.name === name &&
        (s.kind === vscode.SymbolKind.Function || s.kind === vscode.SymbolKind.Method) &&
        s.location.uri.path.endsWith('.py'),
    )
    .map((s) => ({
      uri: s.location.uri,
      line: s.location.range.start.line,
      character: s.location.range.start.character,
    }));
}

async function fromParsing(query: SourceQuery, parser: PythonParser): Promise<SourceCandidate[]> {
  const files = await vscode.workspace.findFiles('**/*.py', EXCLUDE, MAX_FILES);
  const found: SourceCandidate[] = [];
  for (const uri of rank(
    files.map((f) => ({ uri: f, line: 0, character: 0 })),
    query.sourceName,
  )) {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri.uri));
    for (const code of await parser.tracedCode(text)) {
      const matches = query.functionName
        ? code.kind === 'function' && code.functionName === query.functionName
        : code.spanName === query.spanName;
      if (matches) found.push({ uri: uri.uri, line: code.nameLine, character: code.nameColumn });
    }
  }
  return found;
}

/** The trace's own source file first, then by path. */
function rank(candidates: SourceCandidate[], sourceName: string | undefined): SourceCandidate[] {
  const base = sourceName ? path.basename(sourceName) : undefined;
  const score = (c: SourceCandidate) =>
    sourceName && c.uri.fsPath === sourceName
      ? 0
      : base && path.basename(c.uri.fsPath) === base
        ? 1
        : 2;
  return [...candidates].sort(
    (a, b) => score(a) - score(b) || a.uri.fsPath.localeCompare(b.uri.fsPath),
  );
}

/** What was looked for, when nothing was found. */
export function notFoundMessage(query: SourceQuery): string {
  const what = query.functionName
    ? `a function named "${query.functionName}" (span "${query.spanName}")`
    : `a traced function or start_span block named "${query.spanName}"`;
  const from = query.sourceName ? ` The trace was recorded running ${query.sourceName}.` : '';
  return plain(
    `No source found for ${what} in this workspace's symbols or its Python files (up to ${MAX_FILES}).${from}`,
  );
}

export interface SourceShown {
  readonly candidate: SourceCandidate;
  /** "This trace was recorded at a1b2c3d, 4 commits behind HEAD.", when it was. */
  readonly commit: string | undefined;
}

/** Goes to the span's code; returns where it went and what was said of the commit (tests check them). */
export async function goToSource(
  query: SourceQuery,
  parser: PythonParser,
): Promise<SourceShown | undefined> {
  const candidates = await findSource(query, parser);
  let chosen = candidates[0];
  if (candidates.length > 1) {
    const picked = await vscode.window.showQuickPick(
      candidates.map((c) => ({
        label: `${vscode.workspace.asRelativePath(c.uri)}:${c.line + 1}`,
        candidate: c,
      })),
      {
        title: `Where "${plain(query.functionName ?? query.spanName)}" is defined`,
        placeHolder: 'Pick the source of the span',
      },
    );
    chosen = picked?.candidate;
  }
  if (!chosen) {
    if (candidates.length === 0) void vscode.window.showInformationMessage(notFoundMessage(query));
    return undefined;
  }
  const position = new vscode.Position(chosen.line, chosen.character);
  await vscode.window.showTextDocument(chosen.uri, {
    selection: new vscode.Range(position, position),
  });
  const commit = query.commit ? await offerCommitDiff(chosen.uri, query.commit) : undefined;
  return { candidate: chosen, commit };
}

/** "recorded at a1b2c3d, 4 commits behind" with Compare with Today, when it is not HEAD. */
export async function offerCommitDiff(
  file: vscode.Uri,
  commit: string,
): Promise<string | undefined> {
  // git reads the repository's config: not in Restricted Mode.
  if (!vscode.workspace.isTrusted) return undefined;
  const folder = vscode.workspace.getWorkspaceFolder(file)?.uri.fsPath ?? path.dirname(file.fsPath);
  const distance = await commitDistance(folder, commit);
  if (!distance) return undefined;
  const message = `This trace was ${describeDistance(distance)} HEAD.`;
  void vscode.window.showInformationMessage(message, 'Compare with Today').then(async (choice) => {
    if (choice) await diffWithCommit(file, commit);
  });
  return message;
}
