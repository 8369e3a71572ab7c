import type { Clock } from '../clock';
import { BoundedSeriesIndex } from '../engine/bounded-series-index';
import { attributeValueToString } from '../engine/span-sample';
import type { SpanSample } from '../engine/span-sample';
import { OperationNamer } from '../engine/span-semantics';
import { OTLP_SPAN_KIND_OF, SPAN_KIND_LABELS } from '../engine/span-kind-names';
import { createSeededRandom } from '../stats/mann-whitney/seeded-random';
import type { UniformRandom } from '../stats/mann-whitney/seeded-random';
import type { ComparisonDirection, LatencyClassifier, LatencyComparison } from './latency-classifier';
import { RecentEvents } from './recent-events';
import type { DeployEvent, RegressionEvent, RegressionOutcome, RegressionVerdict } from './regression-event';
import { RegressionKey } from './regression-key';
import type { KeySampling } from './regression-key';
import type { RegressionSpec } from './regression-spec';
import { ServiceVersions, runConcurrently } from './service-versions';
import type { TrackedVersion } from './service-versions';
import { boundedLabelValue } from '../engine/label-value';

/** The resource attribute that names a deploy. */
export const SERVICE_VERSION_ATTRIBUTE = 'service.version';

/** Any fixed seed will do: reservoir sampling needs independence from the data, not secrecy. */
const DEFAULT_SEED = 0x5eed_1a7e;

export interface RegressionEngineOptions {
  readonly clock: Clock;
  /** Compares baseline and new latencies: the Kayenta Mann-Whitney classifier, options bound. */
  readonly classify: LatencyClassifier;
  /** Picks reservoir slots. @default a Mulberry32 generator with a fixed seed */
  readonly random?: UniformRandom;
  /** Called for each regression or improvement (never for a pass). */
  readonly onRegression?: (event: RegressionEvent) => void;
  /** Called once per new version of a service, on the first evaluation after its first span. */
  readonly onDeploy?: (event: DeployEvent) => void;
  /** Called when the classifier throws; that key's pair is not compared again. */
  readonly onError?: (error: unknown) => void;
  /** Bound on classifications per evaluate(), so one evaluation stays short; the rest wait for the next. @default 100 */
  readonly maxComparisonsPerEvaluation?: number;
  /** Events kept for recentEvents(). @default 100 */
  readonly recentEventCapacity?: number;
}

/** Spans the engine saw but could not compare, by reason. */
export interface UntrackedSpans {
  /** No service.version resource attribute. */
  noVersion: number;
  /** The service came after `maxServices` others. */
  serviceLimit: number;
  /** The key came after `maxKeys` others (the overflow key). */
  keyLimit: number;
  /** A negative or non-finite duration (a broken clock in the client). */
  invalidDuration: number;
}

/**
 * Deploy regressions: watches each service's `service.version`, keeps
 * recent latency samples per (service, operation, span kind) and version,
 * and once a new version and the one it replaced both hold `minSamples`
 * samples of an operation, compares them with a two-sample classifier
 * (Kayenta's Mann-Whitney U): one verdict per key and version pair.
 *
 * The span path (record) is O(1) amortized, allocation-free in the steady
 * state and never classifies; classification happens in evaluate(), which
 * the processors call on a timer and on each scrape. Pure apart from the
 * injected clock and random source; every structure is bounded (see
 * docs/deploy-regressions.md for the bytes).
 */
export class RegressionEngine {
  private readonly clock: Clock;
  private readonly classify: LatencyClassifier;
  private readonly random: UniformRandom;
  /** onRegression and subscribers, in that order. */
  private readonly regressionListeners: ((event: RegressionEvent) => void)[] = [];
  private readonly onDeploy: ((event: DeployEvent) => void) | undefined;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly maxComparisons: number;
  private readonly direction: ComparisonDirection;
  /** Sampled span kinds, indexed by OTLP number. */
  private readonly kindEnabled: readonly boolean[];
  private readonly serviceFilter: ReadonlySet<string> | undefined;
  private readonly services = new Map<string, ServiceVersions>();
  private readonly keys: BoundedSeriesIndex<RegressionKey>;
  private readonly namer = new OperationNamer();
  /** Reused per span: [service, operation, span kind]. */
  private readonly scratch: string[] = ['', '', ''];
  private readonly controlScratch: number[] = [];
  private readonly experimentScratch: number[] = [];
  private readonly events: RecentEvents<RegressionEvent>;
  readonly untracked: UntrackedSpans = { noVersion: 0, serviceLimit: 0, keyLimit: 0, invalidDuration: 0 };
  /** Classifications that threw, since start. */
  classificationFailures = 0;

  constructor(
    readonly spec: RegressionSpec,
    options: RegressionEngineOptions,
  ) {
    if (!Number.isInteger(spec.minSamples) || spec.minSamples < 1) throw new RangeError(`minSamples must be an integer >= 1, got ${spec.minSamples}`);
    if (spec.minSamples > spec.reservoirSize) throw new RangeError(`minSamples (${spec.minSamples}) must not exceed reservoirSize (${spec.reservoirSize})`);
    this.clock = options.clock;
    this.classify = options.classify;
    this.random = options.random ?? createSeededRandom(DEFAULT_SEED);
    if (options.onRegression !== undefined) this.regressionListeners.push(options.onRegression);
    this.onDeploy = options.onDeploy;
    this.onError = options.onError;
    this.maxComparisons = options.maxComparisonsPerEvaluation ?? 100;
    this.direction = spec.reportImprovements ? 'either' : 'increase';
    const enabled = SPAN_KIND_LABELS.map(() => false);
    for (const kind of spec.spanKinds) enabled[OTLP_SPAN_KIND_OF[kind]] = true;
    this.kindEnabled = enabled;
    this.serviceFilter = spec.services.length > 0 ? new Set(spec.services) : undefined;
    this.events = new RecentEvents(options.recentEventCapacity ?? 100);
    const sampling: KeySampling = {
      maxVersions: spec.maxVersions,
      generationCapacity: Math.ceil(spec.reservoirSize / 2),
      generationMs: spec.windowMs / 2,
    };
    this.keys = new BoundedSeriesIndex<RegressionKey>(3, spec.maxKeys, (values, overflow) => {
      const service = values[0] as string;
      return new RegressionKey(service, values[1] as string, values[2] as string, overflow ? undefined : this.services.get(service), sampling);
    });
  }

  /**
   * Delivers every later regression or improvement to `listener` too (the
   * alert exporters, through connectAlertSinks). Returns the unsubscribe function.
   */
  subscribe(listener: (event: RegressionEvent) => void): () => void {
    this.regressionListeners.push(listener);
    return () => {
      const at = this.regressionListeners.indexOf(listener);
      if (at >= 0) this.regressionListeners.splice(at, 1);
    };
  }

  /** Keys tracked, the overflow key excluded. */
  get keyCount(): number {
    return this.keys.size;
  }

  /**
   * Samples one finished span. O(1) amortized (a scan of at most maxVersions
   * strings when a service's spans alternate between versions); never throws
   * for any span shape and never classifies.
   */
  record(span: SpanSample): void {
    const kind = span.kind;
    if (this.kindEnabled[kind] !== true) return;
    if (this.serviceFilter !== undefined && !this.serviceFilter.has(span.service)) return;
    const rawVersion = span.resourceAttributes[SERVICE_VERSION_ATTRIBUTE];
    const versionName = boundedLabelValue(typeof rawVersion === 'string' ? rawVersion : attributeValueToString(rawVersion));
    if (versionName === '') {
      this.untracked.noVersion++;
      return;
    }
    const now = this.clock.now();
    const service = this.serviceOf(span.service);
    if (service === undefined) {
      this.untracked.serviceLimit++;
      return;
    }
    const version = service.observe(versionName, now);
    const scratch = this.scratch;
    scratch[0] = span.service;
    scratch[1] = this.namer.operation(span);
    scratch[2] = SPAN_KIND_LABELS[kind] as string;
    const key = this.keys.get(scratch);
    key.spans++;
    if (key.overflow) {
      this.untracked.keyLimit++;
      return;
    }
    // A deploy's first moments are not representative (cold caches, JIT); the first version a service shows is no deploy.
    if (version.baselineId >= 0 && now - version.firstSeenMs < this.spec.warmupMs) return;
    const durationMs = span.durationMs;
    if (!(durationMs >= 0 && durationMs < Number.POSITIVE_INFINITY)) {
      this.untracked.invalidDuration++;
      return;
    }
    key.record(version, durationMs, now, this.random);
  }

  /**
   * Reports new versions, then compares every key whose newest version and
   * its baseline both hold minSamples samples and that has no verdict for
   * that pair yet, at most maxComparisonsPerEvaluation of them. Never throws.
   */
  evaluate(): void {
    const now = this.clock.now();
    for (const service of this.services.values()) this.reportDeploys(service, now);
    let budget = this.maxComparisons;
    this.keys.forEach((key) => {
      if (budget > 0 && this.compare(key, now)) budget--;
    });
  }

  /** The last events, oldest first (at most recentEventCapacity). */
  recentEvents(): RegressionEvent[] {
    return this.events.toArray();
  }

  /** Visits every key, the overflow key last. */
  forEachKey(visit: (key: RegressionKey) => void): void {
    this.keys.forEach(visit);
  }

  /** Visits every tracked service with whether its newest version runs alongside its baseline now. */
  forEachService(visit: (service: ServiceVersions, concurrent: boolean) => void): void {
    const now = this.clock.now();
    for (const service of this.services.values()) visit(service, this.isConcurrent(service, service.newest, now));
  }

  private serviceOf(name: string): ServiceVersions | undefined {
    let service = this.services.get(name);
    if (service === undefined) {
      if (this.services.size >= this.spec.maxServices) return undefined;
      service = new ServiceVersions(name, this.spec.maxVersions);
      this.services.set(name, service);
    }
    return service;
  }

  private isConcurrent(service: ServiceVersions, candidate: TrackedVersion | undefined, now: number): boolean {
    if (candidate === undefined || candidate.baselineId < 0) return false;
    const baseline = service.find(candidate.baselineId);
    return baseline !== undefined && runConcurrently(baseline, candidate, now, this.spec.canaryWindowMs);
  }

  private reportDeploys(service: ServiceVersions, now: number): void {
    for (const version of service.versions) {
      if (version.reported) continue;
      version.reported = true;
      try {
        this.onDeploy?.({ service: service.service, baselineVersion: version.baselineVersion, version: version.version, firstSeenMs: version.firstSeenMs, atMs: now });
      } catch {
        // A listener's failure must not stop the evaluation.
      }
    }
  }

  /** Compares one key if it is due; true when the classifier ran. */
  private compare(key: RegressionKey, now: number): boolean {
    const service = key.versions;
    const candidate = service?.newest;
    if (service === undefined || candidate === undefined || candidate.baselineId < 0 || key.decidedVersionId === candidate.id) return false;
    const controlSamples = key.samplesOf(candidate.baselineId);
    const experimentSamples = key.samplesOf(candidate.id);
    const min = this.spec.minSamples;
    if (controlSamples === undefined || experimentSamples === undefined || controlSamples.size < min || experimentSamples.size < min) return false;

    key.decidedVersionId = candidate.id;
    const control = this.controlScratch;
    const experiment = this.experimentScratch;
    control.length = 0;
    experiment.length = 0;
    const controlSum = controlSamples.appendTo(control);
    const experimentSum = experimentSamples.appendTo(experiment);
    let comparison: LatencyComparison;
    try {
      comparison = this.classify(control, experiment, this.direction);
    } catch (error) {
      this.classificationFailures++;
      try {
        this.onError?.(error);
      } catch {
        // Reporting a failure must not fail the evaluation.
      }
      return true;
    }
    const verdict: RegressionVerdict = {
      outcome: this.outcomeOf(comparison.classification),
      classification: comparison.classification,
      critical: comparison.critical,
      baselineVersion: candidate.baselineVersion,
      version: candidate.version,
      canary: this.isConcurrent(service, candidate, now),
      effectSize: comparison.effectSize,
      pValue: comparison.pValue,
      confidenceInterval: [comparison.confidenceInterval[0], comparison.confidenceInterval[1]],
      estimateMs: comparison.estimate,
      controlCount: control.length,
      experimentCount: experiment.length,
      controlMeanMs: controlSum / control.length,
      experimentMeanMs: experimentSum / experiment.length,
      atMs: now,
      deployedAtMs: candidate.firstSeenMs,
    };
    key.latest = verdict;
    if (verdict.outcome !== 'pass') this.emit(key, verdict as RegressionVerdict & { outcome: RegressionEvent['outcome'] });
    return true;
  }

  private outcomeOf(classification: string): RegressionOutcome {
    if (classification === 'High') return 'regression';
    if (classification === 'Low' && this.spec.reportImprovements) return 'improvement';
    return 'pass';
  }

  private emit(key: RegressionKey, verdict: RegressionVerdict & { outcome: RegressionEvent['outcome'] }): void {
    const event: RegressionEvent = { ...verdict, service: key.service, operation: key.operation, spanKind: key.spanKind };
    if (event.outcome === 'regression') key.regressions++;
    else key.improvements++;
    this.events.push(event);
    for (const listener of this.regressionListeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not stop the comparisons of other keys, nor the other listeners.
      }
    }
  }
}
