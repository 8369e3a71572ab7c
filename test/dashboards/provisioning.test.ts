import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROVISIONED_DATASOURCE_UID } from '../../src/dashboards/dashboard-conventions';

const grafanaDir = path.resolve(__dirname, '..', '..', 'grafana');

function load(relative: string): Record<string, unknown> {
  return parse(readFileSync(path.join(grafanaDir, relative), 'utf8')) as Record<string, unknown>;
}

describe('grafana/provisioning', () => {
  it('provisions one Prometheus datasource with the uid the dashboards start on', () => {
    const config = load('provisioning/datasources/prometheus.yaml');
    expect(config.apiVersion).toBe(1);
    const datasources = config.datasources as Record<string, unknown>[];
    expect(datasources).toHaveLength(1);
    expect(datasources[0]).toMatchObject({ type: 'prometheus', uid: PROVISIONED_DATASOURCE_UID, access: 'proxy', url: '${PROMETHEUS_URL}' });
    expect(typeof datasources[0]!.name).toBe('string');
  });

  it('provisions the generated dashboards from a file provider', () => {
    const config = load('provisioning/dashboards/slowatch.yaml');
    expect(config.apiVersion).toBe(1);
    const providers = config.providers as Record<string, unknown>[];
    expect(providers).toHaveLength(1);
    expect(providers[0]).toMatchObject({ name: 'slowatch', type: 'file', folder: 'slowatch', allowUiUpdates: false, options: { path: '${SLOWATCH_DASHBOARDS}' } });
  });
});
