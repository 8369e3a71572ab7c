import { AnomalyEngine } from '../../src/engine/anomaly-engine';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import type { BaselineEngine } from '../../src/engine/baseline-engine';
import type { AnomalyProcessorSettings } from './config';

export interface CreateAnomalyEngineOptions {
  /** Every event, after it is counted and kept. */
  readonly onAnomaly?: (event: AnomalyEvent) => void;
  /** A listener that threw. */
  readonly onError?: (error: unknown) => void;
}

/** The engine an `anomaly` processor runs, from its settings, listening to `baseline`. */
export function createAnomalyEngine(baseline: BaselineEngine, settings: AnomalyProcessorSettings, options: CreateAnomalyEngineOptions = {}): AnomalyEngine {
  return new AnomalyEngine(baseline, {
    signals: settings.signals,
    maxRecentEvents: settings.maxRecentEvents,
    ...(options.onAnomaly !== undefined && { onAnomaly: options.onAnomaly }),
    ...(options.onError !== undefined && { onError: options.onError }),
  });
}
