import type { KeyValue } from '../../src/otlp/model/common';
import type { ExportTraceServiceRequest, ResourceSpans, ScopeSpans, Span } from '../../src/otlp/model/trace';
import { SignalIndex } from '../../src/baseline/baseline-signal';
import type { AnomalyEngine } from '../../src/engine/anomaly-engine';
import type { BaselineEngine } from '../../src/engine/baseline-engine';
import { OtlpBaselineSpanReader } from '../baseline/otlp-baseline-span-reader';

/** The attributes forwarded spans get once their key has a baseline. */
export const ENRICHMENT_ATTRIBUTES = {
  /** double: the key's p99 latency baseline, in milliseconds. */
  baselineP99Ms: 'slowatch.baseline.p99_ms',
  /** double: the span's duration divided by the key's median (p50) latency baseline. */
  latencyVsBaseline: 'slowatch.latency.vs_baseline',
  /** bool: an anomaly is open on the span's key (any watched signal). */
  anomalyActive: 'slowatch.anomaly.active',
} as const;

const ACTIVE: KeyValue = Object.freeze({ key: ENRICHMENT_ATTRIBUTES.anomalyActive, value: Object.freeze({ boolValue: true }) });
const INACTIVE: KeyValue = Object.freeze({ key: ENRICHMENT_ATTRIBUTES.anomalyActive, value: Object.freeze({ boolValue: false }) });

function isEnrichmentKey(key: string | undefined): boolean {
  return key === ENRICHMENT_ATTRIBUTES.baselineP99Ms || key === ENRICHMENT_ATTRIBUTES.latencyVsBaseline || key === ENRICHMENT_ATTRIBUTES.anomalyActive;
}

/**
 * Stamps spans with what the baseline knows about their operation, before
 * they are forwarded. Copy-on-write: the request a receiver decoded may be
 * fanned out to other pipelines at the same time, so it is never modified;
 * spans that get attributes are shallow copies with a new attribute list,
 * everything else (and the request itself, when no span changes) is shared.
 * Values an upstream slowatch already wrote under these keys are replaced.
 *
 * Spans whose key has no baseline yet (cold start, not tracked, past the
 * key cap) are forwarded untouched.
 */
export class SpanEnricher {
  private readonly reader = new OtlpBaselineSpanReader();

  constructor(
    private readonly baseline: BaselineEngine,
    private readonly anomaly: AnomalyEngine,
  ) {}

  /** The request to forward: `request` itself when no span was stamped. */
  enrich(request: ExportTraceServiceRequest): ExportTraceServiceRequest {
    // Spans are recorded only after forwarding, so the first batch after an
    // interval's end would otherwise be stamped with the state before it.
    this.baseline.rollUp();
    const resources = request.resourceSpans;
    if (resources === undefined) return request;
    let newResources: ResourceSpans[] | undefined;
    for (let r = 0; r < resources.length; r++) {
      const resourceSpans = resources[r] as ResourceSpans;
      const enriched = this.enrichResource(resourceSpans);
      if (enriched !== resourceSpans && newResources === undefined) newResources = resources.slice(0, r);
      newResources?.push(enriched);
    }
    return newResources === undefined ? request : { ...request, resourceSpans: newResources };
  }

  private enrichResource(resourceSpans: ResourceSpans): ResourceSpans {
    const scopes = resourceSpans.scopeSpans;
    if (scopes === undefined) return resourceSpans;
    this.reader.useResource(resourceSpans.resource);
    let newScopes: ScopeSpans[] | undefined;
    for (let s = 0; s < scopes.length; s++) {
      const scopeSpans = scopes[s] as ScopeSpans;
      const enriched = this.enrichScope(scopeSpans);
      if (enriched !== scopeSpans && newScopes === undefined) newScopes = scopes.slice(0, s);
      newScopes?.push(enriched);
    }
    return newScopes === undefined ? resourceSpans : { ...resourceSpans, scopeSpans: newScopes };
  }

  private enrichScope(scopeSpans: ScopeSpans): ScopeSpans {
    const spans = scopeSpans.spans;
    if (spans === undefined) return scopeSpans;
    let newSpans: Span[] | undefined;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i] as Span;
      const enriched = this.enrichSpan(span);
      if (enriched !== span && newSpans === undefined) newSpans = spans.slice(0, i);
      newSpans?.push(enriched);
    }
    return newSpans === undefined ? scopeSpans : { ...scopeSpans, spans: newSpans };
  }

  private enrichSpan(span: Span): Span {
    const sample = this.reader.read(span);
    const series = this.baseline.find(sample);
    if (series === undefined || !series.hasAnyBaseline) return span;
    const attributes: KeyValue[] = [];
    for (const kv of span.attributes ?? []) if (!isEnrichmentKey(kv.key)) attributes.push(kv);
    const p99 = series.baseline(SignalIndex.latency_p99);
    if (Number.isFinite(p99)) attributes.push({ key: ENRICHMENT_ATTRIBUTES.baselineP99Ms, value: { doubleValue: p99 } });
    const p50 = series.baseline(SignalIndex.latency_p50);
    if (Number.isFinite(p50) && p50 > 0) attributes.push({ key: ENRICHMENT_ATTRIBUTES.latencyVsBaseline, value: { doubleValue: sample.durationMs / p50 } });
    attributes.push(this.anomaly.isActive(series) ? ACTIVE : INACTIVE);
    return { ...span, attributes };
  }
}
