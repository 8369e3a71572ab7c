import type { SloEngine } from '../../src/engine/slo-engine';
import type { Logger } from '../../src/logging/logger';
import { IntervalLoop } from '../shared/interval-loop';

/**
 * Re-evaluates the engine's alerts every `intervalMs`, so alerts fire and
 * resolve between scrapes too (scrapes evaluate as well).
 */
export function startSloEvaluationLoop(engine: SloEngine, intervalMs: number, logger: Logger): IntervalLoop {
  return new IntervalLoop(() => engine.evaluate(), intervalMs, logger, 'SLO evaluation');
}
