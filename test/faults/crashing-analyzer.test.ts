/**
 * Fault: an analyzer that throws on every call, inside a running gateway
 * (in-process Service, built-in runtimes, real HTTP receiver and otlp
 * exporter). Injected through the engines' public API: a baseline listener
 * (the hook the anomaly engine itself uses) throwing on every closed
 * interval, and an SLO alert subscriber throwing on every transition.
 * Spans keep flowing to the exporter, the SLO keeps counting and alerting
 * the other listeners, the baseline failure is logged once for many, and
 * the service stays up.
 *
 * The clock is a ManualClock, so intervals close when the test says.
 * Bound: about 2 s; timeout 20 s.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { loadConfig } from '../../src/config/load-config';
import type { SloAlertEvent } from '../../src/engine/slo-alert-event';
import { describeError } from '../../src/logging/logger';
import type { Logger } from '../../src/logging/logger';
import { Service } from '../../src/service/service';
import { builtInRuntimes } from '../../src/service/builtin-runtimes';
import { gatewayPorts } from '../helpers/gateway-process';
import { availabilityBatch } from '../helpers/otlp-spans';
import { waitUntil } from '../helpers/processes';
import { FaultDownstream, postStatus, scratchDirectory, scrape, sloCounts, spanIdsOf } from './fault-harness';

const MINUTE = 60_000;

const cleanup: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c.close();
});

/** A logger that keeps its lines, as the stderr logger would print them. */
function capturingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    error: (message, error) => lines.push(`error: ${message}${error === undefined ? '' : `: ${describeError(error)}`}`),
    warn: (message) => lines.push(`warn: ${message}`),
    info: (message) => lines.push(`info: ${message}`),
    debug: () => undefined,
  };
}

describe('fault: a crashing analyzer (bound ~2 s)', () => {
  it('keeps spans flowing to the exporter and the SLO counting; logs the failure once; stays up', async () => {
    const downstream = new FaultDownstream();
    await downstream.start();
    cleanup.push(downstream);
    const scratch = scratchDirectory('crash');
    cleanup.push(scratch);
    const ports = await gatewayPorts();
    const configPath = path.join(scratch.dir, 'otel-config.yaml');
    writeFileSync(
      configPath,
      `
receivers:
  otlp: { protocols: { http: { endpoint: 127.0.0.1:${ports.http} } } }
processors:
  slo:
    objectives:
      - { name: availability, service: shop, sli: { availability: {} }, objective: 99 }
  baseline: { interval: 1m }
exporters:
  otlp/downstream:
    endpoint: http://127.0.0.1:${downstream.port}
    compression: none
  prometheus: { endpoint: 127.0.0.1:${ports.metrics} }
service:
  pipelines:
    traces: { receivers: [otlp], processors: [slo, baseline], exporters: [otlp/downstream] }
    metrics/self: { exporters: [prometheus] }
`,
    );
    const logger = capturingLogger();
    const clock = new ManualClock(Math.floor(Date.now() / MINUTE) * MINUTE);
    const service = new Service(loadConfig({ configPath }).config, { logger, clock, runtimes: builtInRuntimes });
    await service.start();
    cleanup.unshift({ close: () => service.shutdown() });

    const baseline = service.baselineEngines.get('baseline')!;
    const slo = service.sloEngines.get('slo')!;
    let baselineCalls = 0;
    baseline.addListener({
      intervalClosed: () => {
        baselineCalls++;
        throw new Error('analyzer bug: interval');
      },
      keyEvicted: () => {
        throw new Error('analyzer bug: eviction');
      },
    });
    let sloCalls = 0;
    slo.subscribe(() => {
      sloCalls++;
      throw new Error('analyzer bug: alert');
    });
    const alerts: SloAlertEvent[] = [];
    slo.subscribe((event) => alerts.push(event));

    const sent: string[] = [];
    for (let minute = 0; minute < 6; minute++) {
      const batch = availabilityBatch({ good: 8, bad: 2, endMs: clock.now() });
      expect(await postStatus(ports.http, batch)).toBe(200);
      sent.push(...spanIdsOf(batch));
      clock.advance(MINUTE);
      baseline.rollUp();
      slo.evaluate();
    }

    // The analyzers ran (and threw) on every call...
    expect(baselineCalls).toBeGreaterThanOrEqual(5);
    expect(sloCalls).toBeGreaterThanOrEqual(1);
    // ...and the pipeline did not notice: every span reached the downstream, the SLO counted every span
    // and the listener after the crashing one got the page alert.
    await waitUntil(() => Promise.resolve(downstream.acceptedSpanIds.length >= sent.length ? true : undefined), 10_000);
    expect([...downstream.acceptedSpanIds].sort()).toEqual([...sent].sort());
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 48, bad: 12 });
    expect(alerts.some((a) => a.severity === 'page' && a.state === 'firing')).toBe(true);
    expect(baseline.keyCount).toBe(1);
    expect(service.isRunning).toBe(true);

    // One line for the baseline listener's many failures, one for the alert subscriber's.
    const failureLines = logger.lines.filter((line) => line.includes('analyzer bug'));
    expect(failureLines.sort()).toEqual([
      'error: baseline: baseline roll-up failed; further failures are counted, not logged: analyzer bug: interval',
      'error: slo: an SLO alert listener failed; further failures are counted, not logged: analyzer bug: alert',
    ]);
  }, 20_000);
});
