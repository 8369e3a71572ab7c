import { OperationNamer } from '../engine/span-semantics';
import type { ObjectiveSpec } from '../slo/objective';
import { DependencyStats, ERROR_PRONE_DEPENDENCY_TYPE, SLOW_DB_STATEMENT_TYPE } from './dependency-stats';
import type { DependencyStatsOptions } from './dependency-stats-options';
import { DOMINANT_DEPENDENCY_TYPE, DominantDependencyStats } from './dominant-dependency';
import type { DominantDependencyOptions } from './dominant-dependency-options';
import { LatencyObjectiveLookup } from './latency-objective-lookup';
import type { LatencyObjective } from './latency-objective-lookup';
import { N_PLUS_ONE_DB, N_PLUS_ONE_HTTP, NPlusOneAnalyzer } from './n-plus-one-analyzer';
import type { NPlusOneOptions } from './n-plus-one-options';
import type { HotFunction, Recommendation, RecommendationFilter, RecommendationImpact, RecommendationSource } from './recommendation';
import { RECOMMENDATION_TYPES } from './recommendation-catalog';
import { recommendationId } from './recommendation-id';
import { severityOf } from './recommendation-severity';
import { RecommendationStore } from './recommendation-store';
import type { RecommendationCandidate, RecommendationChange, RecommendationStoreOptions } from './recommendation-store';
import { EVENT_LOOP_BLOCKING, EventLoopBlockingDetector, GC_PRESSURE, GcPressureDetector, MEMORY_LEAK_SUSPECTED, MemoryLeakDetector } from './runtime-signals';
import type { RuntimeFinding } from './runtime-signals';
import type { EventLoopBlockingOptions, GcPressureOptions, MemoryLeakOptions } from './runtime-signals-options';
import { SEQUENTIAL_CALLS_TYPE, findSequentialCalls, resolveSequentialCallsOptions } from './sequential-calls-analyzer';
import type { ResolvedSequentialCallsOptions, SequentialCallsOptions } from './sequential-calls-analyzer';
import { TraceBuffer } from './trace-buffer';
import type { AssembledTrace, TraceBufferStats } from './trace-buffer';
import type { TraceBufferOptions } from './trace-buffer-options';
import type { TraceFinding, TraceSpan } from './trace-span';
import { TraceTree, isEntrySpan } from './trace-tree';
import { SqlNormalizationCache } from './sql-normalization-cache';
import { GenerationClock, WindowedFigures } from './windowed-counts';

export interface RecommendEngineOptions {
  /** Trace assembly: decision wait and caps. */
  readonly buffer?: TraceBufferOptions;
  readonly nPlusOne?: NPlusOneOptions;
  readonly sequentialCalls?: SequentialCallsOptions;
  /** slow_db_statement and error_prone_dependency. */
  readonly dependencyStats?: DependencyStatsOptions;
  readonly dominantDependency?: DominantDependencyOptions;
  readonly eventLoopBlocking?: EventLoopBlockingOptions;
  readonly gcPressure?: GcPressureOptions;
  readonly memoryLeak?: MemoryLeakOptions;
  readonly store?: RecommendationStoreOptions;
  /** Type ids not to report. @default [] */
  readonly disabledTypes?: readonly string[];
  /**
   * Window over which per-trace findings and operation traffic are counted.
   * @default 600_000 (10 minutes)
   */
  readonly windowMs?: number;
  /**
   * Traces in the window that must show a per-trace finding (N+1, sequential
   * calls) before it becomes a recommendation: one slow trace is an anecdote.
   * @default 3
   */
  readonly minOccurrences?: number;
  /**
   * Fingerprints of per-trace findings tracked; findings of further ones are only counted.
   * @default 2000
   */
  readonly maxFindingKeys?: number;
  /**
   * (service, operation) pairs whose traffic is counted; further ones are only counted in total.
   * @default 5000
   */
  readonly maxOperations?: number;
  /**
   * Services with runtime-signal detectors; runtime samples of further services are dropped and counted.
   * @default 100
   */
  readonly maxServices?: number;
  /** The SLOs whose latency objectives give a recommendation its share of the error budget. @default [] */
  readonly objectives?: readonly ObjectiveSpec[];
  /** Shared with the SLO engine when there is one, so operations are named once. @default a new one */
  readonly operationNamer?: OperationNamer;
}

export interface RecommendEngineStats {
  readonly buffer: TraceBufferStats;
  readonly tracesAnalyzed: number;
  /** Decided traces queued for analysis. */
  readonly tracesPending: number;
  /** Decided traces dropped from a full analysis queue (analysis falling behind). */
  readonly tracesDroppedUnanalyzed: number;
  /** Traces decided early (caps) or at shutdown: the per-trace analyzers skip them. */
  readonly truncatedTracesSkipped: number;
  /** Failures of one analyzer on one trace or evaluation, by analyzer: counted and logged once, never thrown. */
  readonly analyzerErrors: Readonly<Record<string, number>>;
  readonly findingKeys: number;
  readonly findingKeysOverflow: number;
  readonly operations: number;
  readonly operationsOverflow: number;
  readonly runtimeServices: number;
  readonly runtimeSamplesDropped: number;
  readonly recommendations: number;
  readonly recommendationsOpen: number;
  readonly recommendationsDropped: number;
}

/** Running figures of one per-trace fingerprint. About 400 bytes plus its key and evidence. */
interface FindingEntry {
  readonly type: string;
  readonly service: string;
  readonly operation: string;
  readonly groupKey: string;
  readonly impact: WindowedFigures;
  /** Entry-span durations of the traces that showed it. */
  readonly latency: WindowedFigures;
  /** Traces over the latency SLO's threshold that the fix would bring under it. */
  readonly rescued: WindowedFigures;
  /** Newest first, at most EXAMPLE_TRACE_IDS. */
  exampleTraceIds: string[];
  evidence: TraceFinding['evidence'];
  lastSeenMs: number;
  /** Traces since the previous evaluation reported it. */
  unreported: number;
}

/** Traffic of one entry operation. */
interface OperationEntry {
  readonly service: string;
  readonly operation: string;
  readonly latency: WindowedFigures;
}

interface RuntimeDetectors {
  readonly eventLoop: EventLoopBlockingDetector;
  readonly gc: GcPressureDetector;
  readonly memory: MemoryLeakDetector;
  /** Time of the newest sample: processes that stopped reporting are evicted when the map is full. */
  lastSampleMs: number;
}

const EXAMPLE_TRACE_IDS = 5;
/** Share of event-loop turns a p99 figure speaks for. */
const P99_TAIL = 0.01;

/** Types whose findings name the operation's time more precisely than dominant_dependency. */
const SPECIFIC_TYPES: ReadonlySet<string> = new Set([N_PLUS_ONE_DB, N_PLUS_ONE_HTTP, SEQUENTIAL_CALLS_TYPE, SLOW_DB_STATEMENT_TYPE]);

const DEFAULTS = {
  windowMs: 600_000,
  minOccurrences: 3,
  maxFindingKeys: 2000,
  maxOperations: 5000,
  maxServices: 100,
};

/**
 * The recommend processor's engine, shared by the agent and the gateway:
 * spans in (`addSpan`, O(1): the trace buffer), runtime samples in. An
 * evaluation decides the due traces (`decideDue`: they join a queue),
 * analyses the queue (`analyzePending`, in slices the processor's loop
 * spreads over turns of the event loop), then aggregates the findings into
 * candidates and updates the store (`update`); `evaluate` does all three at
 * once. No analysis ever runs in the caller of `addSpan`, not even when the
 * buffer is full and evicts a trace: evicted traces are queued too. The
 * queue holds at most `max_spans` spans; past that the oldest queued traces
 * are dropped unanalysed and counted.
 *
 * Deduplication across analyzers: dominant_dependency gives way on an
 * operation where a more specific type (N+1, sequential calls, slow
 * statement) is reported, and when its dominant part is the operation's own
 * code in a service whose event loop is reported blocked; sequential_calls
 * collapses identical repeats (those are N+1's, see the analyzer).
 *
 * Memory, at the defaults: the trace buffer (full, 200 000 spans: bench:processors
 * measures 72 MB in the agent, 379 B per span, and 123 MB in the gateway,
 * 643 B per span, whose ids and strings come decoded from protobuf), 2000 finding entries × ~1 KB, 5000
 * operation entries × ~150 B, the cross-trace stats (see DependencyStats and
 * DominantDependencyStats), 100 services × 3 detectors × 512 samples × 16 B,
 * and the store (≈ 3 MB).
 */
export class RecommendEngine implements RecommendationSource {
  readonly store: RecommendationStore;
  private readonly buffer: TraceBuffer<TraceSpan>;
  private readonly namer: OperationNamer;
  private readonly nPlusOne: NPlusOneAnalyzer;
  private readonly sequentialOptions: ResolvedSequentialCallsOptions;
  private readonly dependencies: DependencyStats;
  private readonly dominant: DominantDependencyStats;
  private readonly objectives: LatencyObjectiveLookup;
  private readonly disabled: ReadonlySet<string>;
  private readonly clock: GenerationClock;
  private readonly minOccurrences: number;
  private readonly maxFindingKeys: number;
  private readonly maxOperations: number;
  private readonly maxServices: number;
  private readonly runtimeOptions: { eventLoop?: EventLoopBlockingOptions; gc?: GcPressureOptions; memory?: MemoryLeakOptions };
  private readonly findings = new Map<string, FindingEntry>();
  private readonly operations = new Map<string, OperationEntry>();
  private readonly runtime = new Map<string, RuntimeDetectors>();
  private readonly errors: Record<string, number> = {};
  private findingOverflow = 0;
  private operationOverflow = 0;
  private runtimeDropped = 0;
  private tracesAnalyzed = 0;
  private truncatedSkipped = 0;
  private firstSeenMs = Number.NaN;
  private analysisNowMs = 0;
  private readonly sqlCache = new SqlNormalizationCache();
  /** Decided traces waiting for analysis, from `pendingHead` on. */
  private readonly pending: AssembledTrace<TraceSpan>[] = [];
  private pendingHead = 0;
  private pendingSpans = 0;
  private readonly maxPendingSpans: number;
  private droppedUnanalyzed = 0;
  /** Called with the analyzer's name on its first failure, so the adapter can log once. */
  onAnalyzerError: ((analyzer: string, error: unknown) => void) | undefined;

  constructor(options: RecommendEngineOptions = {}) {
    for (const type of options.disabledTypes ?? []) {
      if (!RECOMMENDATION_TYPES.includes(type)) throw new RangeError(`recommend engine: unknown type ${JSON.stringify(type)} in disabledTypes (known: ${RECOMMENDATION_TYPES.join(', ')})`);
    }
    const windowMs = options.windowMs ?? DEFAULTS.windowMs;
    const minOccurrences = options.minOccurrences ?? DEFAULTS.minOccurrences;
    if (!Number.isInteger(minOccurrences) || minOccurrences < 1) throw new RangeError(`recommend engine: minOccurrences must be a positive integer, got ${minOccurrences}`);
    this.clock = new GenerationClock(windowMs);
    this.minOccurrences = minOccurrences;
    this.maxFindingKeys = options.maxFindingKeys ?? DEFAULTS.maxFindingKeys;
    this.maxOperations = options.maxOperations ?? DEFAULTS.maxOperations;
    this.maxServices = options.maxServices ?? DEFAULTS.maxServices;
    this.disabled = new Set(options.disabledTypes ?? []);
    this.namer = options.operationNamer ?? new OperationNamer();
    this.nPlusOne = new NPlusOneAnalyzer(options.nPlusOne);
    this.sequentialOptions = resolveSequentialCallsOptions(options.sequentialCalls);
    this.dependencies = new DependencyStats(options.dependencyStats);
    this.dominant = new DominantDependencyStats(options.dominantDependency);
    this.objectives = new LatencyObjectiveLookup(options.objectives ?? [], this.maxOperations);
    this.runtimeOptions = { eventLoop: options.eventLoopBlocking, gc: options.gcPressure, memory: options.memoryLeak };
    this.store = new RecommendationStore(options.store);
    // Decided traces are queued, never analysed where they are decided: an
    // eviction happens inside addSpan, i.e. inside the application's onEnd.
    this.buffer = new TraceBuffer<TraceSpan>({ onTrace: (trace) => this.enqueue(trace) }, options.buffer);
    this.maxPendingSpans = this.buffer.options.maxSpans;
  }

  /** One finished span. O(1) amortised; the trace is analysed once decided. */
  addSpan(span: TraceSpan, nowMs: number): void {
    this.buffer.add(span.traceId, span, nowMs);
  }

  /**
   * `nodejs.eventloop.delay.p99` of one process of a service, in milliseconds.
   * Runtime signals belong to a process: `instance` (service.instance.id)
   * keeps the processes of one service apart; their findings share the
   * service's recommendation.
   */
  recordEventLoopDelayP99(service: string, timeMs: number, p99Ms: number, instance = ''): void {
    this.detectorsOf(service, instance, timeMs)?.eventLoop.record(timeMs, p99Ms);
  }

  /** Cumulative sum of `v8js.gc.duration` in seconds; `seriesStartMs` tells a restart from a reset. */
  recordGcDurationSum(service: string, timeMs: number, sumSeconds: number, seriesStartMs?: number, instance = ''): void {
    this.detectorsOf(service, instance, timeMs)?.gc.record(timeMs, sumSeconds, seriesStartMs);
  }

  /** Heap used, ideally read after a major GC, in bytes. */
  recordHeapUsed(service: string, timeMs: number, bytes: number, instance = ''): void {
    this.detectorsOf(service, instance, timeMs)?.memory.record(timeMs, bytes);
  }

  /** Hot functions of a CPU profile of `service`'s process (the agent's profiler). */
  attachProfile(service: string, functions: readonly HotFunction[], reason: string, nowMs: number): void {
    this.store.attachProfile(service, functions, reason, nowMs);
  }

  /**
   * Decides the due traces, analyses them, and updates the recommendations.
   * Returns what changed (opened, reopened, escalated, resolved).
   */
  evaluate(nowMs: number): RecommendationChange[] {
    this.decideDue(nowMs);
    this.analyzePending(nowMs, Number.POSITIVE_INFINITY);
    return this.update(nowMs);
  }

  /** Decides every trace in flight (shutdown), then evaluates. */
  flush(nowMs: number): RecommendationChange[] {
    this.buffer.flush(nowMs);
    this.analyzePending(nowMs, Number.POSITIVE_INFINITY);
    return this.update(nowMs);
  }

  /**
   * The first step of an evaluation in slices: decides the traces whose
   * decision wait is over (they join the queue of traces to analyse). Cheap:
   * no analysis.
   */
  decideDue(nowMs: number): void {
    this.buffer.tick(nowMs);
  }

  /**
   * Analyses at most `maxTraces` queued traces holding about `maxSpans`
   * spans (at least one trace), oldest first; returns how many are still queued. The processors call it in slices between turns
   * of the event loop, so that a large backlog never blocks it for long.
   */
  analyzePending(nowMs: number, maxTraces: number, maxSpans = Number.POSITIVE_INFINITY): number {
    this.analysisNowMs = nowMs;
    let done = 0;
    let spans = 0;
    // At least one trace per call, whatever its size, so the queue always moves.
    while (this.pendingHead < this.pending.length && done < maxTraces && (done === 0 || spans < maxSpans)) {
      const trace = this.pending[this.pendingHead]!;
      this.pending[this.pendingHead++] = undefined as unknown as AssembledTrace<TraceSpan>;
      this.pendingSpans -= trace.spans.length;
      spans += trace.spans.length;
      done++;
      this.analyze(trace);
    }
    this.compactPending();
    return this.pending.length - this.pendingHead;
  }

  /** Traces decided and waiting for analysis. */
  get pendingTraces(): number {
    return this.pending.length - this.pendingHead;
  }

  /** Drops the consumed front of the queue once it is most of the array, so the array stays within twice what is queued. */
  private compactPending(): void {
    if (this.pendingHead === this.pending.length) {
      this.pending.length = 0;
      this.pendingHead = 0;
    } else if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending.splice(0, this.pendingHead);
      this.pendingHead = 0;
    }
  }

  /** The last step of an evaluation: the candidates of the analysed traces and runtime signals into the store. */
  update(nowMs: number): RecommendationChange[] {
    const superseded = new Set<string>();
    return this.store.update(this.candidates(nowMs, superseded), nowMs, superseded);
  }

  list(filter?: RecommendationFilter): Recommendation[] {
    return this.store.list(filter);
  }

  stats(): RecommendEngineStats {
    const all = this.store.list();
    return {
      buffer: this.buffer.stats(),
      tracesAnalyzed: this.tracesAnalyzed,
      tracesPending: this.pending.length - this.pendingHead,
      tracesDroppedUnanalyzed: this.droppedUnanalyzed,
      truncatedTracesSkipped: this.truncatedSkipped,
      analyzerErrors: { ...this.errors },
      findingKeys: this.findings.size,
      findingKeysOverflow: this.findingOverflow,
      operations: this.operations.size,
      operationsOverflow: this.operationOverflow,
      runtimeServices: this.runtime.size,
      runtimeSamplesDropped: this.runtimeDropped,
      recommendations: all.length,
      recommendationsOpen: all.filter((r) => r.status === 'open').length,
      recommendationsDropped: this.store.dropped,
    };
  }

  // -------------------------------------------------------------------------
  // Analysis of one decided trace (runs inside analyzePending).

  /**
   * Queues a decided trace. The queue holds at most as many spans as the
   * buffer may (max_spans): past that the oldest queued traces are dropped
   * unanalysed, and counted.
   */
  private enqueue(trace: AssembledTrace<TraceSpan>): void {
    this.pending.push(trace);
    this.pendingSpans += trace.spans.length;
    while (this.pendingSpans > this.maxPendingSpans && this.pendingHead < this.pending.length - 1) {
      const dropped = this.pending[this.pendingHead]!;
      this.pending[this.pendingHead++] = undefined as unknown as AssembledTrace<TraceSpan>;
      this.pendingSpans -= dropped.spans.length;
      this.droppedUnanalyzed++;
    }
    this.compactPending();
  }

  private analyze(trace: AssembledTrace<TraceSpan>): void {
    const nowMs = this.analysisNowMs;
    if (Number.isNaN(this.firstSeenMs)) this.firstSeenMs = trace.firstSpanAtMs;
    this.tracesAnalyzed++;
    let tree: TraceTree;
    try {
      tree = new TraceTree(trace.spans, { operationNamer: this.namer, sqlCache: this.sqlCache });
    } catch (error) {
      this.failed('trace_tree', error);
      return;
    }
    const generation = this.clock.generationOf(nowMs);
    const entryLatency = new Map<string, number>();
    for (const span of tree.spans) {
      if (!isEntrySpan(span)) continue;
      const operation = tree.operationOf(span);
      const durationMs = Math.max(0, span.endTimeMs - span.startTimeMs);
      const key = `${span.service}\n${operation}`;
      entryLatency.set(key, Math.max(durationMs, entryLatency.get(key) ?? 0));
      this.operationOf(key, span.service, operation)?.latency.add(generation, durationMs);
    }
    if (trace.truncated === undefined) {
      const found: TraceFinding[] = [];
      this.run('n_plus_one', () => {
        for (const f of this.nPlusOne.analyze(tree)) if (!this.disabled.has(f.type)) found.push(f);
      });
      if (!this.disabled.has(SEQUENTIAL_CALLS_TYPE)) this.run(SEQUENTIAL_CALLS_TYPE, () => found.push(...findSequentialCalls(tree, this.sequentialOptions)));
      for (const finding of mergePerTrace(found)) this.record(finding, entryLatency.get(`${finding.service}\n${finding.operation}`) ?? 0, generation, nowMs);
      if (!this.disabled.has(DOMINANT_DEPENDENCY_TYPE)) this.run(DOMINANT_DEPENDENCY_TYPE, () => this.dominant.observe(tree, nowMs));
    } else {
      this.truncatedSkipped++;
    }
    if (!this.disabled.has(SLOW_DB_STATEMENT_TYPE) || !this.disabled.has(ERROR_PRONE_DEPENDENCY_TYPE)) {
      this.run('dependency_stats', () => this.dependencies.observe(tree, nowMs));
    }
  }

  private record(finding: TraceFinding, entryMs: number, generation: number, nowMs: number): void {
    const key = `${finding.type}\n${finding.service}\n${finding.operation}\n${finding.groupKey}`;
    let entry = this.findings.get(key);
    if (entry === undefined) {
      if (this.findings.size >= this.maxFindingKeys && !this.evictIdleFinding(generation)) {
        this.findingOverflow++;
        return;
      }
      entry = {
        type: finding.type,
        service: finding.service,
        operation: finding.operation,
        groupKey: finding.groupKey,
        impact: new WindowedFigures(),
        latency: new WindowedFigures(),
        rescued: new WindowedFigures(),
        exampleTraceIds: [],
        evidence: finding.evidence,
        lastSeenMs: nowMs,
        unreported: 0,
      };
      this.findings.set(key, entry);
    }
    entry.impact.add(generation, finding.impactMs);
    entry.latency.add(generation, entryMs);
    const objective = this.objectives.find(finding.service, finding.operation);
    if (objective !== undefined && entryMs > objective.thresholdMs && entryMs - finding.impactMs <= objective.thresholdMs) entry.rescued.add(generation, 1);
    entry.evidence = finding.evidence;
    entry.lastSeenMs = nowMs;
    entry.unreported++;
    if (!entry.exampleTraceIds.includes(finding.traceId)) {
      entry.exampleTraceIds.unshift(finding.traceId);
      if (entry.exampleTraceIds.length > EXAMPLE_TRACE_IDS) entry.exampleTraceIds.pop();
    }
  }

  /** Frees the slot of a fingerprint with nothing left in its window. O(keys), only when full. */
  private evictIdleFinding(generation: number): boolean {
    for (const [key, entry] of this.findings) {
      if (entry.impact.count(generation) === 0) {
        this.findings.delete(key);
        return true;
      }
    }
    return false;
  }

  private operationOf(key: string, service: string, operation: string): OperationEntry | undefined {
    let entry = this.operations.get(key);
    if (entry === undefined) {
      if (this.operations.size >= this.maxOperations) {
        this.operationOverflow++;
        return undefined;
      }
      entry = { service, operation, latency: new WindowedFigures() };
      this.operations.set(key, entry);
    }
    return entry;
  }

  private detectorsOf(service: string, instance: string, timeMs: number): RuntimeDetectors | undefined {
    const key = `${service}\n${instance}`;
    let detectors = this.runtime.get(key);
    if (detectors === undefined) {
      if (this.runtime.size >= this.maxServices && !this.evictIdleProcess(timeMs)) {
        this.runtimeDropped++;
        return undefined;
      }
      detectors = {
        eventLoop: new EventLoopBlockingDetector(service, this.runtimeOptions.eventLoop),
        gc: new GcPressureDetector(service, this.runtimeOptions.gc),
        memory: new MemoryLeakDetector(service, this.runtimeOptions.memory),
        lastSampleMs: timeMs,
      };
      this.runtime.set(key, detectors);
    }
    if (timeMs > detectors.lastSampleMs) detectors.lastSampleMs = timeMs;
    return detectors;
  }

  /**
   * Frees the slot of the process that reported last longest ago, if that is
   * longer ago than every detector's window (a process restarted with a new
   * service.instance.id, a pod replaced by a deploy). O(processes), only when full.
   */
  private evictIdleProcess(nowMs: number): boolean {
    const idleMs = Math.max(
      this.runtimeOptions.eventLoop?.windowMs ?? 300_000,
      this.runtimeOptions.gc?.windowMs ?? 300_000,
      this.runtimeOptions.memory?.windowMs ?? 3_600_000,
    );
    let oldestKey: string | undefined;
    let oldestMs = Number.POSITIVE_INFINITY;
    for (const [key, detectors] of this.runtime) {
      if (detectors.lastSampleMs < oldestMs) {
        oldestMs = detectors.lastSampleMs;
        oldestKey = key;
      }
    }
    if (oldestKey === undefined || nowMs - oldestMs <= idleMs) return false;
    this.runtime.delete(oldestKey);
    return true;
  }

  private run(analyzer: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.failed(analyzer, error);
    }
  }

  private failed(analyzer: string, error: unknown): void {
    const count = (this.errors[analyzer] ?? 0) + 1;
    this.errors[analyzer] = count;
    if (count === 1) this.onAnalyzerError?.(analyzer, error);
  }

  // -------------------------------------------------------------------------
  // Candidates of one evaluation.

  /** The candidates of this evaluation; ids of generic findings that more specific ones explain go into `superseded`. */
  private candidates(nowMs: number, superseded: Set<string>): RecommendationCandidate[] {
    const generation = this.clock.generationOf(nowMs);
    const elapsedMs = Number.isNaN(this.firstSeenMs) ? 0 : nowMs - this.firstSeenMs;
    // The counts cover the previous generation and the current one so far: between half the window and all of it.
    const generationMs = this.clock.generationMs;
    const coveredMs = Math.min(elapsedMs, generationMs + (nowMs - Math.floor(nowMs / generationMs) * generationMs));
    const windowSeconds = Math.max(1, coveredMs / 1000);
    const traffic = (service: string, operation: string): { count: number; meanMs: number } => {
      const entry = this.operations.get(`${service}\n${operation}`);
      if (entry === undefined) return { count: 0, meanMs: 0 };
      const count = entry.latency.count(generation);
      return { count, meanMs: count > 0 ? entry.latency.sum(generation) / count : 0 };
    };
    const out: RecommendationCandidate[] = [];
    // Operations with nothing left in the window free their slot for new ones.
    for (const [key, entry] of this.operations) if (entry.latency.count(generation) === 0) this.operations.delete(key);

    for (const [key, entry] of this.findings) {
      const traces = entry.impact.count(generation);
      // Nothing left in the window: traces recorded since the last report are
      // in it too (same generation), so only traces that aged out unreported are lost.
      if (traces === 0) {
        this.findings.delete(key);
        continue;
      }
      if (traces < this.minOccurrences) continue;
      const perRequestMs = entry.impact.sum(generation) / traces;
      const latencySum = entry.latency.sum(generation);
      const op = traffic(entry.service, entry.operation);
      const affectedShare = op.count > 0 ? Math.min(1, traces / op.count) : 0;
      const objective = this.objectives.find(entry.service, entry.operation);
      out.push({
        type: entry.type,
        service: entry.service,
        operation: entry.operation,
        groupKey: entry.groupKey,
        evidence: { ...entry.evidence, tracesInWindow: traces, windowMs: this.clock.windowMs },
        exampleTraceIds: [...entry.exampleTraceIds],
        impact: impactOf(perRequestMs, latencySum > 0 ? (perRequestMs * traces) / latencySum : 0, affectedShare, objective, entry.rescued.count(generation), op.count),
        savedMsPerSecond: (perRequestMs * traces) / windowSeconds,
        lastSeenMs: entry.lastSeenMs,
        occurrences: entry.unreported,
      });
      entry.unreported = 0;
    }

    const aggregate = (finding: TraceFinding, affected: number | undefined): void => {
      const op = traffic(finding.service, finding.operation);
      // A finding about the operation as a whole (a dominant dependency) concerns all of its requests.
      const affectedShare = op.count === 0 ? 0 : affected === undefined ? 1 : Math.min(1, affected / op.count);
      const examples = finding.evidence['exampleTraceIds'];
      out.push({
        type: finding.type,
        service: finding.service,
        operation: finding.operation,
        groupKey: finding.groupKey,
        evidence: finding.evidence,
        exampleTraceIds: Array.isArray(examples) ? [...(examples as readonly string[])] : finding.traceId === '' ? [] : [finding.traceId],
        impact: impactOf(finding.impactMs, op.meanMs > 0 ? Math.min(1, finding.impactMs / op.meanMs) : 0, affectedShare, undefined, 0, 0),
        savedMsPerSecond: (finding.impactMs * affectedShare * op.count) / windowSeconds,
        lastSeenMs: nowMs,
        occurrences: 1,
      });
    };
    if (!this.disabled.has(SLOW_DB_STATEMENT_TYPE)) {
      this.run(SLOW_DB_STATEMENT_TYPE, () => {
        for (const f of this.dependencies.slowDbStatements(nowMs)) aggregate(f, numberOf(f.evidence['count']));
      });
    }
    if (!this.disabled.has(ERROR_PRONE_DEPENDENCY_TYPE)) {
      this.run(ERROR_PRONE_DEPENDENCY_TYPE, () => {
        for (const f of this.dependencies.errorProneDependencies(nowMs)) aggregate(f, numberOf(f.evidence['calls']));
      });
    }

    const runtimeFindings: RuntimeFinding[] = [];
    for (const detectors of this.runtime.values()) {
      this.run('runtime_signals', () => {
        for (const finding of [detectors.eventLoop.evaluate(nowMs), detectors.gc.evaluate(nowMs), detectors.memory.evaluate(nowMs)]) {
          if (finding !== undefined && !this.disabled.has(finding.type)) runtimeFindings.push(finding);
        }
      });
    }
    const serviceRate = (service: string): number => {
      let count = 0;
      for (const entry of this.operations.values()) if (entry.service === service) count += entry.latency.count(generation);
      return count / windowSeconds;
    };
    // Instances of one service share its recommendation: one candidate per
    // (type, service), the worst instance's. Several candidates of one id in
    // one update would leave the last instance's severity in the store and
    // report an escalation at every evaluation.
    const worstInstance = new Map<string, RecommendationCandidate>();
    for (const finding of runtimeFindings) {
      const candidate = runtimeCandidate(finding, nowMs, serviceRate(finding.service));
      const key = `${finding.type}\n${finding.service}`;
      const kept = worstInstance.get(key);
      if (kept === undefined || isWorse(candidate, kept)) worstInstance.set(key, candidate);
    }
    out.push(...worstInstance.values());

    if (!this.disabled.has(DOMINANT_DEPENDENCY_TYPE)) {
      // Specific findings of this evaluation, and those still open from earlier ones (a blocked
      // loop that has calmed down keeps explaining the traces still in the window).
      const open = this.store.list({ status: 'open' });
      const specific = new Set([...out, ...open].filter((c) => SPECIFIC_TYPES.has(c.type)).map((c) => `${c.service}\n${c.operation}`));
      const blocked = new Set([...runtimeFindings, ...open].filter((f) => f.type === EVENT_LOOP_BLOCKING).map((f) => f.service));
      this.run(DOMINANT_DEPENDENCY_TYPE, () => {
        for (const f of this.dominant.findings(nowMs)) {
          if (specific.has(`${f.service}\n${f.operation}`) || (f.evidence['kind'] === 'self' && blocked.has(f.service))) {
            superseded.add(recommendationId(f.type, f.service, f.operation, f.groupKey));
            continue;
          }
          aggregate(f, undefined);
        }
      });
    }
    return out;
  }
}

const SEVERITY_RANK = { low: 0, medium: 1, high: 2, critical: 3 } as const;

/** Higher severity, then more time to save. */
function isWorse(a: RecommendationCandidate, b: RecommendationCandidate): boolean {
  const rankA = SEVERITY_RANK[severityOf(a.type, a.impact, a.evidence)];
  const rankB = SEVERITY_RANK[severityOf(b.type, b.impact, b.evidence)];
  return rankA !== rankB ? rankA > rankB : a.savedMsPerSecond > b.savedMsPerSecond;
}

/**
 * One finding per fingerprint and trace: an N+1 loop run under two parents
 * (or split by an overlap) is one problem of that trace, whose saving is the
 * sum of the runs' savings; the last run's evidence is kept.
 */
function mergePerTrace(findings: readonly TraceFinding[]): TraceFinding[] {
  if (findings.length < 2) return [...findings];
  const byKey = new Map<string, TraceFinding>();
  for (const f of findings) {
    const key = `${f.type}\n${f.service}\n${f.operation}\n${f.groupKey}`;
    const seen = byKey.get(key);
    byKey.set(key, seen === undefined ? f : { ...f, impactMs: seen.impactMs + f.impactMs });
  }
  return [...byKey.values()];
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

function impactOf(
  perRequestMs: number,
  latencyShare: number,
  affectedShare: number,
  objective: LatencyObjective | undefined,
  rescued: number,
  operationCount: number,
): RecommendationImpact {
  const impact: RecommendationImpact = {
    perRequestMs: round(perRequestMs, 3),
    latencyShare: round(Math.min(1, Math.max(0, latencyShare)), 4),
    affectedShare: round(Math.min(1, Math.max(0, affectedShare)), 4),
  };
  if (objective === undefined || operationCount === 0) return impact;
  const budget = 1 - objective.objective;
  return { ...impact, errorBudgetShare: round(rescued / operationCount / budget, 4), slo: objective.name };
}

/**
 * A runtime finding as a candidate. Saved time per second: for a blocked
 * event loop, the p99 delay over the 1 % of turns it speaks for, times the
 * service's request rate (a lower bound: every request in flight waits); for
 * GC, the pause time per second of wall time; a leak saves no latency yet
 * (its urgency is in the severity).
 */
function runtimeCandidate(finding: RuntimeFinding, nowMs: number, requestsPerSecond: number): RecommendationCandidate {
  let saved = 0;
  let perRequestMs = 0;
  if (finding.type === EVENT_LOOP_BLOCKING) {
    perRequestMs = numberOf(finding.evidence['medianP99DelayMs']) ?? 0;
    saved = perRequestMs * P99_TAIL * Math.max(1, requestsPerSecond);
  } else if (finding.type === GC_PRESSURE) {
    saved = (numberOf(finding.evidence['gcTimeShare']) ?? 0) * 1000;
  } else if (finding.type === MEMORY_LEAK_SUSPECTED) {
    saved = 0;
  }
  return {
    type: finding.type,
    service: finding.service,
    operation: '',
    groupKey: '',
    evidence: { ...finding.evidence, impactDescription: finding.impactDescription, windowStartMs: finding.windowStartMs, windowEndMs: finding.windowEndMs },
    exampleTraceIds: [],
    impact: { perRequestMs: round(perRequestMs, 3), latencyShare: 0, affectedShare: 0 },
    savedMsPerSecond: saved,
    lastSeenMs: nowMs,
    occurrences: 1,
  };
}
