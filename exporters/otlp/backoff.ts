import type { RetrySettings } from './config';

/**
 * Exponential backoff as the Collector's exporterhelper does it (the
 * cenkalti/backoff algorithm it configures):
 *
 *   wait      = interval × a uniformly random factor in [1 - f, 1 + f]
 *   interval  = min(interval × multiplier, max_interval)   after each wait
 *
 * so with the defaults (5s, f = 0.5, × 1.5, max 30s) the waits are about
 * 2.5–7.5s, 3.75–11.25s, 5.6–16.9s, … up to 15–45s. max_interval caps the
 * interval before randomization, as in the Collector. Giving up after
 * max_elapsed_time is the caller's decision (it knows the clock).
 */
export class ExponentialBackoff {
  private interval: number;

  constructor(
    private readonly settings: Pick<RetrySettings, 'initialIntervalMs' | 'randomizationFactor' | 'multiplier' | 'maxIntervalMs'>,
    /** Uniform in [0, 1); injected by tests. */
    private readonly random: () => number = Math.random,
  ) {
    this.interval = settings.initialIntervalMs;
  }

  /** The interval the next wait is randomized around, before jitter. */
  get currentIntervalMs(): number {
    return this.interval;
  }

  reset(): void {
    this.interval = this.settings.initialIntervalMs;
  }

  /** The next wait in milliseconds; advances the interval. */
  nextDelayMs(): number {
    const delay = randomize(this.interval, this.settings.randomizationFactor, this.random());
    const { maxIntervalMs, multiplier } = this.settings;
    this.interval = this.interval >= maxIntervalMs / multiplier ? maxIntervalMs : this.interval * multiplier;
    return delay;
  }
}

/** `interval × (1 ± factor)`, `r` uniform in [0, 1) picking the point in that range; whole milliseconds. */
export function randomize(intervalMs: number, factor: number, r: number): number {
  const delta = factor * intervalMs;
  const min = intervalMs - delta;
  const max = intervalMs + delta;
  return Math.max(0, Math.round(min + r * (max - min)));
}
