import type { SloEngine } from '../../src/engine/slo-engine';
import { FailureCounter } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';

/**
 * Re-evaluates the engine's alerts on a fixed interval, so alerts fire and
 * resolve between scrapes too. The timer is unref'd: it never keeps a
 * process alive on its own.
 */
export class EvaluationLoop {
  private timer: NodeJS.Timeout | undefined;
  private readonly failures: FailureCounter;

  constructor(
    private readonly engine: SloEngine,
    intervalMs: number,
    logger: Logger,
  ) {
    this.failures = new FailureCounter(logger, 'SLO evaluation');
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
