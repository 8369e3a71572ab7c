import type { AnomalyEngine } from '../../src/engine/anomaly-engine';
import type { BaselineEngine } from '../../src/engine/baseline-engine';
import type { SloEngine } from '../../src/engine/slo-engine';
import type { Component } from '../../src/pipeline/component';
import type { RecommendEngine } from '../../src/recommend/recommend-engine';
import type { RegressionEngine } from '../../src/regression/regression-engine';
import type { ReportStore } from '../../src/storage/report-store';

/** The service's engines, by processor id (`slo`, `slo/checkout`, `baseline`…). */
export interface AttachedEngines {
  readonly slo: ReadonlyMap<string, SloEngine>;
  readonly baseline: ReadonlyMap<string, BaselineEngine>;
  readonly anomaly: ReadonlyMap<string, AnomalyEngine>;
  readonly regression: ReadonlyMap<string, RegressionEngine>;
  readonly recommend: ReadonlyMap<string, RecommendEngine>;
}

/**
 * A component that keeps the engines' state and output (the `storage`
 * extension). The service calls `attachEngines` once, after building the
 * pipelines and before `start`; `start` restores the engines' snapshots,
 * so they resume where the previous process stopped.
 */
export interface EngineStateHost {
  attachEngines(engines: AttachedEngines): void;
  /** The store to read reports from; defined once the component has started. */
  readonly store: ReportStore | undefined;
}

export function isEngineStateHost(component: Component): component is Component & EngineStateHost {
  return typeof (component as Partial<EngineStateHost>).attachEngines === 'function';
}
