// OTLP/HTTP protobuf request bodies for the gateway benchmark, encoded by the
// OpenTelemetry JS SDK's own serializer (@opentelemetry/otlp-transformer's
// ProtobufTraceSerializer), so the gateway receives exactly what
// @opentelemetry/exporter-trace-otlp-proto would send.
//
// Spans are real ReadableSpans: a BasicTracerProvider per service (its
// resource: the SDK's default resource plus service.* attributes) with an
// InMemorySpanExporter behind a SimpleSpanProcessor. Every span is a SERVER
// span with 10 attributes (HTTP semantic conventions), over 50 routes, about
// 2 % answered 5xx (status ERROR), durations log-normal around 25 ms (about
// 4 % slower than 200 ms). One request body holds the spans of one service,
// as one SDK client sends them. Content is seeded (the same on every run)
// except trace/span ids and timestamps (spans end in the second before the
// pool is built).
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';

export const SPAN_ATTRIBUTE_KEYS = [
  'http.request.method',
  'http.route',
  'http.response.status_code',
  'url.scheme',
  'url.path',
  'server.address',
  'server.port',
  'network.protocol.version',
  'user_agent.original',
  'client.address',
];

const SERVICES = ['checkout', 'catalog', 'cart', 'accounts'];
const RESOURCES = ['products', 'orders', 'carts', 'users', 'payments', 'shipments', 'reviews', 'coupons', 'inventory', 'invoices'];
// 10 resources × 5 shapes = 50 routes; the method is chosen by shape.
const SHAPES = [
  { suffix: '', methods: ['GET', 'GET', 'GET', 'POST'] },
  { suffix: '/:id', methods: ['GET', 'GET', 'GET', 'PUT', 'DELETE'] },
  { suffix: '/:id/items', methods: ['GET', 'POST'] },
  { suffix: '/search', methods: ['GET'] },
  { suffix: '/:id/history', methods: ['GET'] },
];
const ROUTES = RESOURCES.flatMap((r) => SHAPES.map((s) => ({ route: `/api/v1/${r}${s.suffix}`, methods: s.methods })));
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'okhttp/4.12.0',
  'Go-http-client/1.1',
];

/** A small seeded PRNG (mulberry32), so the pool's content is the same on every run. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function statusCode(random) {
  const x = random();
  if (x < 0.02) return [500, 502, 503, 504][Math.floor(random() * 4)]; // ~2 % 5xx
  if (x < 0.06) return [400, 404, 404, 409][Math.floor(random() * 4)]; // ~4 % 4xx (not errors for a server span)
  return x < 0.1 ? 201 : 200;
}

/** Log-normal duration in ms, median 25 ms, sigma 1.2: about 4 % above 200 ms. Capped at 10 s. */
function durationMs(random) {
  const u1 = Math.max(random(), 1e-12);
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * random());
  return Math.min(10_000, 25 * Math.exp(1.2 * z));
}

const toHrTime = (ms) => {
  const s = Math.floor(ms / 1000);
  return [s, Math.round((ms - s * 1000) * 1e6)];
};

/**
 * Builds `bodies` ExportTraceServiceRequest bodies of `spansPerBody` spans each.
 * Returns { bodies: Buffer[], stats } (stats: what the pool holds, for the JSON).
 */
export async function buildBodies({ bodies = 16, spansPerBody = 512, seed = 42 } = {}) {
  const random = prng(seed);
  const providers = SERVICES.map((service, i) => {
    const exporter = new InMemorySpanExporter();
    const resource = defaultResource().merge(
      resourceFromAttributes({
        'service.name': service,
        'service.namespace': 'shop',
        'service.version': `1.${i + 4}.0`,
        'service.instance.id': `${service}-7d9f8c6b5-${(1000 + i * 37).toString(36)}`,
        'deployment.environment.name': 'production',
        'host.name': `node-${i + 1}.cluster.local`,
      }),
    );
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    return { service, exporter, provider, tracer: provider.getTracer('@opentelemetry/instrumentation-http', '0.223.0') };
  });

  const stats = { spans: 0, errors5xx: 0, slowerThan200ms: 0, routes: new Set(), services: new Set(), bytes: [] };
  const out = [];
  const now = Date.now();
  for (let b = 0; b < bodies; b++) {
    const p = providers[b % providers.length];
    p.exporter.reset();
    for (let i = 0; i < spansPerBody; i++) {
      const { route, methods } = ROUTES[Math.floor(random() * ROUTES.length)];
      const method = methods[Math.floor(random() * methods.length)];
      const status = statusCode(random);
      const duration = durationMs(random);
      const endMs = now - random() * 1000;
      const id = 1 + Math.floor(random() * 100_000);
      const span = p.tracer.startSpan(`${method} ${route}`, {
        kind: SpanKind.SERVER,
        startTime: toHrTime(endMs - duration),
        attributes: {
          'http.request.method': method,
          'http.route': route,
          'http.response.status_code': status,
          'url.scheme': 'https',
          'url.path': route.replace(':id', String(id)),
          'server.address': `${p.service}.shop.example.com`,
          'server.port': 443,
          'network.protocol.version': '1.1',
          'user_agent.original': USER_AGENTS[Math.floor(random() * USER_AGENTS.length)],
          'client.address': `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`,
        },
      });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(toHrTime(endMs));
      stats.spans++;
      if (status >= 500) stats.errors5xx++;
      if (duration > 200) stats.slowerThan200ms++;
      stats.routes.add(route);
    }
    const spans = p.exporter.getFinishedSpans();
    if (spans.length !== spansPerBody) throw new Error(`expected ${spansPerBody} finished spans, got ${spans.length}`);
    const encoded = ProtobufTraceSerializer.serializeRequest(spans);
    if (!encoded || encoded.length === 0) throw new Error('ProtobufTraceSerializer.serializeRequest returned nothing');
    out.push(Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength));
    stats.bytes.push(encoded.byteLength);
    stats.services.add(p.service);
  }
  await Promise.all(providers.map((p) => p.provider.shutdown()));
  const totalBytes = stats.bytes.reduce((a, b) => a + b, 0);
  return {
    bodies: out,
    stats: {
      bodies,
      spansPerBody,
      spans: stats.spans,
      attributesPerSpan: SPAN_ATTRIBUTE_KEYS.length,
      attributeKeys: SPAN_ATTRIBUTE_KEYS,
      services: [...stats.services],
      routes: stats.routes.size,
      share5xx: Math.round((stats.errors5xx / stats.spans) * 10_000) / 10_000,
      shareSlowerThan200ms: Math.round((stats.slowerThan200ms / stats.spans) * 10_000) / 10_000,
      bytesPerBodyMean: Math.round(totalBytes / bodies),
      bytesPerBodyMin: Math.min(...stats.bytes),
      bytesPerBodyMax: Math.max(...stats.bytes),
      bytesPerSpan: Math.round((totalBytes / stats.spans) * 10) / 10,
      encoder: '@opentelemetry/otlp-transformer ProtobufTraceSerializer.serializeRequest (ReadableSpans from @opentelemetry/sdk-trace-base BasicTracerProvider + InMemorySpanExporter)',
      seed,
    },
  };
}
