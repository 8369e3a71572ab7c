import type { Clock } from '../clock';
import type { ObjectiveSpec } from '../slo/objective';
import { SLO_WINDOWS, DAY_MS } from '../slo/durations';
import { createWindowReadout } from '../slo/slo-window-state';
import type { WindowReadout } from '../slo/slo-window-state';
import { errorRatio, burnRate, errorBudgetRemaining, budgetExhaustionSeconds } from '../slo/budget';
import type { AlertTransition } from '../slo/burn-rate-alert';
import { ObjectiveMatcher } from './objective-matcher';
import { BoundedSeriesIndex } from './bounded-series-index';
import { OperationNamer, isAvailabilityBad, isLatencyBad } from './span-semantics';
import type { SpanSample } from './span-sample';
import { attributeValueToString } from './span-sample';
import { SloSeries } from './slo-series';
import { SloStatus } from './slo-status';
import type { SloAlertEvent } from './slo-alert-event';
import type { SloEngineState, SloObjectiveState, SloSeriesState } from './slo-engine-state';
import { SLO_ENGINE_STATE_FORMAT, parseSloEngineState } from './slo-engine-state';
import { fingerprintChanges, objectiveFingerprint } from './objective-fingerprint';
import type { StateRestoreSummary } from './state-restore-summary';
import { boundedLabelValue } from './label-value';

export interface SloEngineOptions {
  readonly clock: Clock;
  /** Called on every alert transition (fire or resolve). */
  readonly onAlert?: (event: SloAlertEvent) => void;
  /** An alert listener that threw; the other listeners and series carry on. */
  readonly onError?: (error: unknown) => void;
}

const ONE_HOUR_INDEX = SLO_WINDOWS.findIndex((w) => w.label === '1h');

/** Everything decided once per objective, so the per-span loop only reads. */
class CompiledObjective {
  readonly matcher: ObjectiveMatcher;
  readonly index: BoundedSeriesIndex<SloSeries>;
  /** Availability SLI (else latency against latencyThresholdMs). */
  readonly availability: boolean;
  readonly latencyThresholdMs: number;
  readonly labelNames: readonly string[];
  /** Reused per span: [service, ...group_by values]. */
  readonly scratch: string[];
  readonly periodLabel: string;
  /** The period length the alerts' factors use before the first evaluation (30d for calendar periods). */
  readonly nominalPeriodMs: number;

  constructor(
    readonly spec: ObjectiveSpec,
    onTransition: ((series: SloSeries, transition: AlertTransition) => void) | undefined,
  ) {
    this.matcher = new ObjectiveMatcher(spec);
    this.availability = spec.sli.kind === 'availability';
    this.latencyThresholdMs = spec.sli.kind === 'latency' ? spec.sli.thresholdMs : Number.POSITIVE_INFINITY;
    this.labelNames = ['service', ...spec.groupBy];
    this.scratch = new Array<string>(this.labelNames.length).fill('');
    this.periodLabel = periodLabelOf(spec);
    const nominalPeriodMs = spec.period.kind === 'rolling' ? spec.period.durationMs : 30 * DAY_MS;
    this.nominalPeriodMs = nominalPeriodMs;
    this.index = new BoundedSeriesIndex<SloSeries>(this.labelNames.length, spec.maxSeries, (values, overflow) => {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ''));
      return new SloSeries(spec, labels, overflow, nominalPeriodMs, onTransition);
    });
  }

  /** Every series' state, in index order (the overflow series last), with its label values. */
  exportState(): SloObjectiveState {
    const series: SloSeriesState[] = [];
    this.index.forEach((s) => {
      series.push({ labelValues: this.labelNames.map((name) => s.labels[name] ?? ''), overflow: s.overflow, ...s.exportState() });
    });
    return { name: this.spec.name, fingerprint: objectiveFingerprint(this.spec), series };
  }

  /**
   * Why the saved series cannot be restored into this objective, or
   * undefined when every one of them can: checked for all before any is
   * restored, so an objective is restored whole or not at all.
   */
  restoreProblem(saved: readonly SloSeriesState[]): string | undefined {
    // Every series of an objective is built alike, so one detached series (no
    // listener, not in the index) answers stateMismatch for all of them.
    const probe = new SloSeries(this.spec, {}, false, this.nominalPeriodMs);
    const seen = new Set<string>();
    let overflowSeen = false;
    for (let i = 0; i < saved.length; i++) {
      const series = saved[i] as SloSeriesState;
      if (series.labelValues.length !== this.labelNames.length) {
        return `series ${i} has ${series.labelValues.length} label values, ${this.labelNames.length} expected (${this.labelNames.join(', ')})`;
      }
      const key = series.overflow ? '' : JSON.stringify(series.labelValues);
      if (series.overflow ? overflowSeen : seen.has(key)) {
        return `series ${i} (${series.overflow ? 'overflow' : key}) is saved twice`;
      }
      if (series.overflow) overflowSeen = true;
      else seen.add(key);
      const mismatch = probe.stateMismatch(series);
      if (mismatch !== undefined) return `series ${i}: ${mismatch}`;
    }
    return undefined;
  }

  /**
   * Restores the saved series (checked by `restoreProblem`) through the
   * bounded index: an existing series gets its state replaced, a new one is
   * created while max_series allows, the overflow series is created if
   * saved. Returns how many saved series found no room (max_series lowered
   * since): they are not restored, and their label sets will count in the
   * overflow series from now on.
   */
  restore(saved: readonly SloSeriesState[]): number {
    let dropped = 0;
    for (const series of saved) {
      let target: SloSeries | undefined;
      if (series.overflow) target = this.index.getOrCreateOverflow();
      else target = this.index.find(series.labelValues) ?? (this.index.hasRoom ? this.index.get(series.labelValues) : undefined);
      if (target === undefined) dropped++;
      else target.restoreState(series);
    }
    return dropped;
  }
}

function periodLabelOf(spec: ObjectiveSpec): string {
  if (spec.period.kind === 'calendar') return spec.period.unit;
  const ms = spec.period.durationMs;
  return ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : `${ms / 3_600_000}h`;
}

/**
 * The SLO engine: classifies spans against objectives and keeps one bounded
 * series per (objective, service, group_by values). Pure apart from the
 * injected clock; the agent and the gateway feed it through thin adapters.
 */
export class SloEngine {
  private readonly objectives: readonly CompiledObjective[];
  private readonly namer = new OperationNamer();
  private readonly readout: WindowReadout = createWindowReadout();
  private readonly status = new SloStatus();
  private readonly clock: Clock;
  /** onAlert and subscribers, in that order. */
  private readonly alertListeners: ((event: SloAlertEvent) => void)[] = [];
  private readonly onError: ((error: unknown) => void) | undefined;

  constructor(objectives: readonly ObjectiveSpec[], options: SloEngineOptions) {
    this.clock = options.clock;
    this.onError = options.onError;
    if (options.onAlert !== undefined) this.alertListeners.push(options.onAlert);
    // Always installed, since listeners may subscribe later; it runs on state changes only.
    const onTransition = (series: SloSeries, t: AlertTransition): void => this.reportTransition(series, t);
    this.objectives = objectives.map((o) => new CompiledObjective(o, onTransition));
  }

  /**
   * Delivers every later alert transition to `listener` too (the alert
   * exporters, through connectAlertSinks). Returns the unsubscribe function.
   */
  subscribe(listener: (event: SloAlertEvent) => void): () => void {
    this.alertListeners.push(listener);
    return () => {
      const at = this.alertListeners.indexOf(listener);
      if (at >= 0) this.alertListeners.splice(at, 1);
    };
  }

  get objectiveSpecs(): readonly ObjectiveSpec[] {
    return this.objectives.map((o) => o.spec);
  }

  /** Number of series across objectives, overflow series included. */
  get seriesCount(): number {
    let n = 0;
    for (const o of this.objectives) n += o.index.size + (o.index.overflowSeries === undefined ? 0 : 1);
    return n;
  }

  /**
   * Counts one finished span toward every objective it matches. O(objectives),
   * and allocation-light once its series exist (about 48 B per span: boxed
   * doubles for the times; bench:processors measures it).
   */
  record(span: SpanSample): void {
    const now = this.clock.now();
    // Spans stamped in the future (clock skew) count now; past ones go to their own bucket.
    const time = span.endTimeMs > 0 && span.endTimeMs < now ? span.endTimeMs : now;
    for (const o of this.objectives) {
      if (!o.matcher.matches(span, this.namer)) continue;
      const bad = o.availability ? isAvailabilityBad(span) : isLatencyBad(span, o.latencyThresholdMs);
      const values = o.scratch;
      values[0] = span.service;
      for (let g = 1; g < values.length; g++) values[g] = boundedLabelValue(attributeValueToString(span.attribute(o.labelNames[g] as string)));
      o.index.get(values).record(time, bad);
    }
  }

  /**
   * Everything needed to resume after a restart, as one structured-clone-able
   * value (see `SloEngineState`): per objective, its fingerprint and per
   * series the cumulative counters, windows, calendar counters, open
   * timeslice and alert firing states, all copied. Evaluates nothing and
   * changes nothing, so it may be called at any time between records.
   * Allocates about 22 KB per 30d series (the ring copies).
   */
  exportState(): SloEngineState {
    return {
      format: SLO_ENGINE_STATE_FORMAT,
      savedAtMs: this.clock.now(),
      objectives: this.objectives.map((o) => o.exportState()),
    };
  }

  /**
   * Takes over a state saved by `exportState` (possibly by an earlier
   * process, through `v8.serialize` / `v8.deserialize`). Call it before the
   * first `record`; called later, it replaces the state of the series it
   * restores and leaves the others alone.
   *
   * Per saved objective, by name: one no longer configured, or whose
   * fingerprint (sli, objective, period, budgeting, group_by, alert rules)
   * differs, or whose saved series do not fit (ring lengths, resolutions,
   * label count, a series saved twice), is skipped whole and starts cold;
   * the others are restored whole, their series recreated through the
   * bounded index (max_series still holds; the overflow series included).
   * Alert states come back without reporting anything: an alert firing
   * before the snapshot does not fire again, and resolves as usual.
   *
   * @returns counts of objectives restored and skipped, and the reasons.
   * @throws TypeError naming the field when `state` is malformed (wrong
   *   format, missing or mistyped field, inconsistent arrays or counts);
   *   nothing is changed then.
   */
  restoreState(state: unknown): StateRestoreSummary {
    const parsed = parseSloEngineState(state);
    let restored = 0;
    let skipped = 0;
    const reasons: string[] = [];
    for (const saved of parsed.objectives) {
      const compiled = this.objectives.find((o) => o.spec.name === saved.name);
      if (compiled === undefined) {
        skipped++;
        reasons.push(`objective "${saved.name}" is no longer configured: its saved state is dropped`);
        continue;
      }
      const changes = fingerprintChanges(saved.fingerprint, objectiveFingerprint(compiled.spec));
      const problem = changes.length > 0 ? changes.join('; ') : compiled.restoreProblem(saved.series);
      if (problem !== undefined) {
        skipped++;
        reasons.push(`objective "${saved.name}" starts cold: ${problem}`);
        continue;
      }
      const dropped = compiled.restore(saved.series);
      restored++;
      if (dropped > 0) {
        reasons.push(
          `objective "${saved.name}": ${dropped} saved series beyond max_series ${compiled.spec.maxSeries} not restored ` +
            '(their label sets count in the overflow series from now on)',
        );
      }
    }
    return { restored, skipped, reasons };
  }

  /** Re-evaluates every series' alerts at the clock's now, reporting transitions. */
  evaluate(): void {
    this.collect(() => undefined);
  }

  /**
   * Computes every series' status at the clock's now (evaluating its alerts
   * on the way) and hands it to `visit`. The status object is reused.
   */
  collect(visit: (series: SloSeries, status: SloStatus, periodLabel: string) => void): void {
    const now = this.clock.now();
    for (const o of this.objectives) {
      o.index.forEach((series) => {
        this.computeStatus(series, now);
        visit(series, this.status, o.periodLabel);
      });
    }
  }

  private computeStatus(series: SloSeries, now: number): void {
    const readout = this.readout;
    const status = this.status;
    const objective = series.objective.objective;
    series.state.read(now, readout);
    // Transitions are reported from inside evaluate, while `readout` still holds this series.
    series.alert.evaluate(now, readout);
    status.objective = objective;
    status.goodEvents = series.goodEvents;
    status.badEvents = series.badEvents;
    for (let i = 0; i < SLO_WINDOWS.length; i++) {
      const ratio = errorRatio(readout.bad[i] ?? 0, readout.total[i] ?? 0);
      status.windowTotal[i] = readout.total[i] ?? 0;
      status.windowErrorRatio[i] = ratio;
      status.windowBurnRate[i] = burnRate(ratio, objective);
    }
    status.periodMs = readout.periodMs;
    status.periodStartMs = readout.periodStartMs;
    status.periodTotal = readout.periodTotal;
    status.periodErrorRatio = errorRatio(readout.periodBad, readout.periodTotal);
    status.periodBurnRate = burnRate(status.periodErrorRatio, objective);
    status.errorBudgetRemaining = errorBudgetRemaining(status.periodErrorRatio, objective);
    status.budgetExhaustionSeconds = budgetExhaustionSeconds(
      status.errorBudgetRemaining,
      status.windowBurnRate[ONE_HOUR_INDEX] ?? 0,
      readout.periodMs,
    );
    status.pageFiring = series.alert.firing('page');
    status.ticketFiring = series.alert.firing('ticket');
  }

  private reportTransition(series: SloSeries, t: AlertTransition): void {
    if (this.alertListeners.length === 0) return;
    const readout = this.readout;
    const objective = series.objective.objective;
    const remaining = errorBudgetRemaining(errorRatio(readout.periodBad, readout.periodTotal), objective);
    const event: SloAlertEvent = {
        slo: series.objective.name,
        labels: series.labels,
        severity: t.severity,
        state: t.state,
        atMs: t.atMs,
        shortWindow: windowLabel(t.rule.shortWindowMs),
        longWindow: windowLabel(t.rule.longWindowMs),
        shortBurnRate: t.shortBurnRate,
        longBurnRate: t.longBurnRate,
        factor: t.factor,
        errorBudgetRemaining: remaining,
    };
    for (const listener of this.alertListeners) {
      try {
        listener(event);
      } catch (error) {
        // A listener's failure must not stop evaluation of the other series, nor the other listeners.
        try {
          this.onError?.(error);
        } catch {
          // Reporting the failure must not fail the evaluation either.
        }
      }
    }
  }
}

function windowLabel(ms: number): string {
  return SLO_WINDOWS.find((w) => w.ms === ms)?.label ?? `${ms}ms`;
}
