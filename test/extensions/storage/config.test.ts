import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createDefaultConfig,
  DEFAULT_STORAGE_PATH,
  resolveStorageExtensionSettings,
  storageExtensionConfigSchema,
  storageExtensionFactory,
} from '../../../extensions/storage/config';
import type { StorageExtensionSettings } from '../../../extensions/storage/config';
import { prometheusExporterFactory } from '../../../exporters/prometheus/config';
import { ComponentRegistry } from '../../../src/config/component-registry';
import { ConfigError } from '../../../src/config/config-error';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { parseConfigText } from '../../../src/config/parse-config';
import { configErrorMap, translateZodIssues } from '../../../src/config/zod-issues';
import { CONFIG_FIXTURES_DIR } from '../../config/fixture-file';

/**
 * The storage extension and the one exporter the files' pipeline needs, so
 * these checks stand on the storage factory alone (the files are in the
 * shared valid_/invalid_ table of test/config/config-fixtures.test.ts too,
 * over the built-in registry).
 */
const registry = new ComponentRegistry([storageExtensionFactory, prometheusExporterFactory]);
const DAY = 86_400_000;

function issues(value: unknown): string[] {
  const parsed = storageExtensionConfigSchema.safeParse(value, { error: configErrorMap });
  return parsed.success ? [] : translateZodIssues(parsed.error.issues).map((p) => `${p.path.join('.')}: ${p.message}`);
}

function load(name: string, env: Record<string, string> = {}) {
  return parseConfigText(readFileSync(path.join(CONFIG_FIXTURES_DIR, name), 'utf8'), { file: name, env, registry });
}

const DEFAULT_SETTINGS: StorageExtensionSettings = {
  path: './data/slowatch.db',
  snapshotIntervalMs: 10_000,
  rollupIntervalMs: 60_000,
  retention: { rollupsMs: 90 * DAY, eventsMs: 90 * DAY },
};

describe('storage extension config', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_STORAGE_PATH).toBe('./data/slowatch.db');
    expect(createDefaultConfig()).toEqual({ path: './data/slowatch.db', snapshot_interval: '10s', rollup_interval: '1m', retention: { rollups: '90d', events: '90d' } });
    expect(resolveStorageExtensionSettings({})).toEqual(DEFAULT_SETTINGS);
    expect(storageExtensionFactory).toMatchObject({ kind: 'extension', type: 'storage', signals: [] });
  });

  it.each([
    [{}, DEFAULT_SETTINGS],
    [{ retention: null }, DEFAULT_SETTINGS],
    [{ snapshot_interval: '1s', rollup_interval: '1s' }, { ...DEFAULT_SETTINGS, snapshotIntervalMs: 1000, rollupIntervalMs: 1000 }],
    [{ snapshot_interval: '1h', rollup_interval: '1d' }, { ...DEFAULT_SETTINGS, snapshotIntervalMs: 3_600_000, rollupIntervalMs: DAY }],
    [{ rollup_interval: '15m', retention: { rollups: '1h', events: '3650d' } }, { ...DEFAULT_SETTINGS, rollupIntervalMs: 900_000, retention: { rollupsMs: 3_600_000, eventsMs: 3650 * DAY } }],
    [{ path: 'relative/x.db' }, { ...DEFAULT_SETTINGS, path: 'relative/x.db' }],
  ])('takes %j', (value, settings) => {
    expect(issues(value)).toEqual([]);
    expect(resolveStorageExtensionSettings(value as never)).toEqual(settings);
  });

  it.each([
    [{ path: 42 }, 'path: must be a file path (the SQLite store), got 42'],
    [{ snapshot_interval: '2h' }, 'snapshot_interval: must be a duration from 1s to 1h, got "2h"'],
    [{ snapshot_interval: '10 s' }, 'snapshot_interval: must be a duration from 1s to 1h, got "10 s": spaces are not allowed; use a number followed by a unit (ms, s, m, h, d, w), e.g. 300ms, 10s, 5m, 1h30m, 30d or 2w'],
    [{ rollup_interval: '2d' }, 'rollup_interval: must be a duration from 1s to 1d that divides a day evenly (e.g. 1m, 5m, 1h), got "2d"'],
    [{ retention: { rollups: '0' } }, 'retention.rollups: must be a duration from 1h to 3650d, got "0"'],
    [{ retention: [] }, 'retention: must be a mapping with rollups and events, got a list'],
  ])('rejects %j', (value, message) => {
    expect(issues(value)).toEqual([message]);
  });
});

describe('storage extension config files (test/fixtures/config/*storage*)', () => {
  const settingsOf = (config: ReturnType<typeof load>, id: string) => config.extensions[id]?.settings as StorageExtensionSettings | undefined;

  it('valid_storage.yaml resolves each instance, defaults filling what is not set', () => {
    const config = load('valid_storage.yaml', { STORE_DIR: '/tmp/stores' });
    expect(settingsOf(config, 'storage')).toEqual({
      path: '/var/lib/slowatch/store.db',
      snapshotIntervalMs: 30_000,
      rollupIntervalMs: 300_000,
      retention: { rollupsMs: 400 * DAY, eventsMs: 14 * DAY },
    });
    expect(settingsOf(config, 'storage/defaults')).toEqual(DEFAULT_SETTINGS);
    expect(settingsOf(config, 'storage/partial')).toEqual({ ...DEFAULT_SETTINGS, path: '/tmp/stores/partial.db', retention: { rollupsMs: 90 * DAY, eventsMs: 3_600_000 } });
    expect(config.service.extensions).toEqual(['storage', 'storage/defaults', 'storage/partial']);
  });

  const invalid = readdirSync(CONFIG_FIXTURES_DIR).filter((name) => name.startsWith('invalid_storage_') && name.endsWith('.yaml')).sort();

  it('has invalid cases', () => {
    expect(invalid).toEqual(['invalid_storage_intervals.yaml', 'invalid_storage_values.yaml']);
  });

  it.each(invalid)('%s reports exactly the issues its `# expect:` lines list', (name) => {
    const expected = readFileSync(path.join(CONFIG_FIXTURES_DIR, name), 'utf8')
      .split('\n')
      .flatMap((line) => /^# expect: (.*)$/.exec(line)?.slice(1) ?? []);
    expect(expected.length).toBeGreaterThan(0);
    let error: unknown;
    try {
      load(name);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map(formatConfigIssue)).toEqual(expected);
  });
});
