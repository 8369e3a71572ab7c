/**
 * Options of `DependencyStats`, the cross-trace aggregator behind the
 * `slow_db_statement` and `error_prone_dependency` recommendations, with
 * their defaults and range checks in one place.
 */

export interface DependencyStatsOptions {
  /**
   * Length of the rolling window, in milliseconds. Data is kept in two
   * generations of `windowMs / 2` each, so the evaluators always read between
   * half a window and a whole window of calls.
   * @default 900000 (15 minutes)
   */
  readonly windowMs?: number;
  /**
   * Distinct keys held per table (statements, dependencies); calls to further
   * keys are counted under `__overflow__` until keys age out.
   * @default 1000
   */
  readonly maxKeys?: number;
  /**
   * Example trace ids kept per key and generation (slowest spans for
   * statements, most recent failures for dependencies).
   * @default 5
   */
  readonly maxExampleTraceIds?: number;
  /**
   * `slow_db_statement`: p95 over the window, in milliseconds, above which a
   * statement is slow.
   * @default 100
   */
  readonly slowStatementP95Ms?: number;
  /**
   * `slow_db_statement`: executions in the window at least.
   * @default 20
   */
  readonly minSamples?: number;
  /**
   * `error_prone_dependency`: failed calls over calls above which a
   * dependency is error-prone.
   * @default 0.05
   */
  readonly maxErrorRatio?: number;
  /**
   * `error_prone_dependency`: calls in the window at least.
   * @default 50
   */
  readonly minCalls?: number;
}

/** `DependencyStatsOptions` with every default filled in and checked. */
export type ResolvedDependencyStatsOptions = Readonly<Required<DependencyStatsOptions>>;

export const DEFAULT_DEPENDENCY_STATS_OPTIONS: ResolvedDependencyStatsOptions = Object.freeze({
  windowMs: 900_000,
  maxKeys: 1000,
  maxExampleTraceIds: 5,
  slowStatementP95Ms: 100,
  minSamples: 20,
  maxErrorRatio: 0.05,
  minCalls: 50,
});

/** One day: a longer window is a typo, and a week of sketches per key is not what "recent" means. */
const MAX_WINDOW_MS = 86_400_000;
const MAX_KEYS = 100_000;
const MAX_EXAMPLES = 100;
const MAX_COUNT = 1_000_000_000;
const MAX_THRESHOLD_MS = 3_600_000;

function integerIn(name: keyof DependencyStatsOptions, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`dependency stats: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Fills in the defaults and checks every value.
 * @throws RangeError naming the first option out of range.
 */
export function resolveDependencyStatsOptions(options: DependencyStatsOptions = {}): ResolvedDependencyStatsOptions {
  const d = DEFAULT_DEPENDENCY_STATS_OPTIONS;
  const slowStatementP95Ms = options.slowStatementP95Ms ?? d.slowStatementP95Ms;
  if (!Number.isFinite(slowStatementP95Ms) || slowStatementP95Ms < 0 || slowStatementP95Ms > MAX_THRESHOLD_MS) {
    throw new RangeError(`dependency stats: slowStatementP95Ms must be in [0, ${MAX_THRESHOLD_MS}], got ${slowStatementP95Ms}`);
  }
  const maxErrorRatio = options.maxErrorRatio ?? d.maxErrorRatio;
  if (!Number.isFinite(maxErrorRatio) || maxErrorRatio < 0 || maxErrorRatio >= 1) {
    throw new RangeError(`dependency stats: maxErrorRatio must be in [0, 1), got ${maxErrorRatio}`);
  }
  return Object.freeze({
    // At least 2 ms so that each generation lasts at least 1 ms.
    windowMs: integerIn('windowMs', options.windowMs ?? d.windowMs, 2, MAX_WINDOW_MS),
    maxKeys: integerIn('maxKeys', options.maxKeys ?? d.maxKeys, 1, MAX_KEYS),
    maxExampleTraceIds: integerIn('maxExampleTraceIds', options.maxExampleTraceIds ?? d.maxExampleTraceIds, 1, MAX_EXAMPLES),
    slowStatementP95Ms,
    minSamples: integerIn('minSamples', options.minSamples ?? d.minSamples, 1, MAX_COUNT),
    maxErrorRatio,
    minCalls: integerIn('minCalls', options.minCalls ?? d.minCalls, 1, MAX_COUNT),
  });
}
