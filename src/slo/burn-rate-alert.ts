import type { AlertWindow, Severity } from './objective';
import type { WindowReadout } from './slo-window-state';
import { burnRateFactor, windowIndex } from './alert-windows';
import { burnRate, errorRatio } from './budget';
import { SLO_WINDOWS } from './durations';
import { alertRuleSignature } from './burn-rate-alert-snapshot';
import type { BurnRateAlertSnapshot, FiringSnapshot } from './burn-rate-alert-snapshot';

/** One change of an alert's state, reported to the listener. */
export interface AlertTransition {
  readonly severity: Severity;
  readonly state: 'firing' | 'resolved';
  /** The `nowMs` of the evaluation that saw the change. */
  readonly atMs: number;
  /**
   * On firing: the first rule (in configured order) whose condition held.
   * On resolving: the rule that was holding at the last firing evaluation.
   */
  readonly rule: AlertWindow;
  /** Burn rate over the rule's short window at `atMs`. */
  readonly shortBurnRate: number;
  /** Burn rate over the rule's long window at `atMs`. */
  readonly longBurnRate: number;
  /** The rule's burn-rate threshold at `atMs`. */
  readonly factor: number;
}

export type AlertTransitionListener = (transition: AlertTransition) => void;

/** Bit set in `evaluate`'s result when the page alert changed state. */
export const PAGE_CHANGED = 1;
/** Bit set in `evaluate`'s result when the ticket alert changed state. */
export const TICKET_CHANGED = 2;

const PAGE = 0;
const TICKET = 1;

function severityCode(severity: Severity): number {
  return severity === 'page' ? PAGE : TICKET;
}

/**
 * Multiwindow, multi-burn-rate alerting for one SLO series — the SRE
 * Workbook's recommended alerting (ch. 5 "Alerting on SLOs", approach 6), in
 * the exact form Sloth generates for Prometheus:
 *
 *   ratio_rate<short> > (factor × (1 − objective))
 *   and ratio_rate<long> > (factor × (1 − objective))
 *
 * with `factor = errorBudgetPercent / 100 × periodHours / longWindowHours`.
 * A severity fires while ANY of its rules holds and resolves as soon as none
 * does. The long window makes the alert significant (enough budget spent),
 * the short window makes it reset quickly once the errors stop. On top of
 * Sloth, a rule only holds when its short window saw at least `minEvents`
 * events, so a couple of failures on an idle service do not page.
 *
 * Evaluation is allocation-free; only a state change allocates the
 * `AlertTransition` handed to the listener. Memory: a few small typed arrays
 * (about 25 bytes per rule).
 */
export class BurnRateAlert {
  private readonly objective: number;
  private readonly rules: readonly AlertWindow[];
  private readonly minEvents: number;
  private readonly onTransition: AlertTransitionListener | undefined;
  private readonly enabled: readonly [boolean, boolean];

  /** Per rule: severity code, indexes into the readout, and the factor/threshold for `factorPeriodMs`. */
  private readonly ruleSeverity: Uint8Array;
  private readonly shortIndex: Int8Array;
  private readonly longIndex: Int8Array;
  private readonly factors: Float64Array;
  private readonly thresholds: Float64Array;
  private factorPeriodMs = NaN;
  private readonly defaultPeriodMs: number;

  /** Per severity (PAGE, TICKET). */
  private readonly isFiring: [boolean, boolean] = [false, false];
  private readonly since: Float64Array = new Float64Array(2);
  /** The rule holding at the latest firing evaluation, -1 when not firing. */
  private readonly holdingRule: Int8Array = new Int8Array([-1, -1]);

  /**
   * @param objective target ratio in (0, 1), e.g. 0.999.
   * @param windows the rules; every short and long window must be one of `SLO_WINDOWS`.
   * @param periodMs the SLO period, used for the factor whenever the readout
   *   carries no period length (rolling periods carry the same value; calendar
   *   periods carry the current period's length, which then wins).
   * @param minEvents fewest events in a rule's short window for it to hold.
   * @param severities which severities may fire at all.
   * @param onTransition called on every state change, never on the steady
   *   state (unless `evaluate` is given its own listener).
   * @throws RangeError for an objective outside (0, 1), a window not in
   *   `SLO_WINDOWS`, a non-positive period, or a negative or NaN minEvents.
   */
  constructor(
    objective: number,
    windows: readonly AlertWindow[],
    periodMs: number,
    minEvents: number,
    severities: { readonly page: boolean; readonly ticket: boolean },
    onTransition?: AlertTransitionListener,
  ) {
    if (!(objective > 0 && objective < 1)) {
      throw new RangeError(`objective must be a ratio in (0, 1), got ${objective}`);
    }
    if (!(periodMs > 0 && periodMs < Infinity)) {
      throw new RangeError(`periodMs must be positive, got ${periodMs}`);
    }
    if (!(minEvents >= 0)) {
      throw new RangeError(`minEvents must be >= 0, got ${minEvents}`);
    }
    if (windows.length > 127) {
      throw new RangeError(`at most 127 alert rules, got ${windows.length}`);
    }
    this.objective = objective;
    this.rules = Object.freeze([...windows]);
    this.defaultPeriodMs = periodMs;
    this.minEvents = minEvents;
    this.enabled = [severities.page, severities.ticket];
    this.onTransition = onTransition;

    const n = this.rules.length;
    this.ruleSeverity = new Uint8Array(n);
    this.shortIndex = new Int8Array(n);
    this.longIndex = new Int8Array(n);
    this.factors = new Float64Array(n);
    this.thresholds = new Float64Array(n);
    this.rules.forEach((rule, r) => {
      const s = windowIndex(rule.shortWindowMs);
      const l = windowIndex(rule.longWindowMs);
      if (s < 0 || l < 0) {
        const known = SLO_WINDOWS.map((w) => w.label).join(', ');
        throw new RangeError(
          `alert rule ${rule.severity}/${rule.speed} uses a window that is not one of ${known} ` +
            `(short ${rule.shortWindowMs} ms, long ${rule.longWindowMs} ms)`,
        );
      }
      this.ruleSeverity[r] = severityCode(rule.severity);
      this.shortIndex[r] = s;
      this.longIndex[r] = l;
    });
    this.setFactorPeriod(periodMs);
  }

  /**
   * Updates the alert state from a fresh readout of the series (taken at
   * `nowMs`). Allocation-free unless the state changes.
   *
   * @param onTransition called for each change instead of the constructor's
   *   listener. (A closure created per call allocates at the caller; prefer
   *   the constructor's listener on hot loops.)
   * @returns a bit mask of the severities that changed state:
   *   `PAGE_CHANGED | TICKET_CHANGED`; 0 on the steady state.
   */
  evaluate(nowMs: number, readout: WindowReadout, onTransition?: AlertTransitionListener): number {
    const listener = onTransition ?? this.onTransition;
    const periodMs = readout.periodMs > 0 && readout.periodMs < Infinity ? readout.periodMs : this.defaultPeriodMs;
    if (periodMs !== this.factorPeriodMs) this.setFactorPeriod(periodMs);

    let holdingPage = -1;
    let holdingTicket = -1;
    for (let r = 0; r < this.rules.length; r++) {
      const severity = this.ruleSeverity[r] ?? PAGE;
      if (!this.enabled[severity]) continue;
      if ((severity === PAGE ? holdingPage : holdingTicket) >= 0) continue;
      if (this.holds(r, readout)) {
        if (severity === PAGE) holdingPage = r;
        else holdingTicket = r;
      }
    }

    let changed = 0;
    if (this.update(PAGE, holdingPage, nowMs, readout, listener)) changed |= PAGE_CHANGED;
    if (this.update(TICKET, holdingTicket, nowMs, readout, listener)) changed |= TICKET_CHANGED;
    return changed;
  }

  /** Whether the severity is firing now. */
  firing(severity: Severity): boolean {
    return this.isFiring[severityCode(severity)] ?? false;
  }

  /** The `nowMs` of the evaluation at which the severity started firing; undefined when not firing. */
  firingSince(severity: Severity): number | undefined {
    const code = severityCode(severity);
    return this.isFiring[code] === true ? this.since[code] : undefined;
  }

  /** The rule that held at the latest evaluation of a firing severity; undefined when not firing. */
  firingRule(severity: Severity): AlertWindow | undefined {
    const r = this.holdingRule[severityCode(severity)] ?? -1;
    return r >= 0 ? this.rules[r] : undefined;
  }

  /**
   * The burn-rate factor of rule `ruleIndex` (position in the constructor's
   * `windows`) for the period last evaluated (or the constructor's period).
   */
  factor(ruleIndex: number): number {
    return this.factors[ruleIndex] ?? NaN;
  }

  /**
   * Which severities are firing, since when and on which rule, as plain data
   * (see `BurnRateAlertSnapshot`). Changes nothing.
   */
  exportState(): BurnRateAlertSnapshot {
    return {
      rules: this.rules.map(alertRuleSignature),
      page: this.firingSnapshot(PAGE),
      ticket: this.firingSnapshot(TICKET),
    };
  }

  /**
   * Why `snapshot` cannot be restored here — its rules differ, so its rule
   * indexes would mean other rules — or undefined when it can. The snapshot
   * is assumed well-formed (`parseBurnRateAlertSnapshot`).
   */
  stateMismatch(snapshot: BurnRateAlertSnapshot): string | undefined {
    const saved = snapshot.rules.join(', ');
    const expected = this.rules.map(alertRuleSignature).join(', ');
    if (saved !== expected) return `alert rules [${saved}] saved, [${expected}] expected`;
    for (const [code, firing] of [[PAGE, snapshot.page], [TICKET, snapshot.ticket]] as const) {
      if (firing !== null && this.ruleSeverity[firing.rule] !== code) {
        return `a ${code === PAGE ? 'page' : 'ticket'} alert saved as firing on rule ${firing.rule}, which is not one of its rules`;
      }
    }
    return undefined;
  }

  /**
   * Takes over the snapshot's firing states without reporting anything: a
   * severity firing in the snapshot fires here too (same `firingSince` and
   * rule), so the next evaluation that still finds it holding reports
   * nothing, and the first that finds it clear reports 'resolved'. A
   * severity since disabled is restored as firing too and resolves at the
   * next evaluation, so its receivers hear the end of it.
   *
   * @throws RangeError, changing nothing, when `stateMismatch` finds a reason.
   */
  restoreState(snapshot: BurnRateAlertSnapshot): void {
    const mismatch = this.stateMismatch(snapshot);
    if (mismatch !== undefined) throw new RangeError(mismatch);
    this.restoreFiring(PAGE, snapshot.page);
    this.restoreFiring(TICKET, snapshot.ticket);
  }

  /** Back to "nothing firing", without reporting transitions. */
  reset(): void {
    this.isFiring[PAGE] = false;
    this.isFiring[TICKET] = false;
    this.since.fill(0);
    this.holdingRule.fill(-1);
  }

  private firingSnapshot(severity: number): FiringSnapshot | null {
    if (this.isFiring[severity] !== true) return null;
    return { sinceMs: this.since[severity] ?? 0, rule: this.holdingRule[severity] ?? 0 };
  }

  private restoreFiring(severity: number, firing: FiringSnapshot | null): void {
    this.isFiring[severity] = firing !== null;
    this.since[severity] = firing?.sinceMs ?? 0;
    this.holdingRule[severity] = firing?.rule ?? -1;
  }

  /** Sloth's condition for rule r, plus the minEvents guard. Strict `>` as in Sloth. */
  private holds(r: number, readout: WindowReadout): boolean {
    const s = this.shortIndex[r] ?? 0;
    const l = this.longIndex[r] ?? 0;
    const shortTotal = readout.total[s] ?? 0;
    if (!(shortTotal >= this.minEvents)) return false;
    const threshold = this.thresholds[r] ?? Infinity;
    return (
      errorRatio(readout.bad[s] ?? 0, shortTotal) > threshold &&
      errorRatio(readout.bad[l] ?? 0, readout.total[l] ?? 0) > threshold
    );
  }

  /** Applies the evaluation's verdict for one severity; true on a change. */
  private update(
    severity: number,
    holding: number,
    nowMs: number,
    readout: WindowReadout,
    listener: AlertTransitionListener | undefined,
  ): boolean {
    const wasFiring = this.isFiring[severity] === true;
    if (holding >= 0) {
      this.holdingRule[severity] = holding;
      if (wasFiring) return false;
      this.isFiring[severity] = true;
      this.since[severity] = nowMs;
      this.report(listener, severity, 'firing', holding, nowMs, readout);
      return true;
    }
    if (!wasFiring) return false;
    const lastRule = this.holdingRule[severity] ?? 0;
    this.isFiring[severity] = false;
    this.holdingRule[severity] = -1;
    this.report(listener, severity, 'resolved', lastRule, nowMs, readout);
    return true;
  }

  private report(
    listener: AlertTransitionListener | undefined,
    severity: number,
    state: 'firing' | 'resolved',
    r: number,
    nowMs: number,
    readout: WindowReadout,
  ): void {
    const rule = this.rules[r];
    if (listener === undefined || rule === undefined) return;
    const s = this.shortIndex[r] ?? 0;
    const l = this.longIndex[r] ?? 0;
    listener({
      severity: severity === PAGE ? 'page' : 'ticket',
      state,
      atMs: nowMs,
      rule,
      shortBurnRate: burnRate(errorRatio(readout.bad[s] ?? 0, readout.total[s] ?? 0), this.objective),
      longBurnRate: burnRate(errorRatio(readout.bad[l] ?? 0, readout.total[l] ?? 0), this.objective),
      factor: this.factors[r] ?? NaN,
    });
  }

  /** Recomputes every rule's factor and threshold `factor × (1 − objective)` for a period length. */
  private setFactorPeriod(periodMs: number): void {
    const budget = 1 - this.objective;
    for (let r = 0; r < this.rules.length; r++) {
      const rule = this.rules[r];
      if (rule === undefined) continue;
      const factor = burnRateFactor(rule, periodMs);
      this.factors[r] = factor;
      this.thresholds[r] = factor * budget;
    }
    this.factorPeriodMs = periodMs;
  }
}
