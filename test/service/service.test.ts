import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { parseConfigText } from '../../src/config/parse-config';
import { ComponentRegistry } from '../../src/config/component-registry';
import type { ComponentFactory } from '../../src/config/component-factory';
import { sloProcessorFactory } from '../../processors/slo/config';
import { batchProcessorFactory } from '../../processors/batch/config';
import { prometheusExporterFactory } from '../../exporters/prometheus/config';
import { Service } from '../../src/service/service';
import { builtInRuntimes } from '../../src/service/builtin-runtimes';
import type { ComponentRuntime } from '../../src/service/runtime-factories';
import type { Consumer } from '../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../src/pipeline/telemetry-batch';
import type { Signal } from '../../src/otlp/signal';
import { ManualClock } from '../../src/clock';
import type { Logger } from '../../src/logging/logger';
import type { ExportTraceServiceRequest } from '../../src/otlp/model/trace';
import { ConfigError } from '../../src/config/config-error';
import { freePort } from '../helpers/processes';
import { parsePrometheusText, valueOf } from '../helpers/prometheus-text';

const events: string[] = [];
const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

function fakeFactory(kind: 'receiver' | 'exporter', type: string): ComponentFactory<{ fail?: boolean }, { fail: boolean }> {
  return {
    kind,
    type,
    signals: ['traces', 'metrics', 'logs'],
    schema: z.object({ fail: z.boolean().optional() }).strict(),
    createDefaultConfig: () => ({}),
    resolve: (config) => ({ fail: config.fail ?? false }),
  };
}

const receivers = new Map<string, Partial<Record<Signal, Consumer>>>();
const exported = new Map<string, TelemetryBatch[]>();

const fakeRuntimes: ComponentRuntime[] = [
  {
    kind: 'receiver',
    type: 'fake',
    create(settings, consumers, context) {
      receivers.set(context.id, consumers);
      return {
        start: () => {
          events.push(`start ${context.id}`);
          return (settings as { fail: boolean }).fail ? Promise.reject(new Error('cannot listen on 127.0.0.1:1: EADDRINUSE')) : Promise.resolve();
        },
        shutdown: () => (events.push(`stop ${context.id}`), Promise.resolve()),
      };
    },
  },
  {
    kind: 'exporter',
    type: 'sink',
    create(_settings, _signals, context) {
      const got: TelemetryBatch[] = [];
      exported.set(context.id, got);
      return {
        consume: (batch) => (got.push(batch), Promise.resolve()),
        start: () => (events.push(`start ${context.id}`), Promise.resolve()),
        shutdown: () => (events.push(`stop ${context.id}`), Promise.resolve()),
      };
    },
  },
];

const registry = new ComponentRegistry([
  sloProcessorFactory,
  batchProcessorFactory,
  prometheusExporterFactory,
  fakeFactory('receiver', 'fake'),
  fakeFactory('exporter', 'sink'),
]);

function build(yaml: string): Service {
  events.length = 0;
  receivers.clear();
  exported.clear();
  const config = parseConfigText(yaml, { file: 'test.yaml', env: {}, registry });
  return new Service(config, { logger: silent, clock: new ManualClock(Date.now()), runtimes: [...builtInRuntimes, ...fakeRuntimes] });
}

function spans(service: string, statuses: number[]): TelemetryBatch {
  const now = BigInt(Date.now()) * 1_000_000n;
  const request: ExportTraceServiceRequest = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: statuses.map((status) => ({
              name: 'GET /cart',
              kind: 2,
              startTimeUnixNano: now - 5_000_000n,
              endTimeUnixNano: now,
              attributes: [
                { key: 'http.route', value: { stringValue: '/cart' } },
                { key: 'http.response.status_code', value: { intValue: BigInt(status) } },
              ],
            })),
          },
        ],
      },
    ],
  };
  return { signal: 'traces', request, itemCount: statuses.length };
}

describe('Service', () => {
  it('runs receiver → slo → batch → exporters, counting SLOs and fanning out to every exporter', async () => {
    const port = await freePort();
    const service = build(`
receivers:
  fake: {}
processors:
  slo: {}
  batch: { send_batch_size: 1 }
exporters:
  sink/a: {}
  sink/b: {}
  prometheus: { endpoint: 127.0.0.1:${port} }
service:
  pipelines:
    traces: { receivers: [fake], processors: [slo, batch], exporters: [sink/a, sink/b] }
    metrics: { receivers: [], processors: [], exporters: [prometheus] }
`);
    await service.start();
    try {
      expect(events).toEqual(['start sink/a', 'start sink/b', 'start fake']);
      await receivers.get('fake')!.traces!.consume(spans('checkout', [200, 200, 500]));
      expect(exported.get('sink/a')!.map((b) => b.itemCount)).toEqual([3]);
      expect(exported.get('sink/b')!.map((b) => b.itemCount)).toEqual([3]);
      // Forwarded unchanged: the very spans that came in.
      expect((exported.get('sink/a')![0]!.request as ExportTraceServiceRequest).resourceSpans![0]!.scopeSpans![0]!.spans).toHaveLength(3);
      const samples = parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      expect(valueOf(samples, 'slowatch_slo_events_total', { slo: 'availability', service: 'checkout', outcome: 'good' })).toBe(2);
      expect(valueOf(samples, 'slowatch_slo_events_total', { slo: 'availability', service: 'checkout', outcome: 'bad' })).toBe(1);
    } finally {
      await service.shutdown();
    }
    // Receivers first; then the exporters, which drain in parallel.
    expect(events[3]).toBe('stop fake');
    expect(events.slice(4).sort()).toEqual(['stop sink/a', 'stop sink/b']);
  });

  it('feeds one receiver into every pipeline of its signal', async () => {
    const service = build(`
receivers:
  fake: {}
processors:
  slo/one: {}
  slo/two:
    objectives: [{ name: two, sli: { availability: {} }, objective: 99 }]
exporters:
  sink/a: {}
  sink/b: {}
service:
  pipelines:
    traces/one: { receivers: [fake], processors: [slo/one], exporters: [sink/a] }
    traces/two: { receivers: [fake], processors: [slo/two], exporters: [sink/b] }
`);
    await service.start();
    try {
      await receivers.get('fake')!.traces!.consume(spans('cart', [200]));
      expect(exported.get('sink/a')).toHaveLength(1);
      expect(exported.get('sink/b')).toHaveLength(1);
      expect([...service.sloEngines.keys()]).toEqual(['slo/one', 'slo/two']);
      let counted = 0;
      service.sloEngines.get('slo/two')!.collect((_s, status) => (counted += status.goodEvents));
      expect(counted).toBe(1);
    } finally {
      await service.shutdown();
    }
  });

  it('refuses one slo processor in two pipelines (it would count spans twice) and duplicate objective names', () => {
    const twice = () =>
      build(`
receivers:
  fake: {}
processors:
  slo: {}
exporters:
  sink: {}
service:
  pipelines:
    traces/one: { receivers: [fake], processors: [slo], exporters: [sink] }
    traces/two: { receivers: [fake], processors: [slo], exporters: [sink] }
`);
    expect(twice).toThrow('processor "slo" is already used by pipeline traces/one');
    const sameNames = () =>
      build(`
receivers:
  fake: {}
processors:
  slo/a: {}
  slo/b: {}
service:
  pipelines:
    traces/one: { receivers: [fake], processors: [slo/a], exporters: [] }
    traces/two: { receivers: [fake], processors: [slo/b], exporters: [] }
`);
    expect(sameNames).toThrow('objective "availability" is also defined by processor "slo/a"');
  });

  it('shuts processors down in pipeline order, so each one flushes into a stage still running', async () => {
    const service = build(`
receivers:
  fake: {}
processors:
  batch/first: { send_batch_size: 1000, timeout: 1m }
  batch/second: { send_batch_size: 1000, timeout: 1m }
exporters:
  sink: {}
service:
  pipelines:
    traces: { receivers: [fake], processors: [batch/first, batch/second], exporters: [sink] }
`);
    await service.start();
    const pending = receivers.get('fake')!.traces!.consume(spans('cart', [200, 200]));
    await service.shutdown();
    await pending;
    expect(exported.get('sink')!.map((b) => b.itemCount)).toEqual([2]);
  });

  it('stops what it started and names the component when one cannot start', async () => {
    const service = build(`
receivers:
  fake: { fail: true }
exporters:
  sink: {}
service:
  pipelines:
    traces: { receivers: [fake], processors: [], exporters: [sink] }
`);
    await expect(service.start()).rejects.toThrow('fake: cannot listen on 127.0.0.1:1: EADDRINUSE');
    expect(events).toEqual(['start sink', 'start fake', 'stop sink']);
  });

  it('refuses to route received metrics into the prometheus exporter, which would drop them', () => {
    expect(() =>
      build(`
receivers:
  fake: {}
exporters:
  prometheus: {}
service:
  pipelines:
    metrics: { receivers: [fake], processors: [], exporters: [prometheus] }
`),
    ).toThrow(ConfigError);
  });
});
