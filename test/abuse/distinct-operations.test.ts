import { afterEach, describe, expect, it } from 'vitest';
import { availabilityBatch } from '../helpers/otlp-spans';
import { waitUntil } from '../helpers/processes';
import { DistinctOperationRequests, MIB, RssSampler, labelValues, mib, postProtobuf, startAbuseGateway, total } from './abuse-harness';
import type { AbuseGateway } from './abuse-harness';

/*
 * Abuse: a tenant sends a flood of distinct operations (a span name and an
 * http.route per span, as a client that puts ids into span names does)
 * while a second tenant sends normal traffic. Every per-key structure stays
 * at its cap, with the overflow series taking the rest, the second tenant is
 * served throughout with exact SLO counts, and the gateway's memory stays
 * under a stated bound.
 *
 * Bound: 40 s on 2 cores (vitest timeout 60 s); a million distinct
 * operations took 7 to 8 s on the 2-core machine this was written on, with
 * the gateway's RSS peaking at about 290 MiB, the same at 500 000 as at
 * 1 000 000 operations (the caps hold; the peak is decoding garbage).
 */

const REQUESTS = 200;
const SPANS_PER_REQUEST = 5_000;
const MAX_SERIES = 50;
const MAX_BASELINE_KEYS = 100;
const MAX_REGRESSION_KEYS = 100;
const MAX_TRACES = 1_000;
const MAX_SPANS = 10_000;
/** The gateway's RSS must stay under this while the flood runs (the caps keep it flat; decoding a 5 000-span body is the transient). */
const RSS_BOUND_BYTES = 400 * MIB;
/** The second half of the flood may not raise the RSS peak by more than this over the first half's: nothing grows per operation. */
const SECOND_HALF_GROWTH_BYTES = 64 * MIB;

function config(ports: { http: number; grpc: number; metrics: number; health: number }): string {
  return `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${ports.http} }
processors:
  slo:
    evaluation_interval: 1s
    objectives:
      - { name: per-route, sli: { availability: {} }, objective: 99, group_by: [http.route], max_series: ${MAX_SERIES} }
      - { name: tenant-b, service: tenant-b, sli: { availability: {} }, objective: 99 }
  baseline: { max_keys: ${MAX_BASELINE_KEYS} }
  regression: { max_keys: ${MAX_REGRESSION_KEYS} }
  recommend: { max_traces: ${MAX_TRACES}, max_spans: ${MAX_SPANS} }
exporters:
  prometheus: { endpoint: 127.0.0.1:${ports.metrics} }
extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], processors: [slo, baseline, regression, recommend], exporters: [] }
    metrics: { receivers: [], processors: [], exporters: [prometheus] }
`;
}

let gateway: AbuseGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe('a flood of distinct operations', () => {
  it(`keeps every series at its cap, serves the other tenant exactly and stays under ${RSS_BOUND_BYTES / MIB} MiB`, async () => {
    const started = Date.now();
    gateway = await startAbuseGateway(config);
    const port = gateway.ports.http;
    const flood = new DistinctOperationRequests(SPANS_PER_REQUEST, 'tenant-a', '1.0.0', Date.now());
    const rss = new RssSampler(gateway.pid);

    // Tenant B: 20 spans (2 failed) every 50 ms, concurrently with the flood, until it ends.
    let floodDone = false;
    const tenantStatuses: number[] = [];
    const tenant = (async () => {
      while (!floodDone) {
        const response = await fetch(`http://127.0.0.1:${port}/v1/traces`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(availabilityBatch({ service: 'tenant-b', operation: 'GET /orders', good: 18, bad: 2 })),
        });
        await response.arrayBuffer();
        tenantStatuses.push(response.status);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const floodStatuses = new Map<number, number>();
    let firstHalfPeak = 0;
    try {
      for (let i = 0; i < REQUESTS; i++) {
        if (i === REQUESTS / 2) firstHalfPeak = rss.peak;
        const status = await postProtobuf(port, flood.nextRequest());
        floodStatuses.set(status, (floodStatuses.get(status) ?? 0) + 1);
      }
    } finally {
      floodDone = true;
      await tenant;
    }
    const floodMs = Date.now() - started;
    const distinct = flood.made;
    expect(distinct).toBe(REQUESTS * SPANS_PER_REQUEST);
    expect(Object.fromEntries(floodStatuses)).toEqual({ 200: REQUESTS });
    expect(tenantStatuses.length).toBeGreaterThan(5);
    expect(tenantStatuses.every((status) => status === 200)).toBe(true);
    const tenantBatches = tenantStatuses.length;

    // Every span reached the SLO engine: the per-route series add up to all of them, good and bad, exactly.
    const samples = await waitUntil(async () => {
      const got = await gateway!.metrics();
      const counted = total(got, 'slowatch_slo_events_total', { slo: 'per-route' });
      const tenantCounted = total(got, 'slowatch_slo_events_total', { slo: 'tenant-b' });
      return counted === distinct + 20 * tenantBatches && tenantCounted === 20 * tenantBatches ? got : undefined;
    }, 15_000);
    rss.stop();

    expect(total(samples, 'slowatch_receiver_accepted_spans_total')).toBe(distinct + 20 * tenantBatches);
    expect(total(samples, 'slowatch_receiver_refused_spans_total')).toBe(0);

    // SLO: at most max_series label sets per objective, the overflow one among them, holding nearly everything.
    const routes = labelValues(samples, 'slowatch_slo_events_total', 'http_route', { slo: 'per-route' });
    expect(routes.size).toBe(MAX_SERIES + 1);
    expect(routes.has('__overflow__')).toBe(true);
    expect(total(samples, 'slowatch_slo_events_total', { slo: 'per-route', http_route: '__overflow__' })).toBeGreaterThan(distinct - MAX_SERIES);
    // Tenant B's own objective: exact counts, untouched by the flood.
    expect(total(samples, 'slowatch_slo_events_total', { slo: 'tenant-b', service: 'tenant-b', outcome: 'good' })).toBe(18 * tenantBatches);
    expect(total(samples, 'slowatch_slo_events_total', { slo: 'tenant-b', service: 'tenant-b', outcome: 'bad' })).toBe(2 * tenantBatches);

    // Baseline and regression: keys at their caps (plus the one overflow key), the rest counted, not kept.
    expect(total(samples, 'slowatch_baseline_keys')).toBeLessThanOrEqual(MAX_BASELINE_KEYS + 1);
    expect(total(samples, 'slowatch_baseline_keys')).toBeGreaterThanOrEqual(MAX_BASELINE_KEYS);
    expect(total(samples, 'slowatch_regression_keys')).toBeLessThanOrEqual(MAX_REGRESSION_KEYS + 1);
    expect(total(samples, 'slowatch_regression_untracked_spans_total', { reason: 'key_limit' })).toBeGreaterThan(distinct - 2 * MAX_REGRESSION_KEYS);
    // Recommend: its trace buffer within max_traces and max_spans; what it could not keep is counted.
    expect(total(samples, 'slowatch_recommend_buffer_traces')).toBeLessThanOrEqual(MAX_TRACES);
    expect(total(samples, 'slowatch_recommend_buffer_spans')).toBeLessThanOrEqual(MAX_SPANS);
    expect(total(samples, 'slowatch_recommend_traces_evicted_total') + total(samples, 'slowatch_recommend_traces_dropped_unanalyzed_total') + total(samples, 'slowatch_recommend_traces_analyzed_total')).toBeGreaterThan(0);

    console.info(
      `distinct operations: ${distinct} in ${REQUESTS} requests + ${tenantBatches} tenant-b batches in ${floodMs} ms; ` +
        `gateway RSS first ${mib(rss.first)}, peak in the first half ${mib(firstHalfPeak)}, peak ${mib(rss.peak)}, last ${mib(rss.last)}; test ${Date.now() - started} ms`,
    );
    expect(rss.peak).toBeLessThan(RSS_BOUND_BYTES);
    expect(rss.peak - firstHalfPeak).toBeLessThan(SECOND_HALF_GROWTH_BYTES);
  });
});
