import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';

/**
 * Runs one piece of engine work on a fixed interval (the SLO and regression
 * evaluations, the baseline's roll-up), so that it happens between spans and
 * scrapes too. The engines read their injected clock; the timer only says
 * when to look. It is unref'd: it never keeps a process alive on its own. A
 * failing tick never stops the loop: failures are counted and the first one
 * is logged.
 */
export class IntervalLoop {
  private timer: NodeJS.Timeout | undefined;
  private readonly failures: FailureCounter;

  /**
   * Starts the timer at once.
   * @param work what each tick runs, e.g. `() => engine.evaluate()`
   * @param what names the work in the one failure line (`SLO evaluation`)
   */
  constructor(
    private readonly work: () => void,
    intervalMs: number,
    logger: Logger,
    what: string,
  ) {
    this.failures = new FailureCounter(logger, what);
    this.timer = setInterval(() => this.runNow(), intervalMs);
    this.timer.unref();
  }

  /** Runs the work now instead of waiting for the next tick. */
  runNow(): void {
    try {
      this.work();
    } catch (error) {
      this.failures.record(error);
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
