/**
 * Fault: the downstream is slow (answers after 1.5 s). The sending queue
 * and its consumers bound what the gateway holds; past that, back-pressure
 * reaches the client as 503 instead of the gateway growing; once the
 * backlog drains, the gateway accepts again; nothing accepted is lost.
 *
 * Bound: about 15 s (a 2 s burst, then the backlog: at most
 * (queue_size + num_consumers) × 1.5 s / num_consumers ≈ 5 s); timeout 45 s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcess } from '../helpers/gateway-process';
import { availabilityBatch } from '../helpers/otlp-spans';
import { waitUntil } from '../helpers/processes';
import { FaultDownstream, faultGatewayConfig, postStatus, scrape, sleep, spanIdsOf, total } from './fault-harness';

const DELAY_MS = 1_500;
const QUEUE_SIZE = 4;
const NUM_CONSUMERS = 2;
const SPANS_PER_BATCH = 10;

const running: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

describe('fault: slow downstream (bound ~15 s)', () => {
  it('holds at most queue_size + num_consumers batches, answers 503 beyond, and delivers everything it accepted', async () => {
    const downstream = new FaultDownstream();
    await downstream.start();
    running.push(downstream);
    downstream.delayMs = DELAY_MS;
    const gateway = await startGatewayProcess((ports) =>
      faultGatewayConfig(ports, downstream.port, { queue: `{ num_consumers: ${NUM_CONSUMERS}, queue_size: ${QUEUE_SIZE} }` }),
    );
    running.unshift(gateway);

    // A client far faster than the downstream: 4 concurrent posters for 2 s.
    const accepted: string[] = [];
    let refused = 0;
    let maxQueue = 0;
    const burstEnds = Date.now() + 2_000;
    const poster = async (): Promise<void> => {
      while (Date.now() < burstEnds) {
        const batch = availabilityBatch({ good: SPANS_PER_BATCH, bad: 0 });
        const status = await postStatus(gateway.ports.http, batch);
        if (status === 200) accepted.push(...spanIdsOf(batch));
        else {
          expect(status).toBe(503);
          refused++;
        }
        await sleep(20);
      }
    };
    const sampler = async (): Promise<void> => {
      while (Date.now() < burstEnds) {
        maxQueue = Math.max(maxQueue, total(await scrape(gateway.ports.metrics), 'slowatch_exporter_queue_size', { exporter: 'otlp/downstream' }));
        await sleep(100);
      }
    };
    await Promise.all([poster(), poster(), poster(), poster(), sampler()]);

    // Back-pressure, not growth: most of the burst was refused, the queue never exceeded its capacity,
    // and the downstream never had more requests at once than the exporter has consumers.
    expect(refused).toBeGreaterThan(accepted.length / SPANS_PER_BATCH);
    expect(accepted.length / SPANS_PER_BATCH).toBeLessThanOrEqual(QUEUE_SIZE + NUM_CONSUMERS + Math.ceil(2_000 / DELAY_MS) * NUM_CONSUMERS);
    expect(maxQueue).toBeLessThanOrEqual(QUEUE_SIZE);
    expect(downstream.maxInFlight).toBeLessThanOrEqual(NUM_CONSUMERS);
    const metrics = await scrape(gateway.ports.metrics);
    expect(total(metrics, 'slowatch_exporter_enqueue_failed_spans_total', { exporter: 'otlp/downstream' })).toBe(refused * SPANS_PER_BATCH);

    // Nothing accepted is lost, nothing is sent twice (1.5 s answers stay well inside the 30 s timeout).
    await waitUntil(() => Promise.resolve(downstream.acceptedSpanIds.length >= accepted.length ? true : undefined), 20_000);
    await sleep(200);
    expect([...downstream.acceptedSpanIds].sort()).toEqual([...accepted].sort());

    // The backlog is gone: the gateway accepts again.
    expect(await postStatus(gateway.ports.http, availabilityBatch({ good: 1, bad: 0 }))).toBe(200);
  }, 45_000);
});
