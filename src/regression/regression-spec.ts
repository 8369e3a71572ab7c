import type { SpanKindName } from '../engine/span-kind-names';

/**
 * What the regression engine compares, resolved from the `regression`
 * processor's config (every default is decided there, in createDefaultConfig).
 */
export interface RegressionSpec {
  /** Span kinds whose latencies are compared. */
  readonly spanKinds: readonly SpanKindName[];
  /** service.name values to watch; empty: every service. */
  readonly services: readonly string[];
  /** Samples each side needs before a comparison. */
  readonly minSamples: number;
  /** Latencies kept per (operation, version), across the window's two halves. */
  readonly reservoirSize: number;
  /** A version's samples cover between half of this and all of it of its most recent traffic. */
  readonly windowMs: number;
  /** A new version's spans in its first warmupMs are not sampled (cold caches, JIT). */
  readonly warmupMs: number;
  /** Two versions that both served spans within this window run concurrently (a canary). */
  readonly canaryWindowMs: number;
  /** Keys (service, operation, span kind) tracked; further keys share one overflow key that is only counted. */
  readonly maxKeys: number;
  /** Services tracked; spans of further services are only counted. */
  readonly maxServices: number;
  /** Versions tracked per service; a new one evicts the least recently seen. */
  readonly maxVersions: number;
  /** Report significant decreases (Low) as improvements; false compares with direction `increase`, folding them into Pass. */
  readonly reportImprovements: boolean;
}
