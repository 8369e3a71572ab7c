import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { builtInComponents } from '../../src/config/builtin-components';
import { settingsOf } from '../../src/config/component-factory';
import type { ComponentFactory } from '../../src/config/component-factory';
import { parseComponentId } from '../../src/config/component-id';
import { ComponentRegistry } from '../../src/config/component-registry';
import { ConfigError } from '../../src/config/config-error';
import { parseConfigText } from '../../src/config/parse-config';
import { strictMapping } from '../../src/config/schema-helpers';
import { sloProcessorFactory } from '../../processors/slo/config';
import { prometheusExporterFactory } from '../../exporters/prometheus/config';

describe('component ids', () => {
  it.each([
    ['slo', { type: 'slo' }],
    ['slo/checkout', { type: 'slo' as const, name: 'checkout' }],
    ['slo/a/b', { type: 'slo', name: 'a/b' }],
    ['otlp_http/x-1', { type: 'otlp_http', name: 'x-1' }],
  ])('%s', (text, id) => {
    expect(parseComponentId(text)).toEqual({ ok: true, id });
  });

  it.each(['', '/x', 'slo/', '1slo', 'slo x', 'slo/a b', 'sl-o'])('rejects %j', (text) => {
    expect(parseComponentId(text).ok).toBe(false);
  });
});

describe('ComponentRegistry', () => {
  it('knows the built-in types', () => {
    expect(builtInComponents.typesOf('processor')).toEqual(['anomaly', 'baseline', 'batch', 'recommend', 'regression', 'slo']);
    expect(builtInComponents.typesOf('exporter')).toEqual(['alertmanager', 'debug', 'file', 'otlp', 'prometheus', 'webhook']);
    expect(builtInComponents.typesOf('receiver')).toEqual(['otlp']);
    expect(builtInComponents.typesOf('extension')).toEqual(['health_check', 'storage', 'web']);
    expect(builtInComponents.find('processor', 'slo')).toBe(sloProcessorFactory);
    expect(builtInComponents.find('exporter', 'slo')).toBeUndefined();
  });

  it('refuses two factories for one kind and type', () => {
    expect(() => new ComponentRegistry([sloProcessorFactory, sloProcessorFactory])).toThrow('duplicate processor type "slo"');
  });

  it('takes a new component type without any other change', () => {
    const otlpReceiver: ComponentFactory<{ endpoint?: string }, { endpoint: string }> = {
      kind: 'receiver',
      type: 'otlp',
      signals: ['traces', 'metrics'],
      schema: strictMapping({ endpoint: z.string().optional() }, 'a mapping with endpoint'),
      createDefaultConfig: () => ({ endpoint: 'localhost:4318' }),
      resolve: (config) => ({ endpoint: config.endpoint ?? '' }),
    };
    const registry = new ComponentRegistry([sloProcessorFactory, otlpReceiver]);
    const text = 'receivers:\n  otlp:\n  otlp/custom: { endpoint: "0.0.0.0:4318" }\nprocessors:\n  slo:\nservice:\n  pipelines:\n    traces: { receivers: [otlp, otlp/custom], processors: [slo] }\n';
    const config = parseConfigText(text, { file: 'x.yaml', env: {}, registry });
    expect(settingsOf(config.receivers.otlp, otlpReceiver)).toEqual({ endpoint: 'localhost:4318' });
    expect(settingsOf(config.receivers['otlp/custom'], otlpReceiver)).toEqual({ endpoint: '0.0.0.0:4318' });
    expect(settingsOf(config.receivers.otlp, prometheusExporterFactory)).toBeUndefined();

    const bad = 'receivers:\n  otlp: { endpoint: 4318, tls: {} }\nservice:\n  pipelines:\n    traces: { receivers: [otlp] }\n';
    expect(() => parseConfigText(bad, { file: 'x.yaml', env: {}, registry })).toThrow(
      new ConfigError([
        { path: 'receivers.otlp.endpoint', message: 'must be a string, got 4318', file: 'x.yaml', line: 2 },
        { path: 'receivers.otlp.tls', message: 'unknown key; valid keys: endpoint', file: 'x.yaml', line: 2 },
      ]),
    );
  });
});
