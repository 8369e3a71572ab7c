import { globToRegExp } from '../engine/objective-matcher';
import type { ObjectiveSpec } from '../slo/objective';

/** The latency SLO that covers an operation, as the impact needs it. */
export interface LatencyObjective {
  readonly name: string;
  readonly thresholdMs: number;
  /** The objective as a ratio (0.99). */
  readonly objective: number;
}

/**
 * Finds the latency SLO that covers an entry operation of a service, to
 * state a recommendation's share of the error budget. Only what a trace's
 * entry span shows can be matched: the service, the span kind (server or
 * consumer) and the operation, exactly or by glob; an objective that also
 * selects on span attributes is not matched (the finding cannot tell), nor
 * is one that selects client or internal spans. The first objective in the
 * config's order wins. Verdicts are cached per (service, operation) up to
 * `maxEntries` (then computed afresh each time).
 */
export class LatencyObjectiveLookup {
  private readonly candidates: readonly { spec: ObjectiveSpec; exact: ReadonlySet<string>; patterns: readonly RegExp[]; thresholdMs: number }[];
  private readonly cache = new Map<string, LatencyObjective | null>();

  constructor(
    objectives: readonly ObjectiveSpec[],
    private readonly maxEntries = 5000,
  ) {
    const candidates = [];
    for (const spec of objectives) {
      if (spec.sli.kind !== 'latency') continue;
      if (Object.keys(spec.selector.attributes).length > 0) continue;
      const kind = spec.selector.spanKind;
      if (kind !== undefined && kind !== 'server' && kind !== 'consumer') continue;
      const exact = new Set(spec.selector.operations.filter((op) => !op.includes('*')));
      const patterns = spec.selector.operations.filter((op) => op.includes('*')).map(globToRegExp);
      candidates.push({ spec, exact, patterns, thresholdMs: spec.sli.thresholdMs });
    }
    this.candidates = candidates;
  }

  get isEmpty(): boolean {
    return this.candidates.length === 0;
  }

  find(service: string, operation: string): LatencyObjective | undefined {
    if (this.candidates.length === 0) return undefined;
    const key = `${service}\n${operation}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    let found: LatencyObjective | null = null;
    for (const c of this.candidates) {
      if (c.spec.service !== undefined && c.spec.service !== service) continue;
      const all = c.spec.selector.operations.length === 0;
      if (!all && !c.exact.has(operation) && !c.patterns.some((p) => p.test(operation))) continue;
      found = { name: c.spec.name, thresholdMs: c.thresholdMs, objective: c.spec.objective };
      break;
    }
    if (this.cache.size < this.maxEntries) this.cache.set(key, found);
    return found ?? undefined;
  }
}
