import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertmanagerExporter } from '../../../exporters/alertmanager/alertmanager-exporter';
import { ALERT_EXPORTER_METRIC_NAMES } from '../../../exporters/alertmanager/alert-exporter-metrics';
import { ManualClock } from '../../../src/clock';
import { testContext } from '../otlp/helpers';
import { ManualTimer, alertmanagerSettings, sloEvent, startCaptureServer } from './helpers';
import type { CaptureServer } from './helpers';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);
const MINUTE = 60_000;

describe('AlertmanagerExporter', () => {
  let server: CaptureServer;
  let clock: ManualClock;
  let timer: ManualTimer;
  const exporters: AlertmanagerExporter[] = [];

  beforeEach(async () => {
    server = await startCaptureServer();
    clock = new ManualClock(T0);
    timer = new ManualTimer();
  });

  afterEach(async () => {
    await Promise.all(exporters.splice(0).map((e) => e.shutdown()));
    await server.close();
  });

  function create(overrides: Parameters<typeof alertmanagerSettings>[1] = {}, id = 'alertmanager') {
    const test = testContext(id, clock);
    const exporter = new AlertmanagerExporter(alertmanagerSettings(server.url, overrides), test.ctx, { every: timer.every, random: () => 0.5 });
    exporters.push(exporter);
    return { exporter, ...test };
  }

  it('POSTs a firing alert to /api/v2/alerts in the v2 API shape, endsAt three resend intervals ahead', async () => {
    const { exporter } = create({ generator_url: 'https://grafana.example.com/d/slo?var-slo={slo}', runbook_url: 'https://runbooks.example.com/{alertname}/{slo}' });
    await exporter.start();
    exporter.onAlertEvent(sloEvent('firing', T0));
    await server.waitFor(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/v2/alerts');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual([
      {
        labels: { alertname: 'SloErrorBudgetBurn', slo: 'checkout-availability', service: 'checkout', severity: 'critical' },
        annotations: {
          summary: 'SLO checkout-availability burns',
          description: 'burn rate 20× over 1h',
          runbook_url: 'https://runbooks.example.com/SloErrorBudgetBurn/checkout-availability',
        },
        startsAt: '2024-05-01T12:00:00.000Z',
        endsAt: '2024-05-01T12:03:00.000Z',
        generatorURL: 'https://grafana.example.com/d/slo?var-slo=checkout-availability',
      },
    ]);
    await exporter.whenIdle();
    expect(exporter.metrics.totals).toEqual({ sent: 1, sendFailed: 0, enqueueFailed: 0 });
  });

  it('re-sends firing alerts every resend_interval with a fresh endsAt and the first startsAt, then sends the resolve', async () => {
    const { exporter } = create({ resend_interval: '2m' });
    await exporter.start();
    expect(timer.intervalMs).toBe(2 * MINUTE);
    exporter.onAlertEvent(sloEvent('firing', T0));
    await server.waitFor(1);

    clock.advance(2 * MINUTE);
    // The engine reports the same alert firing again only on a change; re-sends come from the timer.
    timer.fire();
    await server.waitFor(2);
    clock.advance(2 * MINUTE);
    timer.fire();
    await server.waitFor(3);
    const bodies = server.requests.map((r) => r.body as { startsAt: string; endsAt: string }[]);
    expect(bodies.map((b) => b.map((a) => [a.startsAt, a.endsAt]))).toEqual([
      [['2024-05-01T12:00:00.000Z', '2024-05-01T12:06:00.000Z']],
      [['2024-05-01T12:00:00.000Z', '2024-05-01T12:08:00.000Z']],
      [['2024-05-01T12:00:00.000Z', '2024-05-01T12:10:00.000Z']],
    ]);

    clock.advance(30_000);
    exporter.onAlertEvent(sloEvent('resolved', clock.now()));
    await server.waitFor(4);
    expect(server.requests[3]?.body).toEqual([
      expect.objectContaining({ startsAt: '2024-05-01T12:00:00.000Z', endsAt: '2024-05-01T12:04:30.000Z', labels: expect.objectContaining({ severity: 'critical' }) as unknown }),
    ]);
    expect(exporter.activeAlertCount).toBe(0);
    // Nothing fires any more: the next tick sends nothing.
    timer.fire();
    await exporter.whenIdle();
    expect(server.requests).toHaveLength(4);
  });

  it('sends one-shot alerts (regressions) once, ending on their own, and never re-sends them', async () => {
    const { exporter } = create({ events: ['slo', 'regression'] });
    await exporter.start();
    exporter.onAlertEvent({ ...sloEvent('firing', T0), source: 'regression', labels: { alertname: 'DeployRegression', severity: 'warning' }, expiresAfterMs: 3_600_000 });
    await server.waitFor(1);
    expect(server.requests[0]?.body).toEqual([expect.objectContaining({ startsAt: '2024-05-01T12:00:00.000Z', endsAt: '2024-05-01T13:00:00.000Z' })]);
    timer.fire();
    await exporter.whenIdle();
    expect(server.requests).toHaveLength(1);
    expect(exporter.activeAlertCount).toBe(0);
  });

  it('sends only the configured sources and adds external labels without overriding the alert own', async () => {
    const { exporter } = create({ events: ['slo'], external_labels: { cluster: 'eu-1', service: 'not-this' } });
    await exporter.start();
    exporter.onAlertEvent({ ...sloEvent('firing', T0), source: 'anomaly' });
    exporter.onAlertEvent(sloEvent('firing', T0));
    await server.waitFor(1);
    await exporter.whenIdle();
    expect(server.requests).toHaveLength(1);
    expect((server.requests[0]?.body as { labels: Record<string, string> }[])[0]?.labels).toEqual({
      cluster: 'eu-1',
      alertname: 'SloErrorBudgetBurn',
      slo: 'checkout-availability',
      service: 'checkout',
      severity: 'critical',
    });
  });

  it('retries 5xx, 429 and connection errors with backoff, then succeeds', async () => {
    server.answers.push({ status: 503 }, { status: 429, headers: { 'retry-after': '0' } }, { status: 500 });
    const { exporter, logs } = create();
    await exporter.start();
    exporter.onAlertEvent(sloEvent('firing', T0));
    await server.waitFor(4);
    await exporter.whenIdle();
    expect(server.requests.map((r) => r.body)).toEqual(new Array(4).fill(server.requests[0]?.body));
    expect(exporter.metrics.totals).toEqual({ sent: 1, sendFailed: 0, enqueueFailed: 0 });
    expect(logs.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('retries when nothing listens and gives up after max_elapsed_time, counting the failure once per kind in the log', async () => {
    const closed = await startCaptureServer();
    const url = closed.url;
    await closed.close();
    const test = testContext('alertmanager', { now: () => Date.now() });
    const exporter = new AlertmanagerExporter(
      alertmanagerSettings(url, { retry_on_failure: { initial_interval: '10ms', max_interval: '20ms', randomization_factor: 0, max_elapsed_time: '100ms' } }),
      test.ctx,
      { every: timer.every },
    );
    exporters.push(exporter);
    await exporter.start();
    exporter.onAlertEvent(sloEvent('firing', T0));
    exporter.onAlertEvent(sloEvent('firing', T0, 'other-slo'));
    await exporter.whenIdle();
    expect(exporter.metrics.totals).toEqual({ sent: 0, sendFailed: 2, enqueueFailed: 0 });
    expect(test.logs).toHaveLength(1);
    expect(test.logs[0]).toMatch(/^error: exporter alertmanager: sending alerts \(gave up after retrying for max_elapsed_time 100 ms\) failed; further failures are counted, not logged: .*ECONNREFUSED/);
    expect(await test.metric(ALERT_EXPORTER_METRIC_NAMES.sendFailed)).toBe(2);
  });

  it('does not retry a 400 (the alert is invalid) and logs the answer', async () => {
    server.answers.push({ status: 400, body: '{"code":400,"message":"bad label"}' });
    const { exporter, logs } = create();
    await exporter.start();
    exporter.onAlertEvent(sloEvent('firing', T0));
    await server.waitFor(1);
    await exporter.whenIdle();
    expect(server.requests).toHaveLength(1);
    expect(exporter.metrics.totals.sendFailed).toBe(1);
    expect(logs[0]).toContain('HTTP 400: {"code":400,"message":"bad label"}');
  });

  it('bounds the queue in alerts, dropping the oldest notifications and counting them, without blocking the caller', async () => {
    // The first notification is being retried (503): the others wait in the queue behind it.
    server.answers.push({ status: 503 });
    const { exporter, metric } = create({ sending_queue: { queue_size: 3 }, retry_on_failure: { initial_interval: '10ms', max_interval: '10ms', max_elapsed_time: '0s' } });
    await exporter.start();
    exporter.onAlertEvent(sloEvent('firing', T0, 'slo-0'));
    await server.waitFor(1); // slo-0 is being retried, out of the queue
    for (let i = 1; i <= 5; i++) exporter.onAlertEvent(sloEvent('firing', T0, `slo-${i}`));
    expect(exporter.queuedAlertCount).toBe(3);
    expect(exporter.metrics.totals.enqueueFailed).toBe(2);
    expect(await metric(ALERT_EXPORTER_METRIC_NAMES.enqueueFailed)).toBe(2);
    await exporter.whenIdle();
    const sent = server.requests.map((r) => (r.body as { labels: { slo: string } }[])[0]?.labels.slo);
    // slo-0 twice (503, then ok), slo-1 and slo-2 dropped as the oldest waiting.
    expect(sent).toEqual(['slo-0', 'slo-0', 'slo-3', 'slo-4', 'slo-5']);
  });

  it('splits a re-send of many alerts into requests of at most maxAlertsPerRequest', async () => {
    const test = testContext('alertmanager', clock);
    const exporter = new AlertmanagerExporter(alertmanagerSettings(server.url), test.ctx, { every: timer.every, maxAlertsPerRequest: 2 });
    exporters.push(exporter);
    await exporter.start();
    for (let i = 0; i < 5; i++) exporter.onAlertEvent(sloEvent('firing', T0, `slo-${i}`));
    await server.waitFor(5);
    timer.fire();
    await server.waitFor(8);
    await exporter.whenIdle();
    expect(server.requests.slice(5).map((r) => (r.body as unknown[]).length)).toEqual([2, 2, 1]);
  });

  it('passes telemetry through without sending anything, and shutdown sends what is queued and stops the timer', async () => {
    const { exporter } = create();
    await exporter.start();
    await exporter.consume();
    exporter.onAlertEvent(sloEvent('firing', T0));
    await exporter.shutdown();
    expect(server.requests).toHaveLength(1);
    expect(timer.armed).toBe(false);
    // After shutdown, events are counted and dropped.
    exporter.onAlertEvent(sloEvent('resolved', T0));
    expect(exporter.metrics.totals.enqueueFailed).toBe(1);
  });
});
