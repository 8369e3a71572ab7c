import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveWebhookExporterSettings, webhookExporterConfigSchema } from '../../../exporters/webhook/config';
import type { WebhookExporterConfig } from '../../../exporters/webhook/config';
import { WebhookExporter } from '../../../exporters/webhook/webhook-exporter';
import { slackText } from '../../../exporters/webhook/webhook-payload';
import { ManualClock } from '../../../src/clock';
import { ManualTimer, sloEvent, startCaptureServer } from '../alertmanager/helpers';
import type { CaptureServer } from '../alertmanager/helpers';
import { testContext } from '../otlp/helpers';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

describe('WebhookExporter', () => {
  let server: CaptureServer;
  let timer: ManualTimer;
  const clock = new ManualClock(T0);
  const exporters: WebhookExporter[] = [];

  beforeEach(async () => {
    server = await startCaptureServer();
    timer = new ManualTimer();
  });

  afterEach(async () => {
    await Promise.all(exporters.splice(0).map((e) => e.shutdown()));
    await server.close();
  });

  function create(config: WebhookExporterConfig = {}) {
    const settings = resolveWebhookExporterSettings({
      url: `${server.url}/hook?token=abc`,
      retry_on_failure: { initial_interval: '10ms', max_interval: '20ms', randomization_factor: 0 },
      ...config,
    });
    const exporter = new WebhookExporter(settings, testContext('webhook', clock).ctx, { every: timer.every });
    exporters.push(exporter);
    return exporter;
  }

  it('POSTs each transition as JSON shaped after Alertmanager webhooks, with the source, and never re-sends', async () => {
    const exporter = create({ headers: { authorization: 'Bearer t' }, runbook_url: 'https://rb.example.com/{slo}' });
    await exporter.start();
    expect(timer.armed).toBe(false);
    exporter.onAlertEvent(sloEvent('firing', T0));
    exporter.onAlertEvent(sloEvent('resolved', T0 + 60_000));
    await server.waitFor(2);
    await exporter.whenIdle();
    expect(server.requests[0]?.path).toBe('/hook?token=abc');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer t');
    const labels = { alertname: 'SloErrorBudgetBurn', slo: 'checkout-availability', service: 'checkout', severity: 'critical' };
    const annotations = { summary: 'SLO checkout-availability burns', description: 'burn rate 20× over 1h', runbook_url: 'https://rb.example.com/checkout-availability' };
    expect(server.requests.map((r) => r.body)).toEqual([
      { status: 'firing', alerts: [{ status: 'firing', source: 'slo', labels, annotations, startsAt: '2024-05-01T12:00:00.000Z' }] },
      { status: 'resolved', alerts: [{ status: 'resolved', source: 'slo', labels, annotations, startsAt: '2024-05-01T12:00:00.000Z', endsAt: '2024-05-01T12:01:00.000Z' }] },
    ]);
  });

  it('sends Slack-compatible {text} with format slack, escaping Slack control characters', async () => {
    const exporter = create({ format: 'slack', runbook_url: 'https://rb.example.com/{slo}' });
    await exporter.start();
    exporter.onAlertEvent({ ...sloEvent('firing', T0), annotations: { summary: 'SLO <a> & b', description: 'burn 20×' } });
    await server.waitFor(1);
    expect(server.requests[0]?.body).toEqual({
      text: '*[FIRING] SLO &lt;a&gt; &amp; b*\nburn 20×\n<https://rb.example.com/checkout-availability|Runbook>',
    });
  });

  it('retries a 503 like the alertmanager exporter', async () => {
    server.answers.push({ status: 503 });
    const exporter = create();
    await exporter.start();
    exporter.onAlertEvent(sloEvent('firing', T0));
    await server.waitFor(2);
    await exporter.whenIdle();
    expect(exporter.metrics.totals).toEqual({ sent: 1, sendFailed: 0, enqueueFailed: 0 });
  });

  it('formats several alerts as blocks, falling back to the alertname without a summary', () => {
    const base = { source: 'slo' as const, startsAtMs: T0, labels: { alertname: 'X' } };
    expect(slackText([{ ...base, state: 'firing', annotations: {} }, { ...base, state: 'resolved', annotations: { summary: 's', description: 'd' } }])).toBe('*[FIRING] X*\n\n*[RESOLVED] s*\nd');
  });
});

describe('webhook exporter config', () => {
  it('requires url, and accepts a query string in it', () => {
    expect(webhookExporterConfigSchema.safeParse({}).error?.issues[0]?.message).toBe('required: an http:// or https:// URL, e.g. https://hooks.example.com/alerts');
    expect(webhookExporterConfigSchema.safeParse({ url: 'https://h.example.com/x?token=1' }).success).toBe(true);
    expect(() => resolveWebhookExporterSettings({})).toThrow('url is required');
  });
});
