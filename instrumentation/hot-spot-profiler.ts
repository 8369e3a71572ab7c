import { topSelfTimeFunctions } from '../src/recommend/cpu-profile';
import type { CpuProfile } from '../src/recommend/cpu-profile';
import type { HotFunction } from '../src/recommend/recommendation';
import type * as NodeInspector from 'node:inspector';
import { FailureCounter } from '../src/logging/logger';
import { DUTY_CYCLE_WINDOW_MS, resolveHotSpotProfilerOptions } from './hot-spot-profiler-options';
import type { HotSpotProfilerOptions, ProfilerSession, ResolvedHotSpotProfilerOptions } from './hot-spot-profiler-options';

/**
 * Hot-spot profiling for the agent (issue 5, scope item 3): when
 * `event_loop_blocking` or a latency anomaly opens, the agent captures a
 * short CPU profile of its own process and attaches the functions with the
 * most self time to the recommendation's evidence.
 *
 * How: an in-process `node:inspector` Session drives V8's CPU profiler
 * (`Profiler.enable`, `Profiler.setSamplingInterval`, `Profiler.start`, then
 * `Profiler.stop` after `durationMs`) and the profile is ranked by
 * `topSelfTimeFunctions`. V8's sampler runs on its own thread, so the samples
 * of code that blocks the event loop are taken while it blocks; only the stop
 * waits for the loop to get a turn. The stop timer is unref'd: a capture
 * never keeps the process alive.
 *
 * An in-process session is separate from a debugger's (`--inspect`): the
 * inspector serves several sessions at once, each with its own profiler
 * agent, so a capture neither needs nor disturbs an attached DevTools. Any
 * error of the inspector is still caught: `capture` never rejects.
 *
 * Overhead bounds, all enforced here: one capture at a time; starts at least
 * `minIntervalMs` apart; captures take at most `maxDutyCycle` of any trailing
 * hour (checked at admission for the hour ending at the new capture's planned
 * end, which bounds every trailing hour, see `withinDutyCycle`).
 *
 * Memory: the duty-cycle history holds only captures that ran the profiler,
 * each charged at least `durationMs`, and those ending within the last hour:
 * at most min(1 h / max(minIntervalMs, durationMs), maxDutyCycle × 1 h /
 * durationMs) + 1 entries of ~50 bytes (13 with the defaults, 9 001 at the
 * extreme 0.25 duty cycle and 100 ms captures, ~450 KB). One profile (V8's
 * tree for `durationMs` of samples, typically tens to hundreds of KB) lives
 * only until it has been ranked.
 */

/** Counters since the profiler was created. */
export interface HotSpotProfilerStats {
  /** Captures that produced a ranking. */
  readonly captures: number;
  /** Refused because the last start was less than `minIntervalMs` ago, or the duty cycle was used up. */
  readonly skippedRateLimited: number;
  /** Refused because a capture was already running. */
  readonly skippedBusy: number;
  /** Attempts that failed: inspector unavailable, a protocol command failed, a malformed profile. */
  readonly failures: number;
}

/** A capture that ran the profiler, for the duty cycle: [startMs, endMs) on the injected clock. */
interface CaptureSpan {
  readonly startMs: number;
  readonly endMs: number;
}

/** The capture in progress; `shutdown` aborts it. */
interface ActiveCapture {
  aborted: boolean;
  session: ProfilerSession | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Ends the wait for `durationMs` early (set while waiting). */
  endWait: (() => void) | undefined;
  /** Resolves when the capture has cleaned up (session disconnected). */
  readonly settled: Promise<void>;
}

type InspectorModule = typeof NodeInspector;

function hasProfileNodes(value: unknown): value is { profile: CpuProfile } {
  if (typeof value !== 'object' || value === null) return false;
  const profile = (value as { profile?: unknown }).profile;
  return typeof profile === 'object' && profile !== null && Array.isArray((profile as { nodes?: unknown }).nodes);
}

export class HotSpotProfiler {
  private readonly options: ResolvedHotSpotProfilerOptions;
  private readonly history: CaptureSpan[] = [];
  private lastStartMs: number | undefined;
  private active: ActiveCapture | undefined;
  private closed = false;
  private captureCount = 0;
  private rateLimitedCount = 0;
  private busyCount = 0;
  private debuggerNoted = false;
  private readonly unavailableFailures: FailureCounter;
  private readonly protocolFailures: FailureCounter;
  private readonly profileFailures: FailureCounter;

  /** @throws RangeError naming the first option out of range. */
  constructor(options: HotSpotProfilerOptions = {}) {
    this.options = resolveHotSpotProfilerOptions(options);
    const logger = this.options.logger;
    this.unavailableFailures = new FailureCounter(logger, 'hot-spot profiler: opening an inspector session');
    this.protocolFailures = new FailureCounter(logger, 'hot-spot profiler: a CPU profiler command');
    this.profileFailures = new FailureCounter(logger, 'hot-spot profiler: reading the CPU profile');
  }

  /**
   * Captures a CPU profile for `durationMs` and ranks its functions by self
   * time (at most `topFunctions`, highest first). Resolves undefined, and
   * never rejects, when refused (shut down, a capture already running, rate
   * limit or duty cycle) or when the inspector fails.
   * @param reason why, for the debug log line (`event_loop_blocking`, …)
   */
  async capture(reason: string): Promise<HotFunction[] | undefined> {
    if (this.closed) return undefined;
    if (this.active !== undefined) {
      this.busyCount++;
      return undefined;
    }
    const startMs = this.options.clock.now();
    const tooSoon = this.lastStartMs !== undefined && startMs - this.lastStartMs < this.options.minIntervalMs;
    if (tooSoon || !this.withinDutyCycle(startMs)) {
      this.rateLimitedCount++;
      return undefined;
    }
    this.lastStartMs = startMs;
    let settle!: () => void;
    const active: ActiveCapture = {
      aborted: false,
      session: undefined,
      timer: undefined,
      endWait: undefined,
      settled: new Promise<void>((resolve) => (settle = resolve)),
    };
    this.active = active;
    this.options.logger.debug(`hot-spot profiler: capturing ${this.options.durationMs} ms of CPU profile (${reason})`);
    try {
      return await this.run(active, startMs);
    } finally {
      this.active = undefined;
      settle();
    }
  }

  /** Counters since creation. */
  stats(): HotSpotProfilerStats {
    return {
      captures: this.captureCount,
      skippedRateLimited: this.rateLimitedCount,
      skippedBusy: this.busyCount,
      failures: this.unavailableFailures.failures + this.protocolFailures.failures + this.profileFailures.failures,
    };
  }

  /**
   * Stops a capture in progress (its `capture` resolves undefined), waits for
   * its session to be disconnected, and refuses every later capture.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    const active = this.active;
    if (active === undefined) return;
    active.aborted = true;
    if (active.timer !== undefined) clearTimeout(active.timer);
    active.endWait?.();
    await active.settled;
  }

  /**
   * Whether a capture starting at `startMs` keeps the duty cycle: the
   * captured time in the hour ending at its planned end, itself included,
   * stays within `maxDutyCycle` of the hour. Checking that one window at each
   * admission bounds EVERY trailing hour, because captures never overlap:
   * a window ending later than the new capture's end only loses older
   * captured time, and one ending inside the new capture loses at least as
   * much of it as it can gain of older captures at its start.
   */
  private withinDutyCycle(startMs: number): boolean {
    const { durationMs, maxDutyCycle } = this.options;
    const windowEndMs = startMs + durationMs;
    const windowStartMs = windowEndMs - DUTY_CYCLE_WINDOW_MS;
    let kept = 0;
    let usedMs = 0;
    for (const span of this.history) {
      if (span.endMs <= windowStartMs) continue; // out of every future window too (time only moves on)
      this.history[kept++] = span;
      usedMs += Math.max(0, Math.min(span.endMs, windowEndMs) - Math.max(span.startMs, windowStartMs));
    }
    this.history.length = kept;
    return usedMs + durationMs <= maxDutyCycle * DUTY_CYCLE_WINDOW_MS;
  }

  private async run(active: ActiveCapture, startMs: number): Promise<HotFunction[] | undefined> {
    let session: ProfilerSession;
    try {
      session = await (this.options.openSession ?? (() => this.openInspectorSession()))();
    } catch (error) {
      this.unavailableFailures.record(error);
      return undefined;
    }
    active.session = session;
    let profilerStarted = false;
    let result: unknown;
    try {
      if (active.aborted) return undefined;
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: this.options.samplingIntervalUs });
      if (active.aborted) return undefined;
      await session.post('Profiler.start');
      profilerStarted = true;
      await this.waitForDuration(active);
      // Aborted: the disconnect below stops the profiler; the profile is not wanted.
      if (active.aborted) return undefined;
      result = await session.post('Profiler.stop');
    } catch (error) {
      if (!active.aborted) this.protocolFailures.record(error);
      return undefined;
    } finally {
      try {
        session.disconnect();
      } catch {
        // Already disconnected (the inspector closed it): nothing left to release.
      }
      if (profilerStarted) {
        // Charged at least the planned length, so a clock that did not move
        // (or moved less) still uses up the duty cycle.
        this.history.push({ startMs, endMs: Math.max(startMs + this.options.durationMs, this.options.clock.now()) });
      }
    }
    if (!hasProfileNodes(result)) {
      this.profileFailures.record(new Error('Profiler.stop returned no profile'));
      return undefined;
    }
    try {
      const hot = topSelfTimeFunctions(result.profile, this.options.topFunctions);
      this.captureCount++;
      const top = hot[0];
      if (top !== undefined) {
        this.options.logger.debug(
          `hot-spot profiler: top self time ${top.function} (${top.file}:${top.line}) ${(top.selfShare * 100).toFixed(1)} %`,
        );
      }
      return hot;
    } catch (error) {
      this.profileFailures.record(error);
      return undefined;
    }
  }

  /** Resolves after `durationMs` (unref'd timer) or when `shutdown` ends the wait. */
  private waitForDuration(active: ActiveCapture): Promise<void> {
    return new Promise<void>((resolve) => {
      if (active.aborted) {
        resolve();
        return;
      }
      active.endWait = resolve;
      active.timer = setTimeout(resolve, this.options.durationMs);
      active.timer.unref();
    });
  }

  /** The default session: in-process, loaded lazily so a Node built without the inspector only fails here. */
  private async openInspectorSession(): Promise<ProfilerSession> {
    const inspector: InspectorModule = await import('node:inspector');
    if (!this.debuggerNoted && inspector.url() !== undefined) {
      this.debuggerNoted = true;
      this.options.logger.debug(`hot-spot profiler: a debugger listens at ${inspector.url()}; profiling in a separate in-process session`);
    }
    const session = new inspector.Session();
    session.connect();
    return {
      post: (method, params) =>
        new Promise<unknown>((resolve, reject) => {
          session.post(method, params ?? {}, (error: Error | null, value?: object) => {
            if (error !== null) reject(error);
            else resolve(value);
          });
        }),
      disconnect: () => session.disconnect(),
    };
  }
}
