/**
 * The Markdown of the trace tree's hovers, as text: tree-items.ts wraps it in an untrusted
 * MarkdownString (no command links, no HTML, no icons). No `vscode`, so it is unit-tested in
 * plain Node. Everything a trace holds is untrusted: it goes through `markdownText`, `codeSpan`
 * or `codeBlock`, never into the Markdown as it is.
 */
import type { Assessment, Span, TraceInfo } from '../mlflow';
import {
  assessmentSummary,
  codeBlock,
  codeSpan,
  formatCost,
  formatDuration,
  formatTokensLong,
  markdownText,
  prettyPreview,
  sourceLabel,
  spanDurationMs,
  traceName,
  truncate,
  type TokenCounts,
} from '../shared/format';
import {
  callMetrics,
  parseCost,
  parseTokenUsage,
  TRACE_METADATA,
  totalCost,
} from '../shared/llm-metrics';
import { sessionIdOf, sessionLabel, userOf } from '../shared/sessions';

export function traceTooltip(trace: TraceInfo): string {
  let md = `**${markdownText(traceName(trace))}** · ${trace.state}\n\n`;
  if (trace.problem) md += problemLine(trace.problem);
  md += `${codeSpan(trace.traceId)} · ${new Date(trace.requestTime).toLocaleString()}`;
  if (trace.executionDurationMs !== undefined)
    md += ` · ${markdownText(formatDuration(trace.executionDurationMs))}`;
  md += '\n\n';
  const costs = parseCost(trace.metadata[TRACE_METADATA.cost]);
  md += usageLine(
    parseTokenUsage(trace.metadata[TRACE_METADATA.tokenUsage]),
    costs && totalCost(costs),
  );
  const sessionId = sessionIdOf(trace);
  const user = userOf(trace);
  if (sessionId !== undefined) {
    md += `Session ${codeSpan(truncate(sessionId, 300))}`;
    if (sessionLabel(sessionId) !== sessionId)
      md += ` (${markdownText(truncate(sessionLabel(sessionId), 300))})`;
    md += user !== undefined ? ' · ' : '\n\n';
  }
  if (user !== undefined) md += `User ${codeSpan(truncate(user, 300))}\n\n`;
  if (trace.requestPreview)
    md += `Request\n\n${codeBlock(truncate(prettyPreview(trace.requestPreview), 1200), 'json')}\n\n`;
  if (trace.responsePreview)
    md += `Response\n\n${codeBlock(truncate(prettyPreview(trace.responsePreview), 1200), 'json')}\n\n`;
  return md;
}

export function assessmentTooltip(assessment: Assessment, overriddenBy?: Assessment): string {
  let md = `**${markdownText(assessment.name)}** · ${assessment.kind} by ${markdownText(sourceLabel(assessment))}\n\n`;
  if (assessment.problem) md += problemLine(assessment.problem);
  if (!assessment.valid) {
    md += overriddenBy
      ? `Overridden by ${markdownText(sourceLabel(overriddenBy))}: ${codeSpan(assessmentSummary(overriddenBy))}\n\n`
      : 'Overridden (no longer in force)\n\n';
  }
  if (assessment.kind === 'feedback' && assessment.error) {
    const { errorCode, errorMessage, stackTrace } = assessment.error;
    md += `Error ${codeSpan(errorCode)}${errorMessage ? `: ${codeSpan(errorMessage)}` : ''}\n\n`;
    if (stackTrace) md += `${codeBlock(truncate(stackTrace, 1500))}\n\n`;
  } else {
    md += `${codeBlock(truncate(JSON.stringify(assessment.value, null, 2), 1500), 'json')}\n\n`;
  }
  if (assessment.kind === 'feedback' && assessment.rationale) {
    md += `Rationale\n\n${codeBlock(truncate(assessment.rationale, 1500))}\n\n`;
  }
  const metadata = Object.entries(assessment.metadata);
  if (metadata.length > 0) {
    md += `Metadata: ${metadata.map(([k, v]) => `${codeSpan(k)} = ${codeSpan(truncate(v, 200))}`).join(', ')}\n\n`;
  }
  if (assessment.spanId) md += `Span ${codeSpan(assessment.spanId)}\n\n`;
  md += `${codeSpan(assessment.assessmentId)} · updated ${new Date(assessment.lastUpdateTime).toLocaleString()}`;
  return md;
}

export function spanTooltip(span: Span): string {
  let md = `**Span** ${codeSpan(span.name)} · ${codeSpan(span.spanId)}\n\n`;
  if (span.problem) md += problemLine(span.problem);
  // "< 1 µs" is our text, but "<" is Markdown's too.
  const duration = markdownText(formatDuration(spanDurationMs(span)));
  const { model, tokens, cost } = callMetrics(span.attributes);
  const facts = [
    span.spanType === undefined ? '' : markdownText(span.spanType),
    duration,
    model === undefined ? '' : `model ${codeSpan(model)}`,
  ].filter(Boolean);
  if (facts.length > 0) md += `${facts.join(' · ')}\n\n`;
  md += usageLine(tokens, cost);
  if (span.status.message) md += `Status: ${codeSpan(span.status.message)}\n\n`;
  if (span.inputs !== undefined)
    md += `Inputs\n\n${codeBlock(truncate(JSON.stringify(span.inputs, null, 2), 1500), 'json')}\n\n`;
  if (span.outputs !== undefined)
    md += `Outputs\n\n${codeBlock(truncate(JSON.stringify(span.outputs, null, 2), 1500), 'json')}`;
  return md;
}

/** "Tokens: 120 in · 45 out · 165 total · cost $0.000045", or nothing. */
function usageLine(tokens: TokenCounts | undefined, cost: number | undefined): string {
  const parts = [
    formatTokensLong(tokens) && `Tokens: ${formatTokensLong(tokens)}`,
    formatCost(cost) && `cost ${markdownText(formatCost(cost))}`,
  ].filter(Boolean);
  return parts.length > 0 ? `${parts.join(' · ')}\n\n` : '';
}

/** What did not fit in a record the server sent (it shows flagged, with what could be read). */
function problemLine(problem: string): string {
  return `Unexpected record from the server: ${codeSpan(truncate(problem, 300))}\n\n`;
}
