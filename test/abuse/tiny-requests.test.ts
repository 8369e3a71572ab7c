import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { availabilityBatch } from '../helpers/otlp-spans';
import { waitUntil } from '../helpers/processes';
import { MIB, RssSampler, mib, residentBytes, startAbuseGateway, total } from './abuse-harness';
import type { AbuseGateway } from './abuse-harness';

/*
 * Abuse: very many one-span requests over keep-alive connections (autocannon,
 * 10 connections). Every request is answered 200, the receiver and the SLO
 * count exactly one span per request, and the gateway's memory does not grow
 * with the number of requests: RSS after all of them is within a stated
 * margin of RSS after a warm-up of the same traffic.
 *
 * Bound: 30 s on 2 cores (vitest timeout 60 s).
 */

/** The part of autocannon's programmatic API used here (it ships no types). */
interface AutocannonResult {
  readonly '2xx': number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly requests: { readonly total: number; readonly average: number };
}
type Autocannon = (options: {
  readonly url: string;
  readonly method: 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly connections: number;
  readonly amount: number;
  readonly timeout?: number;
}) => Promise<AutocannonResult>;

const autocannon = createRequire(__filename)('autocannon') as Autocannon;

const WARM_UP = 2_000;
const REQUESTS = 50_000;
const CONNECTIONS = 10;
/** RSS may end at most this much above where the warm-up left it: the gateway's steady state, not a per-request cost (50 000 requests × 1 KiB would be 49 MiB). */
const GROWTH_BOUND_BYTES = 20 * MIB;

function config(ports: { http: number; metrics: number; health: number }): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  slo:
    evaluation_interval: 1s
    objectives:
      - { name: availability, sli: { availability: {} }, objective: 99 }
  baseline: {}
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

let gateway: AbuseGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe('many tiny requests', () => {
  it(`answers ${REQUESTS} one-span requests over keep-alive, counts each exactly, and does not grow`, async () => {
    const started = Date.now();
    gateway = await startAbuseGateway(config);
    const run = (amount: number): Promise<AutocannonResult> =>
      autocannon({
        url: `http://127.0.0.1:${gateway!.ports.http}/v1/traces`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // One span, succeeded; the same body every time (the SLO counts events, not distinct ids).
        body: JSON.stringify(availabilityBatch({ service: 'tiny', good: 1, bad: 0 })),
        connections: CONNECTIONS,
        amount,
        timeout: 10,
      });

    const warmUp = await run(WARM_UP);
    expect(warmUp['2xx']).toBe(WARM_UP);
    const afterWarmUp = residentBytes(gateway.pid);
    const rss = new RssSampler(gateway.pid);
    const result = await run(REQUESTS);
    rss.stop();
    expect({ ok: result['2xx'], non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts }).toEqual({ ok: REQUESTS, non2xx: 0, errors: 0, timeouts: 0 });

    const all = WARM_UP + REQUESTS;
    const samples = await waitUntil(async () => {
      const got = await gateway!.metrics();
      return total(got, 'slowatch_slo_events_total', { slo: 'availability', service: 'tiny' }) === all ? got : undefined;
    }, 15_000);
    expect(total(samples, 'slowatch_slo_events_total', { slo: 'availability', service: 'tiny', outcome: 'good' })).toBe(all);
    expect(total(samples, 'slowatch_receiver_accepted_spans_total')).toBe(all);
    expect(total(samples, 'slowatch_receiver_requests_total', { outcome: 'success' })).toBe(all);
    expect(total(samples, 'slowatch_receiver_requests_total')).toBe(all);

    console.info(
      `tiny requests: ${REQUESTS} at ${Math.round(result.requests.average)} req/s over ${CONNECTIONS} connections; ` +
        `gateway RSS after warm-up ${mib(afterWarmUp)}, peak ${mib(rss.peak)}, after ${mib(rss.last)}; test ${Date.now() - started} ms`,
    );
    expect(rss.last - afterWarmUp).toBeLessThan(GROWTH_BOUND_BYTES);
  });
});
