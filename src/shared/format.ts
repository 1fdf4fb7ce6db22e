/**
 * Labels and formatting for traces and assessments, shared by the tree, the commands, the panels
 * and the webviews. Pure (no `vscode`, no DOM): unit-tested in plain Node. Everything a
 * trace or an assessment holds is untrusted text (written by LLMs and by anyone with access to
 * an experiment, as are the server's messages): callers pass it through `plain` for labels,
 * notifications, quick picks and the status bar, and through `markdownText`, `codeSpan` or
 * `codeBlock` for Markdown, never as it is.
 */
import type { Assessment, AssessmentSource, JsonValue, Span, TraceInfo } from '../mlflow';

/** MLflow stores the root span's name here. */
const TRACE_NAME_TAG = 'mlflow.traceName';

export function traceName(trace: TraceInfo): string {
  return trace.tags[TRACE_NAME_TAG] ?? trace.traceId;
}

/**
 * A trace as the tree names it: its name and the start of its request ("chat_app: Hi there"),
 * so that traces of one app can be told apart (after "Submit and Next", say).
 */
export function traceLabel(trace: TraceInfo, requestLength = 60): string {
  const request = previewLine(trace.requestPreview, requestLength);
  return request ? `${traceName(trace)}: ${request}` : traceName(trace);
}

/** One line from a request or response preview: the JSON's string content, not its quoting. */
export function previewLine(preview: string | undefined, maxLength = 80): string {
  if (!preview) return '';
  let text = preview;
  try {
    text = flattenForPreview(JSON.parse(preview) as JsonValue);
  } catch {
    // Previews are cut at about 1000 characters by the server and may not parse: show them raw.
  }
  return truncate(text.replace(/\s+/g, ' ').trim(), maxLength);
}

function flattenForPreview(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return value.map(flattenForPreview).join(' ');
  // Chat payloads: the last message's content is what a person recognises.
  const messages = value.messages;
  if (Array.isArray(messages) && messages.length > 0) {
    const last = messages[messages.length - 1];
    if (
      last &&
      typeof last === 'object' &&
      !Array.isArray(last) &&
      typeof last.content === 'string'
    ) {
      return last.content;
    }
  }
  const values = Object.values(value);
  return values.length === 1 && values[0] !== undefined
    ? flattenForPreview(values[0])
    : JSON.stringify(value);
}

/** At most `maxLength` UTF-16 units, with "…" when cut; never cuts an emoji (a surrogate pair) in half. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = Math.max(0, maxLength - 1);
  if (isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** "42 s ago", "5 min ago", "3 h ago", "2 d ago", or the date for anything older than a month. */
export function formatAge(isoTime: string, now: number): string {
  const then = Date.parse(isoTime);
  if (Number.isNaN(then)) return '';
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 31) return `${days} d ago`;
  return new Date(then).toISOString().slice(0, 10);
}

// ---- numbers for people ----------------------------------------------------------------------
// One rounding for the tree, the hovers and the webviews, so that a span reads the same in each.
// Anything that is not a quantity (undefined, null, NaN, ±Infinity, a negative) shows as ''.

/** Grouped the same in the extension host and the webview, whatever their locales. */
const NUMBERS = 'en-US';

function isQuantity(n: number | null | undefined): n is number {
  return typeof n === 'number' && Number.isFinite(n) && n >= 0;
}

/**
 * "< 1 µs", "250 µs", "12 ms", "1.25 s", "12.50 s", "2 min 5 s", "3 h 20 min". Rounded once, at
 * the unit shown, so a value never reads "1000 ms" or "60.00 s".
 */
export function formatDuration(ms: number | null | undefined): string {
  if (!isQuantity(ms)) return '';
  if (ms === 0) return '0 ms';
  const micros = Math.round(ms * 1000);
  if (micros < 1) return '< 1 µs';
  if (micros < 1000) return `${micros} µs`;
  const millis = Math.round(ms);
  if (millis < 1000) return `${millis} ms`;
  const centis = Math.round(ms / 10);
  if (centis < 6000) return `${(centis / 100).toFixed(2)} s`;
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  const totalMinutes = Math.round(ms / 60_000);
  const hours = Math.floor(totalMinutes / 60);
  return `${hours.toLocaleString(NUMBERS)} h ${totalMinutes % 60} min`;
}

/**
 * A span's duration in milliseconds, sub-millisecond part kept (the tree and the panel round it
 * the same way, in formatDuration); undefined while it runs.
 */
export function spanDurationMs(
  span: Pick<Span, 'startTimeUnixNano' | 'endTimeUnixNano'>,
): number | undefined {
  return span.endTimeUnixNano === null
    ? undefined
    : Number(span.endTimeUnixNano - span.startTimeUnixNano) / 1e6;
}

/** The smallest amount of money shown as a number: below it, "< $0.000001". */
const SMALLEST_COST = 0.000001;

/**
 * US dollars as MLflow computes them (`0.000010199999999999999` → "$0.0000102"): three
 * significant digits below a dollar, cents from a dollar up ("$1,234.50"), "< $0.000001" for
 * what rounds to nothing.
 */
export function formatCost(usd: number | null | undefined): string {
  if (!isQuantity(usd)) return '';
  if (usd === 0) return '$0';
  if (usd < SMALLEST_COST) return `< $${SMALLEST_COST.toFixed(6)}`;
  if (usd < 0.9995) {
    // Three significant digits, written without an exponent, then without trailing zeros.
    const digits = Math.min(20, 2 - Math.floor(Math.log10(usd)));
    const text = Number(usd.toPrecision(3)).toFixed(digits).replace(/0+$/, '');
    // At least cents: "$0.50", not "$0.5".
    const decimals = text.length - text.indexOf('.') - 1;
    return `$${decimals < 2 ? text + '0'.repeat(2 - decimals) : text}`;
  }
  return `$${usd.toLocaleString(NUMBERS, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A count of tokens, grouped: "1,234". */
export function formatTokens(count: number | null | undefined): string {
  if (!isQuantity(count)) return '';
  return Math.round(count).toLocaleString(NUMBERS);
}

/** Token counts as MLflow records them (`mlflow.chat.tokenUsage`, `mlflow.trace.tokenUsage`). */
export interface TokenCounts {
  input?: number | undefined;
  output?: number | undefined;
  total?: number | undefined;
}

/** For a row: "120→45 tok" (in → out), else "165 tok". */
export function formatTokensShort(tokens: TokenCounts | undefined): string {
  if (!tokens) return '';
  const input = formatTokens(tokens.input);
  const output = formatTokens(tokens.output);
  if (input && output) return `${input}→${output} tok`;
  const total = formatTokens(tokens.total);
  if (total) return `${total} tok`;
  if (input) return `${input} in tok`;
  return output ? `${output} out tok` : '';
}

/** For a header: "120 in · 45 out · 165 total". */
export function formatTokensLong(tokens: TokenCounts | undefined): string {
  if (!tokens) return '';
  const parts: [number | undefined, string][] = [
    [tokens.input, 'in'],
    [tokens.output, 'out'],
    [tokens.total, 'total'],
  ];
  return parts
    .filter(([count]) => formatTokens(count) !== '')
    .map(([count, what]) => `${formatTokens(count)} ${what}`)
    .join(' · ');
}

/** What an LLM call was, for a row: "gpt-4o-mini · 120→45 tok · $0.0012" (each part if known). */
export function formatCallMetrics(metrics: {
  model?: string | undefined;
  tokens?: TokenCounts | undefined;
  cost?: number | undefined;
}): string {
  return [metrics.model ?? '', formatTokensShort(metrics.tokens), formatCost(metrics.cost)]
    .filter(Boolean)
    .join(' · ');
}

/** An assessment's value on one line. */
export function formatValue(value: JsonValue, maxLength = 60): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return truncate(text.replace(/\s+/g, ' '), maxLength);
}

export function assessmentSummary(assessment: Assessment): string {
  if (assessment.kind === 'feedback' && assessment.error) {
    return `error: ${assessment.error.errorCode}`;
  }
  return formatValue(assessment.value);
}

/** "human me@example.com", "LLM judge gpt-4o", "code": who or what assessed. */
export function sourceLabel(assessment: { source: AssessmentSource }): string {
  const type = {
    HUMAN: 'human',
    LLM_JUDGE: 'LLM judge',
    CODE: 'code',
    SOURCE_TYPE_UNSPECIFIED: 'unspecified source',
  }[assessment.source.sourceType];
  return assessment.source.sourceId ? `${type} ${assessment.source.sourceId}` : type;
}

/** "3 assessments", "1 assessment", "" — counting only what is in force (not overridden). */
export function assessmentCount(trace: TraceInfo): string {
  const count = trace.assessments.filter((a) => a.valid).length;
  if (count === 0) return '';
  return count === 1 ? '1 assessment' : `${count} assessments`;
}

// ---- untrusted text -------------------------------------------------------------------------

/** Bidirectional controls: they reorder what follows them, so "eslaf" can read as "false". */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Every line terminator: Markdown ends a line at \r as well as \n, renderers at U+2028 too. */
const LINE_BREAKS = /\r\n|[\n\v\f\r\u0085\u2028\u2029]/g;
const ASCII_PUNCTUATION = /[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/g;
/** Invisible, and enough to keep `](` and `$(` apart. */
const ZERO_WIDTH_SPACE = '\u200B';

/** Shows bidirectional controls as markers (`⟪U+202E⟫`) instead of obeying them. */
export function revealBidi(text: string): string {
  return text.replace(BIDI_CONTROLS, (ch) => `⟪U+${ch.charCodeAt(0).toString(16).toUpperCase()}⟫`);
}

/**
 * Untrusted text for VS Code's plain text that still reads syntax: `[text](https:…)`,
 * `(command:…)` and `(file:…)` links in notifications and modals, `$(icon)` in quick picks,
 * input box titles and the status bar. Apply it to the untrusted parts only, so that our own
 * `$(check)` stays an icon.
 */
export function plain(text: string): string {
  return revealBidi(text).replace(/([\]$])\(/g, `$1${ZERO_WIDTH_SPACE}(`);
}

/** Line breaks shown as ⏎: untrusted text cannot end the line (or the code span) it is in. */
function oneLine(text: string): string {
  return text.replace(LINE_BREAKS, '⏎');
}

/**
 * Untrusted text as Markdown prose, on one line: every ASCII punctuation character escaped, so
 * nothing in it is markup (no link, autolink, image, HTML, entity or emphasis).
 */
export function markdownText(text: string): string {
  return oneLine(revealBidi(text)).replace(ASCII_PUNCTUATION, '\\$&');
}

/** A Markdown code span that shows `text` literally on one line, whatever backticks it holds. */
export function codeSpan(text: string): string {
  const shown = oneLine(revealBidi(text));
  const fence = '`'.repeat(longestBacktickRun(shown) + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** A fenced Markdown code block that shows `text` literally: no run of backticks in it is as long as its fence. */
export function codeBlock(text: string, language = ''): string {
  // One kind of line break inside, so no renderer sees a line (a fence) that another does not.
  const shown = revealBidi(text).replace(LINE_BREAKS, '\n');
  const fence = '`'.repeat(Math.max(2, longestBacktickRun(shown)) + 1);
  return `${fence}${language}\n${shown}\n${fence}`;
}

function longestBacktickRun(text: string): number {
  return Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
}

/** Pretty-prints a preview when it is JSON; leaves it as it is otherwise. */
export function prettyPreview(preview: string): string {
  try {
    return JSON.stringify(JSON.parse(preview), null, 2);
  } catch {
    return preview;
  }
}

/** `feedback "correctness"`: an assessment named in a sentence (a notification, a prompt). */
export function describeAssessment(assessment: Pick<Assessment, 'kind' | 'name'>): string {
  return `${assessment.kind} "${plain(assessment.name)}"`;
}
