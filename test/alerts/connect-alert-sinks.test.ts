import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/alerts/alert-event';
import { connectAlertSinks } from '../../src/alerts/connect-alert-sinks';
import type { EventSource } from '../../src/alerts/connect-alert-sinks';
import type { AnomalyEvent } from '../../src/engine/anomaly-event';
import type { SloAlertEvent } from '../../src/engine/slo-alert-event';
import type { RegressionEvent } from '../../src/regression/regression-event';
import type { ObjectiveSpec } from '../../src/slo/objective';
import { objectiveSpec } from '../helpers/objectives';

/** An engine stand-in with the subscribe contract of AnomalyEngine.subscribe. */
class FakeSource<E> implements EventSource<E> {
  readonly listeners: ((event: E) => void)[] = [];
  constructor(readonly objectiveSpecs: readonly ObjectiveSpec[] = []) {}
  subscribe(listener: (event: E) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }
  emit(event: E): void {
    for (const listener of this.listeners) listener(event);
  }
}

const sloEvent: SloAlertEvent = {
  slo: 'availability',
  labels: { service: 'checkout' },
  severity: 'page',
  state: 'firing',
  atMs: 1000,
  shortWindow: '5m',
  longWindow: '1h',
  shortBurnRate: 20,
  longBurnRate: 20,
  factor: 14.4,
  errorBudgetRemaining: 0.5,
};

describe('connectAlertSinks', () => {
  it('hands every engine event, mapped, to every sink, with the objective for the forecast; disconnect unsubscribes', () => {
    const slo = new FakeSource<SloAlertEvent>([objectiveSpec()]);
    const anomaly = new FakeSource<AnomalyEvent>();
    const regression = new FakeSource<RegressionEvent>();
    const first: AlertEvent[] = [];
    const second: AlertEvent[] = [];
    const disconnect = connectAlertSinks({ slo: [slo], anomaly: [anomaly], regression: [regression] }, [
      { onAlertEvent: (e) => first.push(e) },
      { onAlertEvent: (e) => second.push(e) },
    ]);
    slo.emit(sloEvent);
    anomaly.emit({ edge: 'start', key: { service: 's', operation: 'o', spanKind: 'server' }, signal: 'throughput', unit: 'spans/s', atMs: 2000, startedAtMs: 1000, endedAtMs: undefined, observed: 1, expected: undefined, score: 1, spanCount: 1, traceIds: [], recent: [] });
    regression.emit({ outcome: 'regression', classification: 'High', critical: false, baselineVersion: 'a', version: 'b', canary: false, effectSize: 2, pValue: 0.001, confidenceInterval: [1, 2], estimateMs: 1.5, controlCount: 10, experimentCount: 10, controlMeanMs: 1, experimentMeanMs: 2, atMs: 3000, deployedAtMs: 0, service: 's', operation: 'o', spanKind: 'server' });
    expect(first.map((e) => [e.source, e.labels.alertname])).toEqual([
      ['slo', 'SloErrorBudgetBurn'],
      ['anomaly', 'ServiceAnomaly'],
      ['regression', 'DeployRegression'],
    ]);
    expect(second).toEqual(first);
    // The objective was found by name: the description has the 30d forecast (0.5 × 30 d / 20 = 18 h).
    expect(first[0]?.annotations.description).toContain('exhausted in 18h');
    disconnect();
    expect([slo.listeners.length, anomaly.listeners.length, regression.listeners.length]).toEqual([0, 0, 0]);
  });

  it('keeps delivering to the other sinks when one throws, and reports the error', () => {
    const slo = new FakeSource<SloAlertEvent>([]);
    const errors: unknown[] = [];
    const received: AlertEvent[] = [];
    connectAlertSinks({ slo: [slo] }, [{ onAlertEvent: () => { throw new Error('boom'); } }, { onAlertEvent: (e) => received.push(e) }], (e) => errors.push(e));
    slo.emit(sloEvent);
    expect(received).toHaveLength(1);
    // Without the objective, no forecast.
    expect(received[0]?.annotations.description).not.toContain('exhausted');
    expect(errors).toEqual([new Error('boom')]);
  });

  it('subscribes to nothing when there is no sink', () => {
    const slo = new FakeSource<SloAlertEvent>([]);
    connectAlertSinks({ slo: [slo] }, []);
    expect(slo.listeners).toHaveLength(0);
  });
});
