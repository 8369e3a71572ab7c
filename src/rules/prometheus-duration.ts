/**
 * Durations as Prometheus range selectors and Sloth's `sloth_window` label
 * write them: the largest unit among w, d, h, m, s, ms that divides the
 * duration exactly, so 24h is `1d`, 72h `3d`, 28d `4w`, 7d `1w` and 30d
 * stays `30d` (as in Sloth's generated rules). Years are never used: a year
 * is not a whole number of days in PromQL's sense of 365d vs. calendars.
 */

const UNITS: readonly (readonly [string, number])[] = [
  ['w', 7 * 24 * 3_600_000],
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** `ms` must be a positive whole number of milliseconds. */
export function formatPrometheusDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms <= 0) throw new RangeError(`not a positive whole number of milliseconds: ${ms}`);
  for (const [unit, size] of UNITS) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  /* c8 ignore next: the ms unit divides every integer */
  return `${ms}ms`;
}
