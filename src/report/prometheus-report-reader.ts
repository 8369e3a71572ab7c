import { SLO_METRIC_NAMES } from '../../exporters/prometheus/slo-metrics';
import { DEFAULT_SLO_ALERT_NAME } from '../rules/objective-rules';
import { groupByLabelName } from '../slo/objective-name';
import type { ObjectiveSpec, Severity } from '../slo/objective';
import { mergeOverlapping } from './alert-incidents';
import type { AlertIncidentSpan } from './alert-incidents';
import { budgetPointsOf } from './burn-down-series';
import type { CumulativeCounts } from './burn-down-series';
import { ReportInputError } from './report-input-error';
import { selectReportObjectives } from './report-objectives';
import type { ReportIncidentInput, SloReportEntryInput, SloReportInput } from './slo-report';

/**
 * Reads the SLO report's input from a Prometheus server that scrapes
 * slowatch's `/metrics` and evaluates the rules `slowatch rules` generates,
 * through its HTTP API (`/api/v1/query`, `/api/v1/query_range`).
 *
 * Decisions (docs/reports.md):
 * - Objectives come from the configuration (`--config`, the one the rules
 *   were generated from): the metrics carry the SLO's name and objective but
 *   not its SLI (availability or a latency threshold) or selector.
 * - good/bad over the period: the change of `slowatch_slo_events_total` over
 *   [from, to], evaluated at `to`, summed over every series and instance:
 *   `last − value at from` per series, a series born inside the period
 *   counting from 0 (slowatch's counters start at 0 with the process), and
 *   Prometheus' `increase()` for a series that reset (a restart) inside the
 *   period. Unlike a bare `increase()`, this neither extrapolates to the
 *   period's edges nor drops a new series' first sample, so it matches the
 *   store's counts on the same traffic.
 * - burn-down: a `query_range` of the same change since the period's start
 *   (`@ start()`), at a step that keeps at most `maxBurnDownPoints` points.
 * - incidents: the `ALERTS{alertname="SloErrorBudgetBurn", alertstate="firing"}`
 *   series the generated alert rules produce, at the query step's resolution
 *   (an incident starts at the first step it is seen firing and ends at the
 *   first step it is not); severity from `sloth_severity`. Budget spent is
 *   the change of the series' bad events over the incident, over the
 *   period's events × (1 − objective), as with the store.
 * - anomalies, regressions and recommendations are in the store only: empty.
 *
 * Memory: each answer is bounded by the step count (`maxBurnDownPoints`)
 * times the series of one SLO; incidents are capped at `maxIncidents`.
 */

export interface PrometheusReportOptions {
  /** The Prometheus server's base URL (a path is kept as a prefix). */
  readonly url: string;
  /** The objectives the rules were generated from. */
  readonly objectives: readonly ObjectiveSpec[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly label: string;
  /** Only these SLOs (`--slo`); an unknown name is an error listing the known ones. @default every objective */
  readonly slos?: readonly string[];
  /** Most burn-down points per SLO (at least 3). @default 200 */
  readonly maxBurnDownPoints?: number;
  /** Most incidents per SLO (the earliest); each costs one query. @default 100 */
  readonly maxIncidents?: number;
  /** Name of the generated alerts. @default 'SloErrorBudgetBurn' */
  readonly alertName?: string;
  /** How long one query may take. @default 60000 */
  readonly timeoutMs?: number;
  /** Called after each SLO (done of total), for a progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value?: readonly [number, string];
  readonly values?: readonly (readonly [number, string])[];
}

/** The report input from Prometheus, one entry per selected objective. */
export async function readPrometheusReportInput(options: PrometheusReportOptions): Promise<SloReportInput> {
  const period = { fromMs: options.fromMs, toMs: options.toMs, label: options.label };
  if (!(period.toMs > period.fromMs)) throw new RangeError(`the period must end after it starts (${period.fromMs} .. ${period.toMs})`);
  const maxPoints = options.maxBurnDownPoints ?? 200;
  if (!(Number.isInteger(maxPoints) && maxPoints >= 3)) throw new RangeError(`maxBurnDownPoints must be an integer >= 3, got ${maxPoints}`);
  const specs = selectReportObjectives(options.objectives, options.slos);
  const client = new PrometheusClient(options.url, options.fetch ?? fetch, options.timeoutMs ?? 60_000);
  // Whole seconds: Prometheus' durations and steps; at least 1 s.
  const stepSeconds = Math.max(1, Math.ceil((period.toMs - period.fromMs) / 1000 / (maxPoints - 1)));
  const slos: SloReportEntryInput[] = [];
  options.onProgress?.(0, specs.length);
  for (const spec of specs) {
    slos.push(await readEntry(client, spec, period, stepSeconds, options));
    options.onProgress?.(slos.length, specs.length);
  }
  return { period, slos };
}

async function readEntry(
  client: PrometheusClient,
  spec: ObjectiveSpec,
  period: { readonly fromMs: number; readonly toMs: number },
  stepSeconds: number,
  options: PrometheusReportOptions,
): Promise<SloReportEntryInput> {
  const selector = `${SLO_METRIC_NAMES.events}{slo=${promString(spec.name)}}`;
  const counts = outcomeCounts(await client.query(`sum by (outcome) (${periodChange(selector, rangeOf(period.toMs - period.fromMs))})`, period.toMs));
  const since = await client.queryRange(
    `sum by (outcome) (clamp_min(${selector} - (${selector} @ start() or ${selector} * 0), 0))`,
    period.fromMs,
    period.toMs,
    stepSeconds,
  );
  // The range starts at `from`, where nothing is spent yet; with no series at all there is no chart.
  const steps = cumulativeOf(since);
  const burnDown = steps.length === 0 ? [] : budgetPointsOf(steps[0]?.atMs === period.fromMs ? steps : [{ atMs: period.fromMs, good: 0, bad: 0 }, ...steps], spec.objective);
  const total = counts.good + counts.bad;
  const incidents = await readIncidents(client, spec, period, stepSeconds, total, options);
  return {
    name: spec.name,
    service: spec.service,
    objective: spec.objective,
    sli: spec.sli,
    goodEvents: counts.good,
    badEvents: counts.bad,
    burnDown,
    incidents,
    anomalies: [],
    regressions: [],
    recommendations: [],
  };
}

async function readIncidents(
  client: PrometheusClient,
  spec: ObjectiveSpec,
  period: { readonly fromMs: number; readonly toMs: number },
  stepSeconds: number,
  periodTotal: number,
  options: PrometheusReportOptions,
): Promise<ReportIncidentInput[]> {
  const alertName = options.alertName ?? DEFAULT_SLO_ALERT_NAME;
  const seriesLabels = ['service', ...spec.groupBy.map(groupByLabelName)];
  const firing = await client.queryRange(
    `ALERTS{alertname=${promString(alertName)}, alertstate="firing", slo=${promString(spec.name)}}`,
    period.fromMs,
    period.toMs,
    stepSeconds,
  );
  const bySeries = new Map<string, AlertIncidentSpan[]>();
  const labelsOf = new Map<string, Record<string, string>>();
  for (const sample of firing) {
    const severity = sample.metric['sloth_severity'];
    if (severity !== 'page' && severity !== 'ticket') continue;
    const labels: Record<string, string> = {};
    for (const name of seriesLabels) {
      const value = sample.metric[name];
      if (value !== undefined) labels[name] = value;
    }
    const series = JSON.stringify(labels);
    labelsOf.set(series, labels);
    const key = `${severity}\u0000${series}`;
    const spans = bySeries.get(key) ?? [];
    spans.push(...runsOf(sample.values ?? [], severity, series, stepSeconds * 1000, period.toMs));
    bySeries.set(key, spans);
  }
  const spans = [...bySeries.values()]
    .flatMap((list) => mergeOverlapping(list))
    .sort((a, b) => a.startMs - b.startMs)
    .slice(0, options.maxIncidents ?? 100);
  const budget = periodTotal * (1 - spec.objective);
  const incidents: ReportIncidentInput[] = [];
  for (const span of spans) {
    const endMs = span.endMs ?? period.toMs;
    const matchers = Object.entries(labelsOf.get(span.series) ?? {}).map(([name, value]) => `, ${name}=${promString(value)}`).join('');
    const bad = endMs > span.startMs ? await client.query(`sum(${periodChange(`${SLO_METRIC_NAMES.events}{slo=${promString(spec.name)}, outcome="bad"${matchers}}`, rangeOf(endMs - span.startMs))})`, endMs) : [];
    const badEvents = Number(bad[0]?.value?.[1] ?? 0);
    incidents.push({ severity: span.severity, startMs: span.startMs, endMs: span.endMs, budgetSpent: budget > 0 && Number.isFinite(badEvents) ? badEvents / budget : 0 });
  }
  return incidents;
}

/**
 * Runs of consecutive steps in a range answer (Prometheus omits the steps
 * where the series is absent): each run starts at its first step and ends at
 * the step after its last, or is open when its last step is the query's last.
 */
function runsOf(values: readonly (readonly [number, string])[], severity: Severity, series: string, stepMs: number, toMs: number): AlertIncidentSpan[] {
  const runs: AlertIncidentSpan[] = [];
  let startMs: number | undefined;
  let lastMs = 0;
  for (const [seconds] of values) {
    const atMs = Math.round(seconds * 1000);
    if (startMs !== undefined && atMs - lastMs > stepMs * 1.5) {
      runs.push({ severity, series, startMs, endMs: lastMs + stepMs });
      startMs = undefined;
    }
    startMs ??= atMs;
    lastMs = atMs;
  }
  if (startMs !== undefined) runs.push({ severity, series, startMs, endMs: lastMs + stepMs > toMs ? undefined : lastMs + stepMs });
  return runs;
}

/**
 * PromQL for each series' change over the `range` ending at the evaluation
 * time: last − first (a series absent at the range's start counts from 0),
 * or `increase()` where the counter reset within the range.
 */
function periodChange(selector: string, range: string): string {
  const last = `last_over_time(${selector}[${range}])`;
  return `((${last} - (${selector} offset ${range} or ${last} * 0)) unless resets(${selector}[${range}]) > 0) or increase(${selector}[${range}])`;
}

/** A PromQL duration of whole milliseconds. */
function rangeOf(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`;
}

/** A PromQL string literal. */
function promString(value: string): string {
  return JSON.stringify(value);
}

function outcomeCounts(samples: readonly PromSample[]): { good: number; bad: number } {
  const counts = { good: 0, bad: 0 };
  for (const sample of samples) {
    const outcome = sample.metric['outcome'];
    const value = Number(sample.value?.[1]);
    if ((outcome === 'good' || outcome === 'bad') && Number.isFinite(value)) counts[outcome] = Math.max(0, value);
  }
  return counts;
}

/** The range answer's good and bad series joined per step, time-ordered. */
function cumulativeOf(samples: readonly PromSample[]): CumulativeCounts[] {
  const byTime = new Map<number, { good: number; bad: number }>();
  for (const sample of samples) {
    const outcome = sample.metric['outcome'];
    if (outcome !== 'good' && outcome !== 'bad') continue;
    for (const [seconds, text] of sample.values ?? []) {
      const atMs = Math.round(seconds * 1000);
      const value = Number(text);
      const point = byTime.get(atMs) ?? { good: 0, bad: 0 };
      point[outcome] = Number.isFinite(value) ? value : 0;
      byTime.set(atMs, point);
    }
  }
  return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([atMs, counts]) => ({ atMs, ...counts }));
}

/** The two API calls the reader makes, with Prometheus' errors turned into ReportInputError. */
class PrometheusClient {
  private readonly base: URL;

  constructor(
    url: string,
    private readonly doFetch: typeof fetch,
    private readonly timeoutMs: number,
  ) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ReportInputError(`--prometheus ${JSON.stringify(url)}: expected an http:// or https:// URL, e.g. http://127.0.0.1:9090`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ReportInputError(`--prometheus ${JSON.stringify(url)}: expected an http:// or https:// URL, e.g. http://127.0.0.1:9090`);
    }
    if (!parsed.pathname.endsWith('/')) parsed.pathname = `${parsed.pathname}/`;
    this.base = parsed;
  }

  query(expr: string, atMs: number): Promise<readonly PromSample[]> {
    return this.call('api/v1/query', { query: expr, time: seconds(atMs) });
  }

  queryRange(expr: string, fromMs: number, toMs: number, stepSeconds: number): Promise<readonly PromSample[]> {
    return this.call('api/v1/query_range', { query: expr, start: seconds(fromMs), end: seconds(toMs), step: String(stepSeconds) });
  }

  private async call(endpoint: string, parameters: Record<string, string>): Promise<readonly PromSample[]> {
    const url = new URL(endpoint, this.base);
    let status: number;
    let text: string;
    try {
      // POST with a form body: a long expression never meets a URL length limit.
      const response = await this.doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(parameters).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
      const detail = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000} s` : typeof cause?.code === 'string' ? cause.code : String(error);
      throw new ReportInputError(`prometheus ${this.base.href}: cannot query (${detail}); is a Prometheus server listening there? (see --prometheus)`);
    }
    let body: { status?: unknown; error?: unknown; data?: { result?: unknown } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new ReportInputError(`prometheus ${url.href}: HTTP ${status}, not the Prometheus API's JSON (${text.slice(0, 80).replace(/\s+/g, ' ') || 'empty'})`);
    }
    if (body.status !== 'success') {
      throw new ReportInputError(`prometheus ${url.href}: HTTP ${status}: ${typeof body.error === 'string' ? body.error : 'query failed'} (query: ${parameters['query'] ?? ''})`);
    }
    const result = body.data?.result;
    return Array.isArray(result) ? (result as PromSample[]) : [];
  }
}

/** Unix seconds with millisecond precision, as the API takes them. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
