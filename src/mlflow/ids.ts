/**
 * Branded ids: a trace id, an experiment id and an assessment id are all strings on the wire, but
 * passing one where another belongs is a bug the compiler can catch. Values that come from the
 * server are branded where they are converted (convert.ts); text from elsewhere (a command's
 * argument, a webview message, a setting) is branded by these functions at the boundary.
 * A branded id is still a string, so it goes wherever a plain string does.
 */
declare const brand: unique symbol;
type Branded<T extends string> = string & { readonly [brand]: T };

export type TraceId = Branded<'TraceId'>;
export type ExperimentId = Branded<'ExperimentId'>;
export type AssessmentId = Branded<'AssessmentId'>;

export const asTraceId = (id: string): TraceId => id as TraceId;
export const asExperimentId = (id: string): ExperimentId => id as ExperimentId;
export const asAssessmentId = (id: string): AssessmentId => id as AssessmentId;

const MADE_UP_ID_PREFIX = '(unreadable ';

/**
 * The id given to a record whose own id could not be read (convert.ts, spans.ts): shown so the
 * record can be told apart, but no server knows it: nothing offers to edit or override it.
 */
export function madeUpId(what: string): string {
  return `${MADE_UP_ID_PREFIX}${what})`;
}

export function isMadeUpId(id: string): boolean {
  return id.startsWith(MADE_UP_ID_PREFIX);
}

/** Assessments name spans by 16 lowercase hex characters (as Span.spanId gives them). */
export function isSpanId(spanId: string): boolean {
  return /^[0-9a-f]{16}$/.test(spanId);
}

/**
 * Why `id` cannot be one segment of a request's path, or undefined when it can. URL parsing
 * removes `.` and `..` segments (a trace id `..` would address another route) and `/ \ ? #`
 * split or end a path, so these are refused, also when percent-encoded (`%2e%2e`). The ids a
 * tracking server gives (`tr-…`, `a-…`) have none of them.
 */
export function idProblem(id: string): string | undefined {
  if (id.trim() === '') return 'is empty';
  const decoded = percentDecoded(id);
  if (decoded === '.' || decoded === '..')
    return 'is a dot segment, which would address another route';
  if (/[/\\?#]/.test(decoded)) return 'contains "/", "\\", "?" or "#"';
  return undefined;
}

/** Decoded until nothing changes (`%252e` is `%2e` is `.`); a malformed escape stays as it is. */
function percentDecoded(text: string): string {
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(text);
    } catch {
      return text;
    }
    if (next === text) return text;
    text = next;
  }
  return text;
}
