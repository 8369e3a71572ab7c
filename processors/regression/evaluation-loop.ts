import type { RegressionEngine } from '../../src/regression/regression-engine';
import type { Logger } from '../../src/logging/logger';
import { IntervalLoop } from '../shared/interval-loop';

/**
 * Runs the regression engine's due comparisons every `intervalMs`, so
 * verdicts come between scrapes too (scrapes evaluate as well).
 */
export function startRegressionEvaluationLoop(engine: RegressionEngine, intervalMs: number, logger: Logger): IntervalLoop {
  return new IntervalLoop(() => engine.evaluate(), intervalMs, logger, 'deploy regression evaluation');
}
