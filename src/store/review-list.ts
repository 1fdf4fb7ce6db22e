/**
 * A fixed list of traces to review in order (the traces of a run of the app): "Submit and Next"
 * goes through exactly these, newest first, instead of the experiment's next unrated trace.
 */
import type { TraceId, TraceInfo } from '../mlflow';
import { hasHumanFeedback } from './assessment-rules';

export class ReviewList {
  constructor(readonly traceIds: readonly TraceId[]) {}

  has(traceId: TraceId): boolean {
    return this.traceIds.includes(traceId);
  }

  /**
   * The next trace of the list after `current` that no person has rated, wrapping round to the
   * ones before it; undefined when all are rated. `get` reads each trace's current assessments.
   */
  async next(
    current: TraceId,
    get: (id: TraceId) => Promise<TraceInfo>,
  ): Promise<TraceInfo | undefined> {
    for (const id of after(this.traceIds, current)) {
      const trace = await get(id);
      if (!hasHumanFeedback(trace)) return trace;
    }
    return undefined;
  }
}

/** The ids after `current`, then those before it (never `current` itself). */
export function after(ids: readonly TraceId[], current: TraceId): TraceId[] {
  const at = ids.indexOf(current);
  if (at < 0) return [...ids];
  return [...ids.slice(at + 1), ...ids.slice(0, at)];
}
