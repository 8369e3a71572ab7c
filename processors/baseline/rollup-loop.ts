import type { BaselineEngine } from '../../src/engine/baseline-engine';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';

/** How often the loop looks whether an interval has ended: at most this late, and never more than a tenth of an interval. */
const MAX_TICK_MS = 1_000;

/**
 * Closes the baseline's intervals on time, so keys that went quiet still
 * roll up (a throughput drop to zero is a signal too) and anomalies start
 * and end between spans. The check is one comparison with the clock; the
 * work happens once per interval. The timer is unref'd: it never keeps a
 * process alive on its own. Spans arriving after an interval's end also
 * close it (BaselineEngine.record), whichever comes first.
 */
export class RollupLoop {
  private timer: NodeJS.Timeout | undefined;
  private readonly failures: FailureCounter;

  constructor(
    private readonly engine: BaselineEngine,
    logger: Logger,
  ) {
    this.failures = new FailureCounter(logger, 'baseline roll-up');
    this.timer = setInterval(() => this.rollUpNow(), Math.min(MAX_TICK_MS, Math.max(1, Math.floor(engine.intervalMs / 10))));
    this.timer.unref();
  }

  rollUpNow(): void {
    try {
      this.engine.rollUp();
    } catch (error) {
      this.failures.record(error);
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
