import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createDefaultConfig,
  DEFAULT_WEB_ENDPOINT,
  resolveWebExtensionSettings,
  webExtensionConfigSchema,
  webExtensionFactory,
} from '../../../extensions/web/config';
import type { WebExtensionSettings } from '../../../extensions/web/config';
import { prometheusExporterFactory } from '../../../exporters/prometheus/config';
import { ComponentRegistry } from '../../../src/config/component-registry';
import { ConfigError } from '../../../src/config/config-error';
import { formatConfigIssue } from '../../../src/config/config-issue';
import { parseConfigText } from '../../../src/config/parse-config';
import { configErrorMap, translateZodIssues } from '../../../src/config/zod-issues';

const TESTDATA = path.resolve(__dirname, 'testdata');
/**
 * The web extension and the one exporter the files' pipeline needs: the
 * built-in registry does not know `web` until the service wires it in.
 */
const registry = new ComponentRegistry([webExtensionFactory, prometheusExporterFactory]);

function issues(value: unknown): string[] {
  const parsed = webExtensionConfigSchema.safeParse(value, { error: configErrorMap });
  return parsed.success ? [] : translateZodIssues(parsed.error.issues).map((p) => `${p.path.join('.')}: ${p.message}`);
}

function load(name: string) {
  return parseConfigText(readFileSync(path.join(TESTDATA, name), 'utf8'), { file: name, env: {}, registry });
}

describe('web extension config', () => {
  it('defaults to loopback 8888', () => {
    expect(DEFAULT_WEB_ENDPOINT).toBe('127.0.0.1:8888');
    expect(createDefaultConfig()).toEqual({ endpoint: '127.0.0.1:8888' });
    expect(resolveWebExtensionSettings({})).toEqual({ host: '127.0.0.1', port: 8888 });
    expect(webExtensionFactory).toMatchObject({ kind: 'extension', type: 'web', signals: [] });
  });

  it.each([
    ['0.0.0.0:9888', { host: '0.0.0.0', port: 9888 }],
    ['[::1]:0', { host: '::1', port: 0 }],
    ['localhost:8888', { host: 'localhost', port: 8888 }],
    ['127.0.0.1:65535', { host: '127.0.0.1', port: 65535 }],
  ])('takes %s', (endpoint, settings) => {
    expect(issues({ endpoint })).toEqual([]);
    expect(resolveWebExtensionSettings({ endpoint })).toEqual(settings);
  });

  const MUST = 'endpoint: must be host:port with a port from 0 to 65535, e.g. 127.0.0.1:8888, 0.0.0.0:8888 or [::1]:8888, got';
  it.each([
    [{ endpoint: 8888 }, `${MUST} 8888`],
    [{ endpoint: 'localhost' }, `${MUST} "localhost": the ":port" is missing`],
    [{ endpoint: ':8888' }, `${MUST} ":8888": the host is missing (0.0.0.0 listens on every interface)`],
    [{ endpoint: '127.0.0.1:http' }, `${MUST} "127.0.0.1:http": the port "http" is not a whole number from 0 to 65535`],
    [{ endpoint: '[::1]8888' }, `${MUST} "[::1]8888": IPv6 hosts go in brackets followed by the port: [::1]:9464`],
    [{ path: '/api' }, 'path: unknown key; valid keys: endpoint'],
  ])('rejects %j', (value, message) => {
    expect(issues(value)).toEqual([message]);
  });

  it('throws on an endpoint that did not pass the schema', () => {
    expect(() => resolveWebExtensionSettings({ endpoint: 'nowhere' })).toThrow('endpoint "nowhere": the ":port" is missing');
  });
});

describe('web extension config files (testdata)', () => {
  const settingsOf = (config: ReturnType<typeof load>, id: string) => config.extensions[id]?.settings as WebExtensionSettings | undefined;

  it('valid_web.yaml resolves each instance', () => {
    const config = load('valid_web.yaml');
    expect(settingsOf(config, 'web')).toEqual({ host: '0.0.0.0', port: 9888 });
    expect(settingsOf(config, 'web/loopback6')).toEqual({ host: '::1', port: 0 });
    expect(config.service.extensions).toEqual(['web', 'web/loopback6']);
  });

  it('valid_web_defaults.yaml: an empty web is the defaults', () => {
    expect(settingsOf(load('valid_web_defaults.yaml'), 'web')).toEqual({ host: '127.0.0.1', port: 8888 });
  });

  const invalid = readdirSync(TESTDATA).filter((name) => name.startsWith('invalid_') && name.endsWith('.yaml'));

  it('has invalid cases', () => {
    expect(invalid).toEqual(['invalid_web_endpoint.yaml']);
  });

  it.each(invalid)('%s reports exactly the issues its `# expect:` lines list', (name) => {
    const expected = readFileSync(path.join(TESTDATA, name), 'utf8')
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
