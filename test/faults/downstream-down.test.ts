/**
 * Fault: the downstream is down for "minutes". Compressed: a 15 s outage
 * with a 100 ms → 500 ms back-off gives the exporter about thirty retry
 * rounds, the same state machine a several-minute outage drives with the
 * default 5 s → 30 s back-off. The gateway is a real `slowatch serve`
 * process (dist/).
 *
 * Bound: about 20 s (15 s outage + delivery); the test's timeout is 60 s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcess } from '../helpers/gateway-process';
import type { RunningGatewayProcess } from '../helpers/gateway-process';
import { availabilityBatch } from '../helpers/otlp-spans';
import { waitUntil } from '../helpers/processes';
import { FaultDownstream, faultGatewayConfig, postStatus, scrape, sleep, spanIdsOf, total } from './fault-harness';

const OUTAGE_MS = 15_000;
const QUEUE_SIZE = 4;
const NUM_CONSUMERS = 1;
const SPANS_PER_BATCH = 5;

const running: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  // The gateway first (it drains into the downstream), then the downstream.
  for (const r of running.splice(0)) await r.close();
});

describe('fault: downstream down for a (compressed) long outage (bound ~20 s)', () => {
  it('accepts until the queue is full, then answers 503; after the outage every accepted span is delivered exactly once', async () => {
    const downstream = new FaultDownstream();
    await downstream.start();
    running.push(downstream);
    downstream.behaviour = { kind: 'unavailable' };
    const gateway: RunningGatewayProcess = await startGatewayProcess((ports) =>
      faultGatewayConfig(ports, downstream.port, { queue: `{ num_consumers: ${NUM_CONSUMERS}, queue_size: ${QUEUE_SIZE} }` }),
    );
    running.unshift(gateway);
    const outageStarted = Date.now();

    const accepted: string[] = [];
    const statuses: number[] = [];
    for (let n = 0; n < 12; n++) {
      const batch = availabilityBatch({ good: SPANS_PER_BATCH, bad: 0 });
      const status = await postStatus(gateway.ports.http, batch);
      statuses.push(status);
      if (status === 200) accepted.push(...spanIdsOf(batch));
      await sleep(50);
    }
    // 200s first, then only 503s: the queue's batches plus the ones its consumers are retrying, never more.
    const firstRefusal = statuses.indexOf(503);
    expect(firstRefusal).toBe(QUEUE_SIZE + NUM_CONSUMERS);
    expect(statuses.slice(0, firstRefusal).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(firstRefusal).every((s) => s === 503)).toBe(true);
    const refusedSpans = (statuses.length - firstRefusal) * SPANS_PER_BATCH;

    const during = await scrape(gateway.ports.metrics);
    expect(total(during, 'slowatch_exporter_enqueue_failed_spans_total', { exporter: 'otlp/downstream' })).toBe(refusedSpans);
    expect(total(during, 'slowatch_exporter_queue_size', { exporter: 'otlp/downstream' })).toBeLessThanOrEqual(QUEUE_SIZE);
    // The SLO engine counted what the pipeline accepted, not what it refused.
    expect(total(during, 'slowatch_slo_events_total', { slo: 'availability' })).toBe(accepted.length);

    await sleep(Math.max(0, OUTAGE_MS - (Date.now() - outageStarted)));
    // The exporter kept retrying through the outage (100 ms → 500 ms back-off, no Retry-After), and nothing got through.
    expect(downstream.requests).toBeGreaterThan(20);
    expect(downstream.acceptedSpanIds).toHaveLength(0);
    // Still serving: a new batch is refused with 503 (queue full), /metrics answers.
    expect(await postStatus(gateway.ports.http, availabilityBatch({ good: 1, bad: 0 }))).toBe(503);

    downstream.behaviour = { kind: 'accept' };
    await waitUntil(() => Promise.resolve(new Set(downstream.acceptedSpanIds).size >= accepted.length ? true : undefined), 15_000);
    await sleep(300);
    expect([...new Set(downstream.acceptedSpanIds)].sort()).toEqual([...accepted].sort());
    expect(downstream.acceptedSpanIds).toHaveLength(accepted.length);
    const after = await scrape(gateway.ports.metrics);
    expect(total(after, 'slowatch_exporter_sent_spans_total', { exporter: 'otlp/downstream' })).toBe(accepted.length);
    expect(total(after, 'slowatch_exporter_send_failed_spans_total', { exporter: 'otlp/downstream' })).toBe(0);
    // And the gateway accepts again once the queue has drained.
    expect(await postStatus(gateway.ports.http, availabilityBatch({ good: 1, bad: 0 }))).toBe(200);
  }, 60_000);
});
