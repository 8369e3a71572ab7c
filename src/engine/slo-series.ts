import type { ObjectiveSpec } from '../slo/objective';
import { SloWindowState } from '../slo/slo-window-state';
import { BurnRateAlert } from '../slo/burn-rate-alert';
import type { AlertTransition } from '../slo/burn-rate-alert';

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
}
