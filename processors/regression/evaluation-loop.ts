import type { RegressionEngine } from '../../src/regression/regression-engine';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';

/**
 * Runs the regression engine's due comparisons on a fixed interval, so
 * verdicts come between scrapes too. The engine reads its injected clock;
 * this timer only says when to look. It is unref'd: it never keeps a process
 * alive on its own.
 */
export class RegressionEvaluationLoop {
  private timer: NodeJS.Timeout | undefined;
  private readonly failures: FailureCounter;

  constructor(
    private readonly engine: RegressionEngine,
    intervalMs: number,
    logger: Logger,
  ) {
    this.failures = new FailureCounter(logger, 'deploy regression evaluation');
    this.timer = setInterval(() => this.evaluateNow(), intervalMs);
    this.timer.unref();
  }

  evaluateNow(): void {
    try {
      this.engine.evaluate();
    } catch (error) {
      this.failures.record(error);
    }
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
