import type { BaselineEngine } from '../../src/engine/baseline-engine';
import type { Logger } from '../../src/logging/logger';
import { IntervalLoop } from '../shared/interval-loop';

/** How often the loop looks whether an interval has ended: at most this late, and never more than a tenth of an interval. */
const MAX_TICK_MS = 1_000;

/**
 * Closes the baseline's intervals on time, so keys that went quiet still
 * roll up (a throughput drop to zero is a signal too) and anomalies start
 * and end between spans. Each tick is one comparison with the clock; the
 * work happens once per interval. Besides this loop only a metrics scrape
 * and the gateway's enrichment (once per batch) close intervals, never a
 * span: spans recorded between an interval's end and the next tick count in
 * the interval still open (≤ one tick, the same shift as a batching delay).
 */
export function startRollupLoop(engine: BaselineEngine, logger: Logger): IntervalLoop {
  const tickMs = Math.min(MAX_TICK_MS, Math.max(1, Math.floor(engine.intervalMs / 10)));
  return new IntervalLoop(() => engine.rollUp(), tickMs, logger, 'baseline roll-up');
}
