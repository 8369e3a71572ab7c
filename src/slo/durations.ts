/**
 * Time constants and the fixed set of windows slowatch reports and alerts on.
 *
 * The windows are the ones the Google SRE Workbook (ch. 5 "Alerting on SLOs",
 * table 5-8) pairs into multiwindow burn-rate alerts, and the ones Sloth
 * records as `slo:sli_error:ratio_rate<window>`. Keeping them fixed lets the
 * per-series state precompute everything and evaluate without allocating.
 */

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Latest event time accepted anywhere in the SLO maths: 9999-12-31T23:59:59.999Z.
 * Beyond it bucket numbers stop being exact integers long before Date does,
 * and calendar arithmetic would leave the range of `Date`; such times are
 * treated like NaN (ignored).
 */
export const MAX_TIME_MS = 253_402_300_799_999;

export type SloWindowLabel = '5m' | '30m' | '1h' | '2h' | '6h' | '1d' | '3d';

export interface SloWindow {
  readonly label: SloWindowLabel;
  readonly ms: number;
}

/**
 * The windows reported as metrics and used by the alerts, shortest first.
 * Index positions are stable: `WindowReadout.total[i]` is the window `SLO_WINDOWS[i]`.
 */
export const SLO_WINDOWS: readonly SloWindow[] = Object.freeze([
  Object.freeze({ label: '5m', ms: 5 * MINUTE_MS }),
  Object.freeze({ label: '30m', ms: 30 * MINUTE_MS }),
  Object.freeze({ label: '1h', ms: HOUR_MS }),
  Object.freeze({ label: '2h', ms: 2 * HOUR_MS }),
  Object.freeze({ label: '6h', ms: 6 * HOUR_MS }),
  Object.freeze({ label: '1d', ms: DAY_MS }),
  Object.freeze({ label: '3d', ms: 3 * DAY_MS }),
] as const);
