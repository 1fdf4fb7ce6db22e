/** Numbers from settings.json made safe to use. Pure: tested without VS Code. */

/**
 * A whole number within bounds, whatever was typed in settings.json (a fraction, a string, a
 * huge number): undici refuses fractional timeouts, and a tiny interval would poll back to back.
 */
export function whole(value: unknown, fallback: number, min: number, max: number): number {
  const number = typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : fallback;
  return Math.min(max, Math.max(min, number));
}

/** 0 (or less) turns polling off; otherwise every 2 s at the most, every hour at the least. */
export function refreshSeconds(value: unknown): number {
  if (typeof value === 'number' && value <= 0) return 0;
  return whole(value, 10, 2, 3600);
}
