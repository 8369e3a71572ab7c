/**
 * A recommendation: one named performance anti-pattern on one service and
 * operation, with the evidence that shows it and what fixing it is worth.
 * Findings of many traces (or of runtime signals) with the same fingerprint
 * are one recommendation; see `RecommendationStore`.
 *
 * Every field is plain JSON (times in epoch milliseconds), so the same object
 * is what the JSON API serves, what the OTLP log record carries as
 * attributes and what the CLI prints.
 */

/** How bad it is, from the impact (see `severityOf`). */
export type RecommendationSeverity = 'critical' | 'high' | 'medium' | 'low';

/** Open while the evidence keeps coming; resolved once it has been gone for `resolve_after`. */
export type RecommendationStatus = 'open' | 'resolved';

/** How much work the usual fix is, and how likely it is to break something. */
export type Level = 'low' | 'medium' | 'high';

/** A function that took a share of the CPU in a profile captured while the anti-pattern was present. */
export interface HotFunction {
  /** Function name; '(anonymous)' when it has none. */
  readonly function: string;
  /** Script URL or path, '' for V8 built-ins. */
  readonly file: string;
  /** 1-based line of the function's definition; 0 when unknown. */
  readonly line: number;
  /** Share of the profile's sampled time spent in the function itself (0..1). */
  readonly selfShare: number;
  /** Self time in milliseconds. */
  readonly selfMs: number;
}

/** What fixing it is worth. */
export interface RecommendationImpact {
  /**
   * Time a fix would save per affected request, in milliseconds (mean over
   * the affected requests in the window); 0 for runtime findings without a
   * per-request figure.
   */
  readonly perRequestMs: number;
  /** perRequestMs over the operation's mean latency in the affected requests (0..1); 0 when unknown. */
  readonly latencyShare: number;
  /** Share of the operation's requests in the window that show the problem (0..1); 1 for a finding about the whole operation (dominant_dependency), 0 when unknown. */
  readonly affectedShare: number;
  /**
   * Of the error budget of the latency SLO that covers this operation, the
   * share this problem consumes at the current rate: requests over the
   * SLO's threshold that the fix would bring under it, per request, over
   * (1 - objective). Above 1 means the problem alone burns the budget faster
   * than it accrues. Absent when no latency SLO covers the operation.
   */
  readonly errorBudgetShare?: number;
  /** The SLO `errorBudgetShare` refers to. */
  readonly slo?: string;
}

export interface Recommendation {
  /** Stable fingerprint: the same problem has the same id in the agent, the gateway and across restarts. */
  readonly id: string;
  /** The analyzer's type id (`n_plus_one_db`, …): part of the contract. */
  readonly type: string;
  /** One line naming the problem. */
  readonly title: string;
  /** What to change, in a sentence or two. */
  readonly advice: string;
  readonly service: string;
  /** The operation (as the SLOs name it); '' for service-wide findings (runtime signals). */
  readonly operation: string;
  readonly severity: RecommendationSeverity;
  /** Figures, normalised statements, targets; flat and JSON-serialisable. */
  readonly evidence: Readonly<Record<string, string | number | readonly string[]>>;
  /** Traces that show the problem (lower-case hex): newest first for per-trace types, slowest first for cross-trace ones. */
  readonly exampleTraceIds: readonly string[];
  /** Functions from a CPU profile (agent only), highest self time first. */
  readonly hotFunctions?: readonly HotFunction[];
  readonly impact: RecommendationImpact;
  readonly effort: Level;
  readonly risk: Level;
  /** Ranking key, higher first: the impact over the effort (see `priorityOf`). */
  readonly priority: number;
  /** Traces (or evaluations, for aggregate findings) that showed it since it was first seen. */
  readonly occurrences: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly status: RecommendationStatus;
  /** When it was resolved; absent while open. */
  readonly resolvedAtMs?: number;
}

/** Filters of the JSON API and the CLI; absent fields match everything. */
export interface RecommendationFilter {
  readonly service?: string;
  readonly type?: string;
  readonly status?: RecommendationStatus;
}

/** Where the JSON API and the Prometheus metrics read recommendations from. */
export interface RecommendationSource {
  /** Every recommendation kept (open and recently resolved) that matches, highest priority first. */
  list(filter?: RecommendationFilter): Recommendation[];
}
