import { describe, expect, it } from 'vitest';
import { alertmanagerExporterConfigSchema, alertmanagerExporterFactory, alertsUrl, createDefaultConfig, resolveAlertmanagerExporterSettings } from '../../../exporters/alertmanager/config';

describe('alertmanager exporter config', () => {
  it('has defaults that pass its own schema and resolve to the v2 API on loopback', () => {
    expect(alertmanagerExporterConfigSchema.safeParse(createDefaultConfig()).success).toBe(true);
    expect(resolveAlertmanagerExporterSettings(createDefaultConfig())).toMatchObject({
      url: 'http://127.0.0.1:9093/api/v2/alerts',
      resendIntervalMs: 60_000,
      events: ['slo'],
      timeoutMs: 10_000,
      queueSize: 1000,
    });
    expect(alertmanagerExporterFactory).toMatchObject({ kind: 'exporter', type: 'alertmanager', signals: ['traces', 'metrics', 'logs'] });
  });

  it.each([
    ['http://am:9093', 'http://am:9093/api/v2/alerts'],
    ['http://am:9093/', 'http://am:9093/api/v2/alerts'],
    ['https://h/alertmanager//', 'https://h/alertmanager/api/v2/alerts'],
  ])('appends /api/v2/alerts to %s', (endpoint, url) => {
    expect(alertsUrl(endpoint)).toBe(url);
  });

  it('refuses unknown keys, naming the valid ones', () => {
    const result = alertmanagerExporterConfigSchema.safeParse({ endpoint: 'http://am:9093', resend: '1m' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      'unknown key; valid keys: endpoint, resend_interval, generator_url, events, external_labels, runbook_url, headers, timeout, sending_queue, retry_on_failure',
    );
  });
});
