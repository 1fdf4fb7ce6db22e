/**
 * Labels and formatting for traces and assessments, shared by the tree, the commands, the panels
 * and the webviews. Pure (no `vscode`, no DOM): unit-tested in plain Node. Everything a
 * trace or an assessment holds is untrusted text; callers put it in plain labels or in Markdown
 * code spans and fences built by `codeBlock`, never in Markdown or HTML as it is.
 */
import type { Assessment, AssessmentSource, JsonValue, TraceInfo } from '../mlflow';

/** MLflow stores the root span's name here. */
const TRACE_NAME_TAG = 'mlflow.traceName';

export function traceName(trace: TraceInfo): string {
  return trace.tags[TRACE_NAME_TAG] ?? trace.traceId;
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

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
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

/** A Markdown code span that shows `text` literally, whatever backticks it holds. */
export function codeSpan(text: string): string {
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\n/g, ' ')}${pad}${fence}`;
}

/** A fenced Markdown code block that shows `text` literally. */
export function codeBlock(text: string, language = ''): string {
  const longestRun = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longestRun + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Pretty-prints a preview when it is JSON; leaves it as it is otherwise. */
export function prettyPreview(preview: string): string {
  try {
    return JSON.stringify(JSON.parse(preview), null, 2);
  } catch {
    return preview;
  }
}

/** `feedback "correctness"`: an assessment named in a sentence. */
export function describeAssessment(assessment: Pick<Assessment, 'kind' | 'name'>): string {
  return `${assessment.kind} "${assessment.name}"`;
}
