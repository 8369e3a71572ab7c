import type { Severity } from '../slo/objective';

/** A multiwindow burn-rate alert that started or stopped firing for one SLO series. */
export interface SloAlertEvent {
  readonly slo: string;
  /** service and group_by labels of the series. */
  readonly labels: Readonly<Record<string, string>>;
  readonly severity: Severity;
  readonly state: 'firing' | 'resolved';
  readonly atMs: number;
  /** The rule that changed state, e.g. '5m' and '1h' for the quick page rule. */
  readonly shortWindow: string;
  readonly longWindow: string;
  readonly shortBurnRate: number;
  readonly longBurnRate: number;
  /** Burn-rate factor of the rule (14.4 for the quick page rule at 30d). */
  readonly factor: number;
  readonly errorBudgetRemaining: number;
}
