/**
 * Options of `DominantDependencyStats`, the cross-trace aggregator behind the
 * `dominant_dependency` recommendation, with their defaults and range checks
 * in one place.
 */

export interface DominantDependencyOptions {
  /**
   * Length of the rolling window, in milliseconds. Data is kept in two
   * generations of `windowMs / 2` each, so `findings` always reads between
   * half a window and a whole window of requests.
   * @default 600000 (10 minutes)
   */
  readonly windowMs?: number;
  /**
   * Requests of an operation (its entry spans) in the window at least, before
   * its shares are trusted.
   * @default 20
   */
  readonly minTraces?: number;
  /**
   * Share of the operation's summed latency (0..1] its top dependency (or its
   * own code) must take at least.
   * @default 0.6
   */
  readonly minShare?: number;
  /**
   * Mean latency of the operation over the window, in milliseconds, at
   * least: a fast operation dominated by one call has nothing worth saving,
   * and every operation with no parallel work is dominated by something.
   * @default 100
   */
  readonly minMeanLatencyMs?: number;
  /**
   * Distinct (service, operation) pairs held; requests of further operations
   * are only counted until operations age out.
   * @default 1000
   */
  readonly maxOperations?: number;
  /**
   * Dependency keys held per operation (`self` included); the time of
   * further keys is summed under `other`.
   * @default 16
   */
  readonly maxDependenciesPerOperation?: number;
  /**
   * Example trace ids (the slowest requests) kept per operation and generation.
   * @default 5
   */
  readonly maxExampleTraceIds?: number;
}

/** `DominantDependencyOptions` with every default filled in and checked. */
export type ResolvedDominantDependencyOptions = Readonly<Required<DominantDependencyOptions>>;

export const DEFAULT_DOMINANT_DEPENDENCY_OPTIONS: ResolvedDominantDependencyOptions = Object.freeze({
  windowMs: 600_000,
  minTraces: 20,
  minShare: 0.6,
  minMeanLatencyMs: 100,
  maxOperations: 1000,
  maxDependenciesPerOperation: 16,
  maxExampleTraceIds: 5,
});

/** One day: a longer window is a typo. */
const MAX_WINDOW_MS = 86_400_000;
const MAX_OPERATIONS = 100_000;
/** Keys are scanned linearly on each new key; beyond a few hundred, a table would be needed. */
const MAX_DEPENDENCIES = 256;
const MAX_EXAMPLES = 100;
const MAX_COUNT = 1_000_000_000;
const MAX_LATENCY_MS = 3_600_000;

function integerIn(name: keyof DominantDependencyOptions, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`dominant dependency: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/**
 * Fills in the defaults and checks every value.
 * @throws RangeError naming the first option out of range.
 */
export function resolveDominantDependencyOptions(options: DominantDependencyOptions = {}): ResolvedDominantDependencyOptions {
  const d = DEFAULT_DOMINANT_DEPENDENCY_OPTIONS;
  const minShare = options.minShare ?? d.minShare;
  // Above 0 so that a finding always names a key that took some time; 1 means "all of it".
  if (!Number.isFinite(minShare) || minShare <= 0 || minShare > 1) {
    throw new RangeError(`dominant dependency: minShare must be in (0, 1], got ${minShare}`);
  }
  const minMeanLatencyMs = options.minMeanLatencyMs ?? d.minMeanLatencyMs;
  if (!Number.isFinite(minMeanLatencyMs) || minMeanLatencyMs < 0 || minMeanLatencyMs > MAX_LATENCY_MS) {
    throw new RangeError(`dominant dependency: minMeanLatencyMs must be a number of milliseconds in [0, ${MAX_LATENCY_MS}], got ${minMeanLatencyMs}`);
  }
  return Object.freeze({
    // At least 2 ms so that each generation lasts at least 1 ms.
    windowMs: integerIn('windowMs', options.windowMs ?? d.windowMs, 2, MAX_WINDOW_MS),
    minTraces: integerIn('minTraces', options.minTraces ?? d.minTraces, 1, MAX_COUNT),
    minShare,
    minMeanLatencyMs,
    maxOperations: integerIn('maxOperations', options.maxOperations ?? d.maxOperations, 1, MAX_OPERATIONS),
    maxDependenciesPerOperation: integerIn(
      'maxDependenciesPerOperation',
      options.maxDependenciesPerOperation ?? d.maxDependenciesPerOperation,
      1,
      MAX_DEPENDENCIES,
    ),
    maxExampleTraceIds: integerIn('maxExampleTraceIds', options.maxExampleTraceIds ?? d.maxExampleTraceIds, 1, MAX_EXAMPLES),
  });
}
