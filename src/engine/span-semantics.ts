import type { SpanSample } from './span-sample';
import { OtlpSpanKind, OtlpStatusCode } from './span-sample';
import { boundedLabelValue, MAX_LABEL_VALUE_LENGTH } from './label-value';

/**
 * Reading HTTP facts from spans under both the stable semantic conventions
 * (http.response.status_code, http.request.method) and the older ones
 * (http.status_code, http.method), since real fleets run both.
 */
export function httpStatusCode(span: SpanSample): number {
  const stable = span.attributes['http.response.status_code'];
  const value = stable !== undefined ? stable : span.attributes['http.status_code'];
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : 0;
  }
  return 0;
}

export function httpMethod(span: SpanSample): string | undefined {
  const stable = span.attributes['http.request.method'];
  const value = stable !== undefined ? stable : span.attributes['http.method'];
  return typeof value === 'string' ? value : undefined;
}

export function httpRoute(span: SpanSample): string | undefined {
  const value = span.attributes['http.route'];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Availability SLI: a span is bad when its status is ERROR, or when it is a
 * server span answered with a 5xx. (A client span's 4xx/5xx is the callee's
 * problem; instrumentations already set ERROR on client 5xx where it matters.)
 */
export function isAvailabilityBad(span: SpanSample): boolean {
  if (span.statusCode === OtlpStatusCode.ERROR) return true;
  return span.kind === OtlpSpanKind.SERVER && httpStatusCode(span) >= 500;
}

/** Latency SLI: bad when the span took longer than the threshold. */
export function isLatencyBad(span: SpanSample, thresholdMs: number): boolean {
  return span.durationMs > thresholdMs;
}

/**
 * Operation names are `METHOD route` when a route is known (e.g. `GET /users/:id`),
 * else the span name. Built strings are cached per (method, route) so steady
 * traffic allocates nothing; the cache is bounded, beyond it we concatenate.
 */
export class OperationNamer {
  private readonly byMethod = new Map<string, Map<string, string>>();
  private size = 0;

  /** @param maxEntries bound on cached (method, route) pairs. */
  constructor(private readonly maxEntries = 4096) {}

  /** The operation name, at most MAX_LABEL_VALUE_LENGTH long (it becomes a series label). */
  operation(span: SpanSample): string {
    const route = httpRoute(span);
    if (route === undefined) return boundedLabelValue(span.name);
    const method = httpMethod(span);
    if (method === undefined) return boundedLabelValue(span.name);
    // Over-long routes or methods are never cache keys: the cache would hold the raw strings (4096 × 1 MiB).
    if (route.length > MAX_LABEL_VALUE_LENGTH || method.length > MAX_LABEL_VALUE_LENGTH) return boundedLabelValue(`${method} ${route}`);
    let routes = this.byMethod.get(method);
    if (routes === undefined) {
      if (this.size >= this.maxEntries) return boundedLabelValue(`${method} ${route}`);
      routes = new Map();
      this.byMethod.set(method, routes);
    }
    let name = routes.get(route);
    if (name === undefined) {
      name = boundedLabelValue(`${method} ${route}`);
      if (this.size < this.maxEntries) {
        routes.set(route, name);
        this.size++;
      }
    }
    return name;
  }
}
