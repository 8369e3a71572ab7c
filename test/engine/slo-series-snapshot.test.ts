import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from 'node:v8';
import { SloSeries } from '../../src/engine/slo-series';
import { parseSloSeriesSnapshot } from '../../src/engine/slo-series-snapshot';
import { googleAlertWindows } from '../../src/slo/alert-windows';
import { createWindowReadout } from '../../src/slo/slo-window-state';
import { DAY_MS } from '../../src/slo/durations';
import { objectiveSpec } from '../helpers/objectives';
import { thrownBy } from '../helpers/thrown';

const T0 = Date.UTC(2026, 4, 5);
const PERIOD = 30 * DAY_MS;

function seriesOf(spec = objectiveSpec()): SloSeries {
  return new SloSeries(spec, { service: 'checkout' }, false, PERIOD);
}

describe('SloSeries export/restore', () => {
  it('carries the cumulative counters, the windows and the alert state across a v8 round trip', () => {
    const original = seriesOf();
    for (let i = 0; i < 10; i++) original.record(T0 + i, i < 4);
    original.record(T0 - 40 * DAY_MS, false); // too old: late
    const readout = createWindowReadout();
    original.state.read(T0 + 10, readout);
    original.alert.evaluate(T0 + 10, readout);
    expect(original.alert.firing('page')).toBe(true);

    const restored = seriesOf();
    restored.restoreState(parseSloSeriesSnapshot(deserialize(serialize(original.exportState())), 'series'));
    expect([restored.goodEvents, restored.badEvents, restored.lateEvents]).toEqual([7, 4, 1]);
    expect([restored.alert.firing('page'), restored.alert.firingSince('page')]).toEqual([true, T0 + 10]);
    const after = createWindowReadout();
    restored.state.read(T0 + 10, after);
    expect(after).toEqual(readout);
  });

  it('is all or nothing: fitting windows with misfitting alert rules change nothing', () => {
    const saved = seriesOf();
    saved.record(T0, true);
    const target = seriesOf(objectiveSpec({ alerting: { page: true, ticket: false, windows: googleAlertWindows().slice(0, 1) } }));
    target.record(T0, false);
    const before = target.exportState();
    const reason = target.stateMismatch(saved.exportState());
    expect(reason).toMatch(/^alert rules \[page quick .*\] saved, \[page quick 300000\/3600000 ms 2%\] expected$/);
    expect(thrownBy(RangeError, () => target.restoreState(saved.exportState())).message).toBe(reason);
    expect(target.exportState()).toEqual(before);
    expect([target.goodEvents, target.badEvents]).toEqual([1, 0]);
  });

  it('parse names the malformed field', () => {
    const value = { ...seriesOf().exportState(), lateEvents: Infinity };
    expect(thrownBy(TypeError, () => parseSloSeriesSnapshot(value, 'series')).message).toBe(
      'series.lateEvents: expected a finite number >= 0, got number Infinity',
    );
  });
});
