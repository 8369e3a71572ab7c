import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { freePort } from './processes';
import { decodeTracesIndependently } from './independent-otlp-decoder';
import type { IndependentSpan } from './independent-otlp-decoder';

/** A downstream OTLP/HTTP endpoint that keeps every trace request body it gets. */
export class Downstream {
  readonly bodies: Buffer[] = [];
  /** Bodies by path (/v1/traces, /v1/metrics, /v1/logs), decompressed. */
  readonly byPath = new Map<string, Buffer[]>();
  /** While true, every request is answered 503 with Retry-After: 1. */
  down = false;
  /** Milliseconds to wait before answering a request (a slow backend). */
  delayMs = 0;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.port = await freePort();
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.down) {
          res.writeHead(503, { 'retry-after': '1', 'content-type': 'application/x-protobuf' }).end();
          return;
        }
        const raw = Buffer.concat(chunks);
        const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        const answer = (): void => {
          if (req.url === '/v1/traces') this.bodies.push(body);
          const list = this.byPath.get(req.url ?? '') ?? [];
          list.push(body);
          this.byPath.set(req.url ?? '', list);
          res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        };
        if (this.delayMs > 0) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  spans(): IndependentSpan[] {
    return this.bodies.flatMap((b) => decodeTracesIndependently(b));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()));
  }
}

/** Spans of every shape a client produces: attributes of each type, events, links, statuses, kinds, parents. */
export function makeSpans(service: string, count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'test', 'host.cores': 2 }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('gateway-test', '1.2.3');
  for (let i = 0; i < count; i++) {
    const parent = tracer.startSpan(`GET /items/:id`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/items/:id',
        'http.response.status_code': i % 10 === 0 ? 503 : 200,
        'item.ratio': i / 7,
        'item.cached': i % 2 === 0,
        'item.tags': ['a', 'b', String(i)],
      },
    });
    if (i % 15 === 0) parent.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    parent.addEvent('cache.lookup', { hit: i % 3 === 0 });
    const child = tracer.startSpan('SELECT items', { kind: SpanKind.CLIENT, links: [{ context: parent.spanContext(), attributes: { why: 'follows' } }] }, trace.setSpan(context.active(), parent));
    child.end();
    parent.end();
  }
  const spans = memory.getFinishedSpans();
  void provider.shutdown();
  return spans;
}

