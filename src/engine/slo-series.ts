import type { ObjectiveSpec } from '../slo/objective';
import { SloWindowState } from '../slo/slo-window-state';
import { BurnRateAlert } from '../slo/burn-rate-alert';
import type { AlertTransition } from '../slo/burn-rate-alert';
import type { SloSeriesSnapshot } from './slo-series-snapshot';

/**
 * One SLO series: an objective for one service and one set of group_by
 * values. Holds the windowed counts, the alert state and lifetime totals.
 *
 * Bytes: the window state's typed arrays (about 21.9 KB for a 30d rolling
 * period, see SloWindowState), the alert state (about 2 KB of small typed
 * arrays) and the labels: bench:processors measures about 25.5 KB per 30d series.
 */
export class SloSeries {
  readonly state: SloWindowState;
  readonly alert: BurnRateAlert;
  goodEvents = 0;
  badEvents = 0;
  /** Events older than the windows cover (late spans), dropped and counted. */
  lateEvents = 0;

  constructor(
    readonly objective: ObjectiveSpec,
    /** Label name → value: `service` and the group_by keys. */
    readonly labels: Readonly<Record<string, string>>,
    readonly overflow: boolean,
    periodMs: number,
    onTransition?: (series: SloSeries, transition: AlertTransition) => void,
  ) {
    this.state = new SloWindowState(objective.period, objective.budgeting);
    this.alert = new BurnRateAlert(objective.objective, objective.alerting.windows, periodMs, objective.minEvents, {
      page: objective.alerting.page,
      ticket: objective.alerting.ticket,
    }, onTransition === undefined ? undefined : (t) => onTransition(this, t));
  }

  record(timeMs: number, bad: boolean): void {
    if (bad) this.badEvents++;
    else this.goodEvents++;
    if (!this.state.record(timeMs, bad)) this.lateEvents++;
  }

  /** The counters, windows and alert state as plain data (see `SloSeriesSnapshot`); changes nothing. */
  exportState(): SloSeriesSnapshot {
    return {
      goodEvents: this.goodEvents,
      badEvents: this.badEvents,
      lateEvents: this.lateEvents,
      window: this.state.exportState(),
      alert: this.alert.exportState(),
    };
  }

  /**
   * Why `snapshot` cannot be restored into this series (another period,
   * budgeting or alert rules), or undefined when it can.
   */
  stateMismatch(snapshot: SloSeriesSnapshot): string | undefined {
    return this.state.stateMismatch(snapshot.window) ?? this.alert.stateMismatch(snapshot.alert);
  }

  /**
   * Replaces counters, windows and alert state with the snapshot's. All or
   * nothing: both parts are checked before either changes, so a series is
   * never left half restored. Reports no alert transition.
   *
   * @throws RangeError, changing nothing, when `stateMismatch` finds a reason.
   */
  restoreState(snapshot: SloSeriesSnapshot): void {
    const mismatch = this.stateMismatch(snapshot);
    if (mismatch !== undefined) throw new RangeError(mismatch);
    this.state.restoreState(snapshot.window);
    this.alert.restoreState(snapshot.alert);
    this.goodEvents = snapshot.goodEvents;
    this.badEvents = snapshot.badEvents;
    this.lateEvents = snapshot.lateEvents;
  }
}
