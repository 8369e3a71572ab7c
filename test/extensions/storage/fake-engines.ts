import { metrics } from '@opentelemetry/api';
import type { BaselineSeries } from '../../../src/baseline/baseline-series';
import { SignalIndex } from '../../../src/baseline/baseline-signal';
import { ManualClock } from '../../../src/clock';
import type { AnomalyEvent } from '../../../src/engine/anomaly-event';
import type { BaselineListener } from '../../../src/engine/baseline-engine';
import type { SloAlertEvent } from '../../../src/engine/slo-alert-event';
import type { Logger } from '../../../src/logging/logger';
import { describeError } from '../../../src/logging/logger';
import type { ComponentContext } from '../../../src/pipeline/component';
import type { Recommendation } from '../../../src/recommend/recommendation';
import type { RegressionEvent } from '../../../src/regression/regression-event';
import type { ObjectiveSpec } from '../../../src/slo/objective';
import type { StorageEngines } from '../../../extensions/storage/storage-extension';
import type { StateRestoreSummary } from '../../../extensions/storage/stateful-engine';
import { objectiveSpec } from '../../helpers/objectives';

/** Small stand-ins for the engines: just the members the storage extension uses, with their state in plain fields. */

export interface TestContext extends ComponentContext {
  readonly clock: ManualClock;
  readonly lines: string[];
}

export function storageTestContext(startMs: number, id = 'storage'): TestContext {
  const lines: string[] = [];
  const logger: Logger = {
    error: (message, error) => lines.push(`error: ${message}${error === undefined ? '' : `: ${describeError(error)}`}`),
    warn: (message) => lines.push(`warn: ${message}`),
    info: (message) => lines.push(`info: ${message}`),
    debug: (message) => lines.push(`debug: ${message}`),
  };
  return { id, logger, meter: metrics.getMeter('test'), clock: new ManualClock(startMs), lines };
}

/** Where the fakes write what happened to them, in order: `restore slo`, `export baseline`… */
export type CallLog = string[];

class Subscribable<T> {
  readonly listeners: ((event: T) => void)[] = [];
  subscribe(listener: (event: T) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }
  emit(event: T): void {
    for (const listener of this.listeners) listener(event);
  }
}

export interface FakeSeries {
  readonly objective: { readonly name: string };
  readonly labels: Record<string, string>;
  goodEvents: number;
  badEvents: number;
}

/** An SLO engine with series whose counters the test moves; its state is the counters. */
export class FakeSloEngine extends Subscribable<SloAlertEvent> {
  readonly series: FakeSeries[];
  readonly objectiveSpecs: readonly ObjectiveSpec[];

  constructor(
    private readonly log: CallLog,
    names: readonly string[] = ['checkout'],
  ) {
    super();
    this.objectiveSpecs = names.map((name) => objectiveSpec({ name }));
    this.series = names.map((name) => ({ objective: { name }, labels: { service: 'shop' }, goodEvents: 0, badEvents: 0 }));
  }

  count(good: number, bad: number, index = 0): void {
    const series = this.series[index]!;
    series.goodEvents += good;
    series.badEvents += bad;
  }

  collect(visit: (series: FakeSeries) => void): void {
    for (const series of this.series) visit(series);
  }

  exportState(): unknown {
    this.log.push('export slo');
    return this.series.map((s) => ({ name: s.objective.name, good: s.goodEvents, bad: s.badEvents }));
  }

  restoreState(state: unknown): StateRestoreSummary {
    this.log.push('restore slo');
    let restored = 0;
    for (const saved of state as { name: string; good: number; bad: number }[]) {
      const series = this.series.find((s) => s.objective.name === saved.name);
      if (series === undefined) continue;
      series.goodEvents = saved.good;
      series.badEvents = saved.bad;
      restored++;
    }
    const skipped = (state as unknown[]).length - restored;
    return { restored, skipped, reasons: skipped > 0 ? ['objective no longer configured'] : [] };
  }
}

/** A baseline engine: the test calls `close(readings)` as the real one does at interval close. */
export class FakeBaselineEngine {
  readonly intervalMs = 60_000;
  readonly listeners: BaselineListener[] = [];
  state: unknown = { learned: 0 };

  constructor(private readonly log: CallLog) {}

  addListener(listener: BaselineListener): void {
    this.listeners.push(listener);
  }

  close(readings: FakeReadings, endMs: number): void {
    for (const listener of this.listeners) listener.intervalClosed(readings as unknown as BaselineSeries, endMs);
  }

  exportState(): unknown {
    this.log.push('export baseline');
    return this.state;
  }

  restoreState(state: unknown): StateRestoreSummary {
    this.log.push('restore baseline');
    this.state = state;
    return { restored: 1, skipped: 0, reasons: [] };
  }
}

/** BaselineSeries' readings for one closed interval. */
export class FakeReadings {
  constructor(
    readonly labels: { service: string; operation: string; spanKind: string },
    readonly lastIntervalCount: number,
    private readonly observed: Partial<Record<keyof typeof SignalIndex, number>>,
    private readonly p95Band?: { low: number; center: number; high: number },
  ) {}
  observedValue(s: number): number {
    const name = (Object.keys(SignalIndex) as (keyof typeof SignalIndex)[]).find((k) => SignalIndex[k] === s);
    return name === undefined ? Number.NaN : (this.observed[name] ?? Number.NaN);
  }
  hasBaseline(s: number): boolean {
    return s === SignalIndex.latency_p95 && this.p95Band !== undefined;
  }
  expectedLow(): number {
    return this.p95Band?.low ?? Number.NaN;
  }
  baseline(): number {
    return this.p95Band?.center ?? Number.NaN;
  }
  expectedHigh(): number {
    return this.p95Band?.high ?? Number.NaN;
  }
}

export class FakeAnomalyEngine extends Subscribable<AnomalyEvent> {
  restoreError: Error | undefined;

  constructor(private readonly log: CallLog) {
    super();
  }

  exportState(): unknown {
    this.log.push('export anomaly');
    return { open: 1 };
  }

  restoreState(): StateRestoreSummary {
    this.log.push('restore anomaly');
    if (this.restoreError !== undefined) throw this.restoreError;
    return { restored: 1, skipped: 0, reasons: [] };
  }
}

/** Regression engines have no state to keep (no exportState): only events. */
export class FakeRegressionEngine extends Subscribable<RegressionEvent> {}

export class FakeRecommendEngine {
  recommendations: Recommendation[] = [];
  list(): Recommendation[] {
    return this.recommendations;
  }
}

export interface FakeEngines {
  readonly log: CallLog;
  readonly slo: FakeSloEngine;
  readonly baseline: FakeBaselineEngine;
  readonly anomaly: FakeAnomalyEngine;
  readonly regression: FakeRegressionEngine;
  readonly recommend: FakeRecommendEngine;
  readonly engines: StorageEngines;
}

/** One of each engine, under the default processor ids. */
export function fakeEngines(): FakeEngines {
  const log: CallLog = [];
  const slo = new FakeSloEngine(log);
  const baseline = new FakeBaselineEngine(log);
  const anomaly = new FakeAnomalyEngine(log);
  const regression = new FakeRegressionEngine();
  const recommend = new FakeRecommendEngine();
  return {
    log, slo, baseline, anomaly, regression, recommend,
    engines: {
      // Listed in another order than the restore order on purpose.
      anomaly: new Map([['anomaly', anomaly]]),
      recommend: new Map([['recommend', recommend]]),
      regression: new Map([['regression', regression]]),
      baseline: new Map([['baseline', baseline]]),
      slo: new Map([['slo', slo]]),
    },
  };
}

export function sloAlert(atMs: number, state: 'firing' | 'resolved' = 'firing'): SloAlertEvent {
  return {
    slo: 'checkout', labels: { service: 'shop' }, severity: 'page', state, atMs, shortWindow: '5m', longWindow: '1h',
    shortBurnRate: 20, longBurnRate: 15, factor: 14.4, errorBudgetRemaining: 0.8,
  };
}

export function recommendation(id: string, overrides: Partial<Recommendation> = {}): Recommendation {
  return {
    id, type: 'n_plus_one_db', title: 'N+1 queries', advice: 'batch them', service: 'shop', operation: 'GET /cart', severity: 'medium',
    evidence: {}, exampleTraceIds: [], impact: { perRequestMs: 12, latencyShare: 0.3, affectedShare: 0.5 }, effort: 'low', risk: 'low',
    priority: 1, occurrences: 3, firstSeenMs: 0, lastSeenMs: 0, status: 'open',
    ...overrides,
  };
}
