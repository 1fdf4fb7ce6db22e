/**
 * The tree's filters: the person's own MLflow filter string, plus quick filters. "Errors" is a
 * server-side clause; the other two ask about assessments' sources and errors, which MLflow's
 * filter grammar cannot express, so they are applied to each page as it arrives.
 */
import { andFilters, type TraceInfo } from '../mlflow';
import { sessionFilter, sessionLabel } from '../shared/sessions';
import { hasFailedJudge, hasHumanFeedback } from './assessment-rules';

export const QUICK_FILTERS = {
  noHumanFeedback: {
    label: 'No human feedback',
    description: 'traces no person has rated yet',
  },
  errors: { label: 'Errors', description: 'traces whose state is ERROR' },
  failedJudge: {
    label: 'Failed judge',
    description: 'traces where an LLM judge or scorer recorded an error',
  },
} as const;
export type QuickFilter = keyof typeof QUICK_FILTERS;

export interface TraceFilter {
  /** An MLflow filter string as the person typed it. */
  text?: string;
  /** "This Session": only the traces of this session (`metadata.\`mlflow.trace.session\``). */
  session?: string;
  quick: ReadonlySet<QuickFilter>;
}

export const NO_FILTER: TraceFilter = { quick: new Set() };

export function isFiltered(filter: TraceFilter): boolean {
  return Boolean(filter.text) || filter.session !== undefined || filter.quick.size > 0;
}

/** The filter string sent to the server. */
export function serverFilter(filter: TraceFilter): string | undefined {
  const clause = andFilters(
    filter.text,
    filter.session === undefined ? undefined : sessionFilter(filter.session),
    filter.quick.has('errors') ? "trace.status = 'ERROR'" : undefined,
  );
  return clause || undefined;
}

/** Whether a trace passes the filters the server cannot apply. */
export function matchesLocally(trace: TraceInfo, filter: TraceFilter): boolean {
  if (filter.quick.has('noHumanFeedback') && hasHumanFeedback(trace)) return false;
  if (filter.quick.has('failedJudge') && !hasFailedJudge(trace)) return false;
  return true;
}

export function needsLocalFiltering(filter: TraceFilter): boolean {
  return filter.quick.has('noHumanFeedback') || filter.quick.has('failedJudge');
}

/** A short description of the active filters, for the view's description line. */
export function describeFilter(filter: TraceFilter): string | undefined {
  const parts: string[] = [...filter.quick].map((q) => QUICK_FILTERS[q].label);
  if (filter.session !== undefined) parts.unshift(`Session ${sessionLabel(filter.session)}`);
  if (filter.text) parts.unshift(filter.text);
  return parts.length > 0 ? `Filtered: ${parts.join(' · ')}` : undefined;
}
