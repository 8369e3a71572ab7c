/**
 * Number formats for alert annotations: short, unambiguous, and the same in
 * every sink (Alertmanager, JSON webhooks, Slack text).
 */

/** `14.4×`, `0.95×`: two significant decimals at most, no trailing zeros. */
export function formatFactor(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞×' : 'n/a';
  return `${trimZeros(value.toFixed(value >= 100 ? 0 : 2))}×`;
}

/** A ratio as a percentage: 0.975 → `97.5%`, -0.2 → `-20%` (overspent budgets are negative). */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'n/a';
  return `${trimZeros((ratio * 100).toFixed(2))}%`;
}

/**
 * A duration in its two largest units: `2d 3h`, `45m`, `1h 5m`, `30s`.
 * Durations under a second read `now`; an infinite one `never`.
 */
export function formatDurationSeconds(seconds: number): string {
  if (Number.isNaN(seconds)) return 'n/a';
  if (seconds === Infinity) return 'never';
  if (seconds < 1) return 'now';
  const units: readonly [string, number][] = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = Math.floor(seconds);
  for (const [suffix, size] of units) {
    if (parts.length === 2) break;
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0) parts.push(`${count}${suffix}`);
    else if (parts.length > 0) break; // `1d 0h` reads better as `1d`
  }
  return parts.join(' ');
}

/** A value with its unit, as the anomaly evidence shows it: `412 ms`, `0.0312`, `85.2 spans/s`. */
export function formatSignalValue(value: number | null | undefined, unit: 'ms' | 'ratio' | 'spans/s'): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'none';
  const digits = unit === 'ratio' ? 4 : Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit === 'ratio' ? '' : ` ${unit}`}`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
