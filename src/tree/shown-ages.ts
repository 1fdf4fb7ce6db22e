/**
 * Rows say how old things are ("3 min ago"). VS Code keeps a row as it was drawn, so the ages
 * would stop at the moment each row was drawn. This remembers the age text each row was drawn
 * with, so that a periodic tick redraws only the rows whose text has changed since: few rows
 * for recent traces, none for old ones, whatever the number loaded.
 */
import { formatAge } from '../shared/format';

export class ShownAges<Row> {
  private readonly shown = new Map<Row, { time: string; text: string }>();

  /** A row was drawn with the age of `time`, as it read at `now`. */
  note(row: Row, time: string, now: number): void {
    this.shown.set(row, { time, text: formatAge(time, now) });
  }

  /**
   * The rows whose age reads differently at `now`, noted as redrawn. Rows no longer in the tree
   * (`isShown` false) are forgotten.
   */
  stale(now: number, isShown: (row: Row) => boolean): Row[] {
    const changed: Row[] = [];
    for (const [row, { time, text }] of this.shown) {
      if (!isShown(row)) {
        this.shown.delete(row);
        continue;
      }
      const current = formatAge(time, now);
      if (current !== text) {
        changed.push(row);
        this.shown.set(row, { time, text: current });
      }
    }
    return changed;
  }

  /** Everything is drawn again (a refresh of the whole tree). */
  clear(): void {
    this.shown.clear();
  }
}
