/**
 * From the code to its traces: a CodeLens above each traced function and `start_span` block of a
 * Python file ("24 traces · 3 failing feedback · 5 unreviewed · last 2 min ago"), and a hover
 * with its newest traces. VS Code asks for lenses only for the files shown; each ask parses the
 * file (the parser is loaded with the first one) and asks SpanStatsSource, which sends a bounded
 * number of searches per refresh and keeps the answers a minute. No timer: an idle editor with
 * the view hidden sends nothing. Refresh Traces, another server, other experiments or the
 * setting count again, and so does a run of the app that made traces (src/runs/); coming back
 * to the window or to a Python file redraws, and counts older than a minute are asked again.
 */
import * as vscode from 'vscode';
import type { Connection } from '../connection/connection';
import type { TraceInfo } from '../mlflow';
import { assessmentSummary, formatAge, markdownText, traceLabel } from '../shared/format';
import type { TraceStore } from '../store/trace-store';
import { COMMANDS } from '../ui/ids';
import { PythonParser, wasmFilesIn } from './python-parser';
import { hasFailingFeedback, lensTitle, type SpanStats } from './span-stats';
import { MAX_NAMES, SpanStatsSource, type StatsScope } from './span-stats-source';
import type { TracedCode } from './traced-code';

export const CODE_LENS_SETTING = 'mlflowTraceReview.codeLens.enabled';
const PYTHON: vscode.DocumentSelector = [
  { language: 'python', scheme: 'file' },
  { language: 'python', scheme: 'untitled' },
];

export interface CodeLinksDeps {
  readonly extensionUri: vscode.Uri;
  readonly connection: Connection;
  readonly store: TraceStore;
  readonly log: vscode.LogOutputChannel;
  /** Connects on first use (activation only registers). */
  start(): void;
}

/** What tests look at: requests sent, and when lenses were last given. */
export interface CodeLinks extends vscode.Disposable {
  readonly stats: SpanStatsSource;
  readonly parser: PythonParser;
  /** Fires each time lenses with counts were given for a document. */
  readonly onDidProvideLenses: vscode.Event<vscode.Uri>;
  /** Counts again now, for the files shown: new traces were seen (a run of the app made some). */
  recount(): void;
}

export function registerCodeLinks(deps: CodeLinksDeps): CodeLinks {
  const parser = new PythonParser(
    wasmFilesIn(vscode.Uri.joinPath(deps.extensionUri, 'dist').fsPath),
  );
  const stats = new SpanStatsSource();
  const parsed = new ParsedDocuments(parser);
  const changed = new vscode.EventEmitter<void>();
  const provided = new vscode.EventEmitter<vscode.Uri>();
  const redraw = () => {
    changed.fire();
  };
  const enabled = () => vscode.workspace.getConfiguration().get<boolean>(CODE_LENS_SETTING, true);

  /** The stats of these spans, or undefined while not connected (a redraw follows the connection). */
  const statsOf = async (spans: readonly TracedCode[]) => {
    deps.start();
    if (deps.connection.state.kind !== 'connected') return undefined;
    const experiments = await deps.store.experiments();
    const scope: StatsScope = {
      client: deps.connection.client,
      key: JSON.stringify([
        deps.connection.settings.trackingUri.url,
        experiments.map((e) => e.experimentId),
      ]),
      experimentIds: experiments.map((e) => e.experimentId),
    };
    if (scope.experimentIds.length === 0) return new Map<string, SpanStats>();
    return stats.statsFor(
      scope,
      spans.map((s) => s.spanName),
    );
  };

  const lenses: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    provideCodeLenses: async (document) => {
      if (!enabled()) return [];
      const spans = await parsed.get(document);
      if (spans.length === 0) return [];
      let found: Map<string, SpanStats> | undefined;
      try {
        found = await statsOf(spans);
      } catch (error) {
        deps.log.warn(`Trace counts for ${document.uri.fsPath}: ${String(error)}`);
        deps.connection.noteFailure(error);
        return [];
      }
      if (!found) return [];
      const now = Date.now();
      const result = spans.map((span) => {
        const of = found.get(span.spanName);
        const range = new vscode.Range(span.line, 0, span.line, 0);
        return new vscode.CodeLens(range, {
          title: of
            ? lensTitle(of, now)
            : `Not counted: only the first ${String(MAX_NAMES)} span names of a file are`,
          tooltip: `The traces of span "${span.spanName}" in the configured experiments: show them in the MLflow Traces view`,
          command: COMMANDS.showSpanTraces,
          arguments: [{ spanName: span.spanName }],
        });
      });
      provided.fire(document.uri);
      return result;
    },
  };

  const hovers: vscode.HoverProvider = {
    provideHover: async (document, position) => {
      if (!enabled()) return undefined;
      const spans = await parsed.get(document);
      const span = spans.find((s) => position.line >= s.line && position.line <= s.nameLine);
      if (!span) return undefined;
      const of = (await statsOf([span]).catch(() => undefined))?.get(span.spanName);
      if (!of) return undefined;
      return new vscode.Hover(hoverMarkdown(span.spanName, of, Date.now()));
    },
  };

  const subscriptions = [
    changed,
    provided,
    vscode.languages.registerCodeLensProvider(PYTHON, lenses),
    vscode.languages.registerHoverProvider(PYTHON, hovers),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(CODE_LENS_SETTING)) redraw();
    }),
    // The person comes back to the window or to a Python file: counts older than a minute are
    // asked again (for the files shown only); an idle window asks nothing.
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused) redraw();
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      if (editor?.document.languageId === 'python') redraw();
    }),
    vscode.workspace.onDidCloseTextDocument((document) => {
      parsed.forget(document.uri);
    }),
    deps.connection.onDidChangeState((state) => {
      if (state.kind === 'connected') redraw();
    }),
    deps.connection.onDidChangeSettings(() => {
      stats.clear();
      redraw();
    }),
    // Refresh Traces, or other experiments: counted again. A trace rated: its new copy is
    // counted in place, with no request. Other changes (a page loaded) wait for the counts to be
    // a minute old, so that browsing the tree sends no searches for the lenses.
    deps.store.onDidChange((change) => {
      if (change.kind === 'experiments') {
        stats.clear();
        redraw();
      } else if (change.kind === 'trace' && stats.updateTrace(change.trace)) {
        redraw();
      }
    }),
  ];
  return {
    stats,
    parser,
    onDidProvideLenses: provided.event,
    recount: () => {
      stats.clear();
      redraw();
    },
    dispose: () => {
      for (const s of subscriptions) s.dispose();
    },
  };
}

/** The newest traces of a span, one line each, with links that open them. */
export function hoverMarkdown(
  spanName: string,
  stats: SpanStats,
  now: number,
): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  // Only our own commands run from links; everything from a trace is escaped text.
  md.isTrusted = { enabledCommands: [COMMANDS.openTrace, COMMANDS.showSpanTraces] };
  md.appendMarkdown(
    `**MLflow traces of span** ${markdownText(spanName)}: ${markdownText(lensTitle(stats, now))}\n\n`,
  );
  for (const trace of stats.recent) md.appendMarkdown(`- ${traceLine(trace, now)}\n`);
  if (stats.count > stats.recent.length) {
    const args = encodeURIComponent(JSON.stringify([{ spanName }]));
    md.appendMarkdown(
      `\n[Show all in the MLflow Traces view](command:${COMMANDS.showSpanTraces}?${args})`,
    );
  }
  return md;
}

function traceLine(trace: TraceInfo, now: number): string {
  const args = encodeURIComponent(JSON.stringify([{ traceId: trace.traceId }]));
  const icon =
    trace.state === 'ERROR' ? '$(error)' : hasFailingFeedback(trace) ? '$(thumbsdown)' : '$(pass)';
  const assessments = trace.assessments
    .filter((a) => a.valid)
    .map((a) => `${a.name}: ${assessmentSummary(a)}`)
    .join(', ');
  const label = markdownText(`${formatAge(trace.requestTime, now)} · ${traceLabel(trace, 50)}`);
  return `${icon} [${label}](command:${COMMANDS.openTrace}?${args})${assessments ? ` — ${markdownText(assessments)}` : ' — no assessments'}`;
}

/** The traced code of each open document, parsed once per version. */
class ParsedDocuments {
  private readonly cache = new Map<string, { version: number; spans: Promise<TracedCode[]> }>();

  constructor(private readonly parser: PythonParser) {}

  get(document: vscode.TextDocument): Promise<TracedCode[]> {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached?.version === document.version) return cached.spans;
    const text = document.getText();
    // A file that never says "mlflow" traces nothing: the parser is not even loaded for it.
    const spans = text.includes('mlflow') ? this.parser.tracedCode(text) : Promise.resolve([]);
    this.cache.set(key, { version: document.version, spans });
    return spans;
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }
}
