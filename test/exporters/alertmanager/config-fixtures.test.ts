import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { AlertmanagerExporterSettings } from '../../../exporters/alertmanager/config';
import type { WebhookExporterSettings } from '../../../exporters/webhook/config';
import { ConfigError } from '../../../src/config/config-error';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { parseConfigText } from '../../../src/config/parse-config';
import type { SlowatchConfig } from '../../../src/config/slowatch-config';
import { readConfigFixture } from '../../config/fixture-file';
import type { ConfigFixture } from '../../config/fixture-file';
import { registryWithAlertExporters } from './alert-exporter-registry';

function load(fixture: ConfigFixture): SlowatchConfig {
  return parseConfigText(readFileSync(fixture.path, 'utf8'), { file: fixture.name, env: fixture.env, registry: registryWithAlertExporters });
}

const settings = <T>(config: SlowatchConfig, id: string): T => config.exporters[id]?.settings as T;

describe('alert exporter config fixtures', () => {
  it('alert_exporters.yaml loads with defaults where nothing is set', () => {
    const config = load(readConfigFixture('alert_exporters.yaml'));
    const retryDefaults = { enabled: true, initialIntervalMs: 1000, randomizationFactor: 0.5, multiplier: 1.5, maxIntervalMs: 30_000, maxElapsedTimeMs: 300_000 };
    expect(settings<AlertmanagerExporterSettings>(config, 'alertmanager')).toEqual({
      url: 'http://127.0.0.1:9093/api/v2/alerts',
      resendIntervalMs: 60_000,
      events: ['slo'],
      externalLabels: {},
      headers: {},
      timeoutMs: 10_000,
      queueSize: 1000,
      retry: retryDefaults,
    });
    expect(settings<AlertmanagerExporterSettings>(config, 'alertmanager/full')).toEqual({
      url: 'https://am.example.com:9093/prefix/api/v2/alerts',
      resendIntervalMs: 30_000,
      generatorUrl: 'https://grafana.example.com/d/slo?var-slo={slo}',
      events: ['slo', 'anomaly', 'regression'],
      externalLabels: { cluster: 'eu-1', env: 'prod' },
      runbookUrl: 'https://runbooks.example.com/{alertname}/{slo}',
      headers: { authorization: 'Bearer s3cret' },
      timeoutMs: 5000,
      queueSize: 200,
      retry: { enabled: true, initialIntervalMs: 500, randomizationFactor: 0, multiplier: 2, maxIntervalMs: 10_000, maxElapsedTimeMs: 120_000 },
    });
    expect(settings<WebhookExporterSettings>(config, 'webhook')).toEqual({
      url: 'https://hooks.example.com/alerts?token=abc',
      format: 'json',
      events: ['slo'],
      externalLabels: {},
      headers: {},
      timeoutMs: 10_000,
      queueSize: 1000,
      retry: retryDefaults,
    });
    expect(settings<WebhookExporterSettings>(config, 'webhook/slack')).toMatchObject({ format: 'slack', events: ['slo', 'regression'], runbookUrl: 'https://runbooks.example.com/{slo}' });
    expect(config.service.pipelines[0]?.exporters).toEqual(['alertmanager', 'alertmanager/full', 'webhook', 'webhook/slack']);
  });

  it('alert_exporters_invalid.yaml reports exactly its expected issues', () => {
    const fixture = readConfigFixture('alert_exporters_invalid.yaml');
    expect(fixture.expectedIssues.length).toBeGreaterThan(0);
    let error: unknown;
    try {
      load(fixture);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map(formatConfigIssue)).toEqual(fixture.expectedIssues);
  });
});
