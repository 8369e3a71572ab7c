/**
 * Duration strings as the config file writes them: Go's `time.ParseDuration`
 * syntax (what the OpenTelemetry Collector's config uses), restricted to the
 * units that make sense for SLOs, plus `d` (24h) and `w` (7d) because SLO
 * periods are counted in days.
 *
 *   300ms  10s  5m  1h30m  1.5h  30d  2w  0
 *
 * Go's `ns`/`us` are not accepted: everything here is whole milliseconds.
 */

const UNIT_MS: Readonly<Record<string, bigint>> = {
  ms: 1n,
  s: 1_000n,
  m: 60_000n,
  h: 3_600_000n,
  d: 86_400_000n,
  w: 604_800_000n,
};

export const DURATION_EXAMPLES = '300ms, 10s, 5m, 1h30m, 30d or 2w';

const SYNTAX_HINT = `use a number followed by a unit (ms, s, m, h, d, w), e.g. ${DURATION_EXAMPLES}`;

/** One `<number><unit>` term; the whole text must be a run of these. */
const TERM = /(\d+)(?:\.(\d+))?(ms|s|m|h|d|w)/y;

export type DurationParseResult =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly reason: string };

/** Parses without throwing; `reason` is a sentence fragment fit for "…: <reason>". */
export function tryParseDuration(text: string): DurationParseResult {
  if (text === '0') return { ok: true, ms: 0 };
  if (text.length === 0) return { ok: false, reason: `empty; ${SYNTAX_HINT}` };
  if (text.startsWith('-')) return { ok: false, reason: 'durations cannot be negative' };

  let totalMs = 0n;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < text.length) {
    const start = TERM.lastIndex;
    const match = TERM.exec(text);
    if (match === null) return { ok: false, reason: `${describeUnreadable(text.slice(start))}; ${SYNTAX_HINT}` };
    const [, whole = '0', fraction = '', unit = ''] = match;
    const unitMs = UNIT_MS[unit] ?? 0n;
    // Exact decimal arithmetic: 0.1h must be 360000 ms, not 360000.00000000006.
    const scale = 10n ** BigInt(fraction.length);
    const scaled = BigInt(whole + fraction) * unitMs;
    if (scaled % scale !== 0n) return { ok: false, reason: `"${match[0]}" is not a whole number of milliseconds` };
    totalMs += scaled / scale;
  }
  if (totalMs > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'duration is too long' };
  return { ok: true, ms: Number(totalMs) };
}

/** Why the rest of a duration cannot be read, as precisely as we can tell. */
function describeUnreadable(rest: string): string {
  const [, number, unit = ''] = /^(\d+(?:\.\d+)?)?(\D*)/.exec(rest) ?? [];
  if (number === undefined) return `cannot read "${rest}"`;
  if (unit === '') return `"${number}" has no unit`;
  if (/\s/.test(unit)) return 'spaces are not allowed';
  return `unknown unit "${unit}"`;
}

export class InvalidDurationError extends Error {
  override readonly name = 'InvalidDurationError';
}

/** Duration in milliseconds; throws InvalidDurationError naming the text and why. */
export function parseDuration(text: string): number {
  const result = tryParseDuration(text);
  if (!result.ok) throw new InvalidDurationError(`invalid duration "${text}": ${result.reason}`);
  return result.ms;
}

const FORMAT_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** The shortest text parseDuration reads back as `ms`, largest units first: 5400000 → "1h30m". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let text = '';
  for (const [unit, size] of FORMAT_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
