import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/processes';
import { select } from '../helpers/prometheus-text';
import { MIB, RssSampler, labelValues, mib, startAbuseGateway, total } from './abuse-harness';
import type { AbuseGateway } from './abuse-harness';

/*
 * Abuse: huge attribute values and deep or wide arrays over OTLP/HTTP JSON.
 * What the code promises (receivers/otlp/README.md, processors/slo):
 * - a body over max_request_body_size is refused with 413 and counted
 *   (outcome="too_large"), by Content-Length before any of it is read, or
 *   while streaming a chunked body;
 * - AnyValue nesting deeper than 64 levels is a 400 (outcome="invalid");
 * - within the limit, huge values are accepted whole (nothing truncates
 *   them); where a value becomes a label (an SLO's group_by), the series cap
 *   bounds how many such values are kept, so label memory is at most
 *   (max_series + 1) × the largest value, itself below max_request_body_size.
 * The gateway's RSS stays under a stated bound throughout.
 *
 * Bound: 20 s on 2 cores (vitest timeout 60 s).
 */

const MAX_BODY = 4 * MIB;
const MAX_SERIES = 3;
const HUGE_ATTRIBUTE = 1 * MIB;
/** Distinct route values of this size each; they become label values until the cap. */
const HUGE_ROUTE = 64 * 1024;
const HUGE_REQUESTS = 20;
const RSS_BOUND_BYTES = 250 * MIB;

function config(ports: { http: number; metrics: number; health: number }): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http}, max_request_body_size: ${MAX_BODY} }
processors:
  slo:
    evaluation_interval: 1s
    objectives:
      - { name: per-route, sli: { availability: {} }, objective: 99, group_by: [http.route], max_series: ${MAX_SERIES} }
  baseline: { max_keys: 10 }
exporters:
  prometheus: { endpoint: 127.0.0.1:${ports.metrics} }
extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], processors: [slo, baseline], exporters: [] }
    metrics: { receivers: [], processors: [], exporters: [prometheus] }
`;
}

type JsonValue = Record<string, unknown>;

let spanNumber = 0;
function span(name: string, attributes: readonly JsonValue[]): JsonValue {
  const n = ++spanNumber;
  const endNs = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: n.toString(16).padStart(32, '0'),
    spanId: n.toString(16).padStart(16, '0'),
    name,
    kind: 2,
    startTimeUnixNano: String(endNs - 10_000_000n),
    endTimeUnixNano: String(endNs),
    attributes,
    status: {},
  };
}

const request_ = (service: string, spans: readonly JsonValue[]): string =>
  JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }] });

/** A string of `bytes` ASCII characters, distinct per `seed` from its first characters on. */
const hugeString = (bytes: number, seed: number): string => `${seed}-`.padEnd(bytes, 'abcdefghij'[seed % 10]);

function nested(depth: number): JsonValue {
  let value: JsonValue = { intValue: 1 };
  for (let i = 1; i < depth; i++) value = { arrayValue: { values: [value] } };
  return value;
}

async function postJson(port: number, body: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await response.arrayBuffer();
  return response.status;
}

/**
 * Announces `body` by Content-Length and sends only the headers: the gateway
 * must answer from the header alone, before any of the body is read.
 */
function postAnnounced(port: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on('error', reject);
    req.flushHeaders();
  });
}

/**
 * The body in 64 KiB chunks without Content-Length (chunked transfer), so the
 * limit is found while streaming. The gateway answers and closes mid-upload:
 * a write may then fail before the answer is read, which resolves 'closed'.
 */
function postChunked(port: number, body: string): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    let answered = false;
    const req = request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve('closed'));
    const data = Buffer.from(body);
    const write = (offset: number): void => {
      if (answered || req.destroyed) return;
      if (offset >= data.length) {
        req.end();
        return;
      }
      req.write(data.subarray(offset, offset + 64 * 1024), () => setImmediate(() => write(offset + 64 * 1024)));
    };
    write(0);
  });
}

let gateway: AbuseGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe('huge attribute values', () => {
  it('refuses bodies over the limit (413), refuses nesting past 64 (400), accepts the rest whole, caps the labels, and stays bounded', async () => {
    const started = Date.now();
    gateway = await startAbuseGateway(config);
    const port = gateway.ports.http;
    const rss = new RssSampler(gateway.pid);

    // Over the limit: 5 MiB in one attribute, announced and chunked.
    const tooBig = request_('big', [span('GET /big', [{ key: 'payload', value: { stringValue: hugeString(5 * MIB, 0) } }])]);
    expect(await postAnnounced(port, tooBig)).toBe(413);
    expect([413, 'closed']).toContain(await postChunked(port, tooBig));

    // Nesting: 64 levels are accepted, 65 are not.
    expect(await postJson(port, request_('deep', [span('GET /deep', [{ key: 'deep', value: nested(64) }])]))).toBe(200);
    expect(await postJson(port, request_('deep', [span('GET /deep', [{ key: 'deep', value: nested(65) }])]))).toBe(400);
    // Wide: 100 000 array elements and 10 000 attributes on one span, within the limit.
    const wide = Array.from({ length: 100_000 }, (_, i) => ({ intValue: String(i) }));
    const many = Array.from({ length: 10_000 }, (_, i) => ({ key: `k${i}`, value: { boolValue: true } }));
    expect(await postJson(port, request_('wide', [span('GET /wide', [{ key: 'wide', value: { arrayValue: { values: wide } } }, ...many])]))).toBe(200);

    // Within the limit: 1 MiB values on attributes no processor keys on, 64 KiB distinct routes (a group_by label)
    // and 64 KiB distinct span names (the baseline's operation label), 3 spans a request.
    const statuses: number[] = [];
    for (let r = 0; r < HUGE_REQUESTS; r++) {
      const spans = Array.from({ length: 3 }, (_, i) => {
        const seed = r * 3 + i;
        return span(hugeString(HUGE_ROUTE, seed), [
          { key: 'http.route', value: { stringValue: hugeString(HUGE_ROUTE, seed) } },
          { key: 'http.request.body', value: { stringValue: hugeString(HUGE_ATTRIBUTE, seed) } },
        ]);
      });
      statuses.push(await postJson(port, request_('huge', spans)));
    }
    expect(statuses.every((status) => status === 200)).toBe(true);

    const samples = await waitUntil(async () => {
      const got = await gateway!.metrics();
      return total(got, 'slowatch_slo_events_total', { slo: 'per-route', service: 'huge' }) + total(got, 'slowatch_slo_events_total', { slo: 'per-route', service: '__overflow__' }) >=
        3 * HUGE_REQUESTS
        ? got
        : undefined;
    }, 15_000);
    rss.stop();
    expect(total(samples, 'slowatch_receiver_requests_total', { outcome: 'too_large' })).toBe(2);
    expect(total(samples, 'slowatch_receiver_requests_total', { outcome: 'invalid' })).toBe(1);
    expect(total(samples, 'slowatch_receiver_requests_total', { outcome: 'success' })).toBe(2 + HUGE_REQUESTS);
    expect(total(samples, 'slowatch_receiver_accepted_spans_total')).toBe(2 + 3 * HUGE_REQUESTS);

    // The values were kept whole where they became labels, and only max_series of them (+ overflow).
    // Series are (service, http.route) label sets; the deep and wide spans have no route and hold two of them.
    const series = new Set(select(samples, 'slowatch_slo_events_total', { slo: 'per-route' }).map((sample) => `${sample.labels.service}\n${sample.labels.http_route}`));
    expect(series.size).toBe(MAX_SERIES + 1);
    const routes = labelValues(samples, 'slowatch_slo_events_total', 'http_route', { slo: 'per-route' });
    expect(routes.has('__overflow__')).toBe(true);
    const longest = Math.max(...[...routes].map((route) => route.length));
    expect(longest).toBeLessThanOrEqual(HUGE_ROUTE);
    expect(total(samples, 'slowatch_baseline_keys')).toBeLessThanOrEqual(10 + 1);

    console.info(
      `huge attributes: 2 × 413, 1 × 400, ${HUGE_REQUESTS} × 3 spans with 1 MiB attributes and 64 KiB labels accepted; ` +
        `longest label kept ${longest} bytes; gateway RSS first ${mib(rss.first)}, peak ${mib(rss.peak)}, last ${mib(rss.last)}; test ${Date.now() - started} ms`,
    );
    expect(rss.peak).toBeLessThan(RSS_BOUND_BYTES);
  });
});
