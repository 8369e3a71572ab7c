import { systemClock } from '../src/clock';
import type { Clock } from '../src/clock';
import { createStderrLogger } from '../src/logging/logger';
import type { Logger } from '../src/logging/logger';

/**
 * Options of `HotSpotProfiler` (hot-spot-profiler.ts). Every field is
 * optional; `resolveHotSpotProfilerOptions` is the one place the defaults are
 * filled in and the values checked (RangeError naming the first bad option).
 */

/** The trailing window the duty cycle is measured over. */
export const DUTY_CYCLE_WINDOW_MS = 3_600_000;

/**
 * What the profiler needs from an inspector session: `node:inspector`'s
 * in-process `Session`, reduced to what is used, with a promise `post`.
 */
export interface ProfilerSession {
  /** Sends one DevTools protocol command; resolves with its result, rejects with its error. */
  post(method: string, params?: Record<string, unknown>): Promise<unknown>;
  /** Ends the session; the inspector then disables the session's agents (the profiler's too). */
  disconnect(): void;
}

export interface HotSpotProfilerOptions {
  /**
   * Length of one capture, in milliseconds, 100 to 30 000. The stop runs on
   * the event loop, so a capture taken while the loop is blocked lasts until
   * the loop gets a turn (V8's sampler runs on its own thread: the samples of
   * the blocking code are taken all the same).
   * @default 2000
   */
  readonly durationMs?: number;
  /**
   * Least time between the starts of two captures, in milliseconds, 0 to
   * 86 400 000 (one day). Attempts that fail count as starts too, so a broken
   * inspector is not retried in a tight loop.
   * @default 300000 (5 minutes)
   */
  readonly minIntervalMs?: number;
  /**
   * Largest share of any trailing hour that captures may take, over 0 and at
   * most 0.25, and at least one capture's worth (`durationMs` / 1 h). With
   * the defaults that is 72 s per hour; `minIntervalMs` already keeps it to
   * about 12 captures of 2 s (~24 s) per hour, so the duty cycle binds only when
   * captures are longer or the interval shorter.
   * @default 0.02
   */
  readonly maxDutyCycle?: number;
  /**
   * V8's sampling interval, in microseconds, 100 to 100 000, with at least
   * 10 samples per capture. 1000 µs is Node's own default for `--cpu-prof`
   * (`--cpu-prof-interval`).
   * @default 1000
   */
  readonly samplingIntervalUs?: number;
  /**
   * How many functions a capture returns, 1 to 100.
   * @default 10
   */
  readonly topFunctions?: number;
  /** Time source of the rate limit and the duty cycle. @default systemClock */
  readonly clock?: Clock;
  /** Where the first failure of each kind is logged. @default a stderr logger at info */
  readonly logger?: Logger;
  /**
   * Opens a connected profiler session. Replaceable for tests and embedders;
   * it may throw or reject (counted as "inspector unavailable").
   * @default an in-process `node:inspector` Session, connected
   */
  readonly openSession?: () => Promise<ProfilerSession>;
}

export type ResolvedHotSpotProfilerOptions = Readonly<Required<Omit<HotSpotProfilerOptions, 'openSession'>>> & {
  /** Undefined: the default in-process session. */
  readonly openSession: (() => Promise<ProfilerSession>) | undefined;
};

export const DEFAULT_HOT_SPOT_DURATION_MS = 2000;
export const DEFAULT_HOT_SPOT_MIN_INTERVAL_MS = 300_000;
export const DEFAULT_HOT_SPOT_MAX_DUTY_CYCLE = 0.02;
export const DEFAULT_HOT_SPOT_SAMPLING_INTERVAL_US = 1000;
export const DEFAULT_HOT_SPOT_TOP_FUNCTIONS = 10;

const MAX_DUTY_CYCLE = 0.25;
const MIN_SAMPLES_PER_CAPTURE = 10;
const WHO = 'hot-spot profiler';

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${WHO}: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** @throws RangeError naming the first option out of range. */
export function resolveHotSpotProfilerOptions(options: HotSpotProfilerOptions = {}): ResolvedHotSpotProfilerOptions {
  const durationMs = integerIn('durationMs', options.durationMs ?? DEFAULT_HOT_SPOT_DURATION_MS, 100, 30_000);
  const minIntervalMs = integerIn('minIntervalMs', options.minIntervalMs ?? DEFAULT_HOT_SPOT_MIN_INTERVAL_MS, 0, 86_400_000);
  const maxDutyCycle = options.maxDutyCycle ?? DEFAULT_HOT_SPOT_MAX_DUTY_CYCLE;
  if (!Number.isFinite(maxDutyCycle) || maxDutyCycle <= 0 || maxDutyCycle > MAX_DUTY_CYCLE) {
    throw new RangeError(`${WHO}: maxDutyCycle must be a number in (0, ${MAX_DUTY_CYCLE}], got ${maxDutyCycle}`);
  }
  // A budget smaller than one capture would silently never profile.
  if (maxDutyCycle * DUTY_CYCLE_WINDOW_MS < durationMs) {
    throw new RangeError(
      `${WHO}: maxDutyCycle ${maxDutyCycle} allows ${maxDutyCycle * DUTY_CYCLE_WINDOW_MS} ms per hour, less than one capture of durationMs ${durationMs}`,
    );
  }
  const samplingIntervalUs = integerIn(
    'samplingIntervalUs',
    options.samplingIntervalUs ?? DEFAULT_HOT_SPOT_SAMPLING_INTERVAL_US,
    100,
    Math.min(100_000, Math.floor((durationMs * 1000) / MIN_SAMPLES_PER_CAPTURE)),
  );
  return Object.freeze({
    durationMs,
    minIntervalMs,
    maxDutyCycle,
    samplingIntervalUs,
    topFunctions: integerIn('topFunctions', options.topFunctions ?? DEFAULT_HOT_SPOT_TOP_FUNCTIONS, 1, 100),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? createStderrLogger(),
    openSession: options.openSession,
  });
}
