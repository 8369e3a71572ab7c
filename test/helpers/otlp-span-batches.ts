/**
 * Server spans as OTLP/HTTP JSON, in batches of a fixed composition, for
 * the end-to-end tests that run a real gateway and need to know exactly
 * how many good and bad events its SLOs must count.
 */

export interface SpanBatchOptions {
  /** The resource's service.name. @default 'shop' */
  readonly service?: string;
  /** Span name (`GET /orders`) and `http.route`. @default '/orders' */
  readonly route?: string;
  /** Spans in the batch. @default 100 */
  readonly spans?: number;
  /** The first `failed` spans end with status ERROR. @default 5 */
  readonly failed?: number;
  /** The `slow` spans after the failed ones last `slowMs`; the rest `fastMs`. @default 10 */
  readonly slow?: number;
  /** @default 300 */
  readonly slowMs?: number;
  /** @default 20 */
  readonly fastMs?: number;
}

/** What one batch holds, for the expected SLO counts. */
export interface SpanBatchCounts {
  readonly spans: number;
  readonly failed: number;
  readonly slow: number;
}

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0');

/**
 * Makes batches of server spans ending now, each with unique trace and span
 * ids (a counter per instance), and keeps the totals sent through it.
 */
export class OtlpSpanBatches {
  private counter = 0;
  private sentSpans = 0;
  private sentFailed = 0;
  private sentSlow = 0;

  constructor(private readonly defaults: SpanBatchOptions = {}) {}

  /** Spans, failed spans and slow successful spans made so far. */
  get totals(): SpanBatchCounts {
    return { spans: this.sentSpans, failed: this.sentFailed, slow: this.sentSlow };
  }

  /** One OTLP `ExportTraceServiceRequest` as JSON (the spans end at `nowMs`). */
  batch(options: SpanBatchOptions = {}, nowMs: number = Date.now()): unknown {
    const settings = { ...this.defaults, ...options };
    const count = settings.spans ?? 100;
    const failed = Math.min(count, settings.failed ?? 5);
    const slow = Math.min(count - failed, settings.slow ?? 10);
    const route = settings.route ?? '/orders';
    const endNs = BigInt(nowMs) * 1_000_000n;
    const spans = [];
    for (let i = 0; i < count; i++) {
      const n = ++this.counter;
      const durationNs = BigInt(i >= failed && i < failed + slow ? (settings.slowMs ?? 300) : (settings.fastMs ?? 20)) * 1_000_000n;
      spans.push({
        traceId: hex(n, 32),
        spanId: hex(n, 16),
        name: `GET ${route}`,
        kind: 2,
        startTimeUnixNano: String(endNs - durationNs),
        endTimeUnixNano: String(endNs),
        attributes: [{ key: 'http.route', value: { stringValue: route } }],
        status: { code: i < failed ? 2 : 0 },
      });
    }
    this.sentSpans += count;
    this.sentFailed += failed;
    this.sentSlow += slow;
    return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: settings.service ?? 'shop' } }] }, scopeSpans: [{ spans }] }] };
  }
}

/** POSTs an OTLP/HTTP JSON body to the gateway's `/v1/traces`; resolves with the status code. */
export async function postOtlpJson(port: number, body: unknown): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await response.arrayBuffer();
  return response.status;
}
