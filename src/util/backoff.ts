/**
 * Growing waits between attempts: `firstMs`, then doubling up to `maxMs`, each with up to a
 * quarter of jitter (so that windows sharing a server do not ask in step). `reset` after a
 * success starts again from the first.
 */
export class Backoff {
  private attempts = 0;

  constructor(
    private readonly firstMs: number,
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const base = Math.min(this.maxMs, this.firstMs * 2 ** this.attempts);
    this.attempts++;
    return Math.round(base * (0.75 + this.random() * 0.25));
  }

  reset(): void {
    this.attempts = 0;
  }
}
