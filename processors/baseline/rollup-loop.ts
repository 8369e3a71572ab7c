import type { BaselineEngine } from '../../src/engine/baseline-engine';
import type { Logger } from '../../src/logging/logger';
import { IntervalLoop } from '../shared/interval-loop';

/** How often the loop looks whether an interval has ended: at most this late, and never more than a tenth of an interval. */
const MAX_TICK_MS = 1_000;

/**
 * Closes the baseline's intervals on time, so keys that went quiet still
 * roll up (a throughput drop to zero is a signal too) and anomalies start
 * and end between spans. Each tick is one comparison with the clock; the
 * work happens once per interval. Spans arriving after an interval's end
 * also close it (BaselineEngine.record), whichever comes first.
 */
export function startRollupLoop(engine: BaselineEngine, logger: Logger): IntervalLoop {
  const tickMs = Math.min(MAX_TICK_MS, Math.max(1, Math.floor(engine.intervalMs / 10)));
  return new IntervalLoop(() => engine.rollUp(), tickMs, logger, 'baseline roll-up');
}
