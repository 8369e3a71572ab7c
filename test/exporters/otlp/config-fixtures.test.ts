import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { loadConfig } from '../../../src/config/load-config';
import { CONFIG_FIXTURES_DIR, readConfigFixture, readConfigFixtures } from '../../config/fixture-file';
import { EXPORTER_VALID_CASES } from './fixture-cases';

/** The exporters' fixtures in test/fixtures/config, checked the way test/config/config-fixtures.test.ts checks all of them. */
const EXPORTER_FIXTURE = /^(valid_exporters.*|invalid_(otlp|file|debug)_exporter_.*)\.yaml$/;

describe('exporter config fixtures', () => {
  it('every valid exporter fixture has assertions', () => {
    const valid = readConfigFixtures('valid_').filter((f) => EXPORTER_FIXTURE.test(f.name));
    expect(valid.map((f) => f.name).sort()).toEqual(Object.keys(EXPORTER_VALID_CASES).sort());
  });

  it.each(Object.keys(EXPORTER_VALID_CASES))('%s loads', (name) => {
    const fixture = readConfigFixture(name);
    const loaded = loadConfig({ configPath: fixture.path, env: fixture.env, cwd: CONFIG_FIXTURES_DIR });
    EXPORTER_VALID_CASES[name]?.(loaded.config);
  });

  const invalid = readConfigFixtures('invalid_').filter((f) => EXPORTER_FIXTURE.test(f.name));

  it('covers the otlp, file and debug exporters', () => {
    expect(invalid.map((f) => f.name)).toEqual([
      'invalid_debug_exporter_verbosity.yaml',
      'invalid_file_exporter_path.yaml',
      'invalid_otlp_exporter_endpoint.yaml',
      'invalid_otlp_exporter_no_endpoint.yaml',
      'invalid_otlp_exporter_settings.yaml',
    ]);
  });

  it.each(invalid.map((f) => [f.name, f] as const))('%s reports exactly its expected issues', (_name, fixture) => {
    let error: unknown;
    try {
      loadConfig({ configPath: fixture.path, env: fixture.env, cwd: CONFIG_FIXTURES_DIR });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map(formatConfigIssue)).toEqual(fixture.expectedIssues);
  });
});
