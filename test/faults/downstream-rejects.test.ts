/**
 * Fault: the downstream answers 400 Bad Request to everything. OTLP/HTTP
 * says 400 is not retryable: each batch reaches the downstream once, its
 * spans are counted as failed in the exporter's metric, and stderr says so
 * once for the whole run, not once per batch.
 *
 * Bound: about 5 s; timeout 30 s.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGatewayProcess } from '../helpers/gateway-process';
import { availabilityBatch } from '../helpers/otlp-spans';
import { waitUntil } from '../helpers/processes';
import { FaultDownstream, faultGatewayConfig, postStatus, scrape, sleep, total } from './fault-harness';

const BATCHES = 12;
const SPANS_PER_BATCH = 3;

const running: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
});

describe('fault: downstream answering 400 (bound ~5 s)', () => {
  it('does not retry, counts every span as failed and logs one line for many batches', async () => {
    const downstream = new FaultDownstream();
    await downstream.start();
    running.push(downstream);
    downstream.behaviour = { kind: 'reject', status: 400 };
    const gateway = await startGatewayProcess((ports) => faultGatewayConfig(ports, downstream.port));
    running.unshift(gateway);

    for (let n = 0; n < BATCHES; n++) {
      // The receiver accepted them (the queue took them); the downstream's verdict comes later.
      expect(await postStatus(gateway.ports.http, availabilityBatch({ good: SPANS_PER_BATCH, bad: 0 }))).toBe(200);
    }
    await waitUntil(() => Promise.resolve(downstream.requests >= BATCHES ? true : undefined), 10_000);
    // Ten back-off rounds of the 100 ms initial interval: a retry would have shown by now.
    await sleep(1_000);
    expect(downstream.requests).toBe(BATCHES);
    expect(downstream.acceptedSpanIds).toHaveLength(0);

    const metrics = await scrape(gateway.ports.metrics);
    expect(total(metrics, 'slowatch_exporter_send_failed_spans_total', { exporter: 'otlp/downstream' })).toBe(BATCHES * SPANS_PER_BATCH);
    expect(total(metrics, 'slowatch_exporter_sent_spans_total', { exporter: 'otlp/downstream' })).toBe(0);
    // The SLO still counted every span: an export failure is not the service's failure.
    expect(total(metrics, 'slowatch_slo_events_total', { slo: 'availability' })).toBe(BATCHES * SPANS_PER_BATCH);

    const mentions = gateway.proc
      .stderr()
      .split('\n')
      // Not the start-up info lines: they name otlp/downstream and a temporary path whose random suffix may hold "400".
      .filter((line) => !line.startsWith('slowatch info:') && line.includes('otlp/downstream') && /\b400\b/.test(line));
    expect(mentions).toHaveLength(1);
    expect(mentions[0]).toMatch(/^slowatch (error|warn): /);
    expect(gateway.proc.child.exitCode).toBeNull();
  }, 30_000);
});
