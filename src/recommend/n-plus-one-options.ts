import { DEFAULT_SQL_MAX_LENGTH } from './sql-normalizer';

/**
 * Thresholds of the N+1 analyzers (`n_plus_one_db`, `n_plus_one_http`). Every
 * field is optional; `resolveNPlusOneOptions` is the one place the defaults
 * are filled in and the values checked. The defaults are Sentry's N+1 Queries
 * detector's (Sentry documentation, "N+1 Queries" performance issue): more
 * than five repeated spans, more than 50 ms in total.
 */
export interface NPlusOneOptions {
  /**
   * A run is reported only when it holds MORE than this many calls.
   * @default 5
   */
  readonly minCount?: number;
  /**
   * A run is reported only when its calls' durations add up to MORE than this, in milliseconds.
   * @default 50
   */
  readonly minTotalMs?: number;
  /**
   * How much a call may start before the previous repeat ended and still
   * count as sequential, in milliseconds. Absorbs clock rounding and the
   * instrumentation ending a span a little after the next one started
   * (microsecond-resolution timestamps, `end()` called after the callback
   * that issued the next query). Larger overlaps mean concurrent calls,
   * which are not N+1.
   * @default 1
   */
  readonly overlapToleranceMs?: number;
  /**
   * Longest statement read by the SQL normaliser, in UTF-16 code units;
   * statements cut there are skipped (their tails could differ).
   * @default 4096
   */
  readonly maxStatementLength?: number;
  /**
   * Span ids of the run's first calls given as examples in the evidence.
   * @default 3
   */
  readonly maxExampleSpanIds?: number;
}

/** `NPlusOneOptions` with every default filled in and checked. */
export type ResolvedNPlusOneOptions = Readonly<Required<NPlusOneOptions>>;

export const DEFAULT_N_PLUS_ONE_OPTIONS: ResolvedNPlusOneOptions = Object.freeze({
  minCount: 5,
  minTotalMs: 50,
  overlapToleranceMs: 1,
  maxStatementLength: DEFAULT_SQL_MAX_LENGTH,
  maxExampleSpanIds: 3,
});

const MAX_COUNT = 1_000_000;
const MAX_MS = 3_600_000;
const MAX_STATEMENT_LENGTH = 1_048_576;
const MAX_EXAMPLES = 100;

function integerIn(name: keyof NPlusOneOptions, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`n+1 analyzer: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

function millisecondsIn(name: keyof NPlusOneOptions, value: number, max: number): number {
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new RangeError(`n+1 analyzer: ${name} must be a number of milliseconds in [0, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Fills in the defaults and checks every value.
 * @throws RangeError naming the first option out of range.
 */
export function resolveNPlusOneOptions(options: NPlusOneOptions = {}): ResolvedNPlusOneOptions {
  const d = DEFAULT_N_PLUS_ONE_OPTIONS;
  return Object.freeze({
    minCount: integerIn('minCount', options.minCount ?? d.minCount, 1, MAX_COUNT),
    minTotalMs: millisecondsIn('minTotalMs', options.minTotalMs ?? d.minTotalMs, MAX_MS),
    overlapToleranceMs: millisecondsIn('overlapToleranceMs', options.overlapToleranceMs ?? d.overlapToleranceMs, 1_000),
    maxStatementLength: integerIn('maxStatementLength', options.maxStatementLength ?? d.maxStatementLength, 16, MAX_STATEMENT_LENGTH),
    maxExampleSpanIds: integerIn('maxExampleSpanIds', options.maxExampleSpanIds ?? d.maxExampleSpanIds, 0, MAX_EXAMPLES),
  });
}
