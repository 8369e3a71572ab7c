import type { Clock } from '../../src/clock';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import type { RecommendEngine } from '../../src/recommend/recommend-engine';
import type { RecommendationChange } from '../../src/recommend/recommendation-store';
import { describeChange } from './create-recommend-engine';

/**
 * Spans analysed per slice (whole traces, at least one). A span costs about
 * 5 µs of analysis (bench:processors), so a slice holds the event loop for
 * about 10 ms, and the application's requests (agent) or the receivers
 * (gateway) get a turn between slices.
 */
export const SPANS_PER_SLICE = 2000;

/**
 * The recommend processor's evaluation: on each tick of an unref'd timer it
 * decides the due traces, analyses the traces queued at that moment in
 * slices (SPANS_PER_SLICE per turn of the event loop, via setImmediate), then
 * updates the recommendations and hands the changes on, after logging one
 * line each. Traces queued meanwhile wait for the next tick, so every tick
 * ends with an update even when traces arrive faster than they are
 * analysed (the engine's queue then drops the oldest, counted). A tick that
 * finds the previous one still slicing does nothing.
 * Failures are counted and the first one logged; the loop never stops.
 */
export class RecommendLoop {
  private timer: NodeJS.Timeout | undefined;
  private slicing = false;
  /** Traces the current tick still has to analyse. */
  private budget = 0;
  private readonly failures: FailureCounter;

  constructor(
    private readonly engine: RecommendEngine,
    private readonly clock: Clock,
    intervalMs: number,
    private readonly logger: Logger,
    private readonly onChanges: (changes: readonly RecommendationChange[], nowMs: number) => void,
  ) {
    this.failures = new FailureCounter(logger, 'recommendation evaluation');
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  /** Runs a whole evaluation now, synchronously (shutdown, tests). */
  runNow(): void {
    this.guard(() => {
      const now = this.clock.now();
      this.engine.decideDue(now);
      this.engine.analyzePending(now, Number.POSITIVE_INFINITY);
      this.publish(this.engine.update(now), now);
    });
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    if (this.slicing) return;
    this.guard(() => {
      this.engine.decideDue(this.clock.now());
      this.budget = this.engine.pendingTraces;
      this.slicing = true;
      this.slice();
    });
  }

  private slice(): void {
    let more = false;
    this.guard(() => {
      const now = this.clock.now();
      if (this.timer === undefined) return; // stopped meanwhile: the last runNow has analysed and published
      const before = this.engine.pendingTraces;
      const left = this.engine.analyzePending(now, this.budget, SPANS_PER_SLICE);
      this.budget -= before - left;
      more = this.budget > 0 && left > 0;
      if (!more) this.publish(this.engine.update(now), now);
    });
    if (more) setImmediate(() => this.slice());
    else this.slicing = false;
  }

  private publish(changes: readonly RecommendationChange[], now: number): void {
    if (changes.length === 0) return;
    for (const change of changes) this.logger.info(describeChange(change));
    this.onChanges(changes, now);
  }

  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.failures.record(error);
    }
  }
}
