import { describe, expect, it } from 'vitest';
import {
  createDefaultConfig,
  otlpExporterConfigSchema,
  otlpExporterFactory,
  parseGrpcEndpoint,
  resolveOtlpExporterSettings,
  signalUrl,
} from '../../../exporters/otlp/config';
import type { OtlpExporterConfig } from '../../../exporters/otlp/config';
import { DebugExporter } from '../../../exporters/debug/debug-exporter';
import { debugExporterRuntime } from '../../../exporters/debug/runtime';
import { FileExporter } from '../../../exporters/file/file-exporter';
import { fileExporterRuntime } from '../../../exporters/file/runtime';
import { OtlpExporter } from '../../../exporters/otlp/otlp-exporter';
import { otlpExporterRuntime } from '../../../exporters/otlp/runtime';
import { testContext } from './helpers';

const parse = (value: unknown) => otlpExporterConfigSchema.safeParse(value);
const messages = (value: unknown) => parse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

/** As the config layer does it: the defaults, with the written keys laid over them. */
const resolve = (config: OtlpExporterConfig) => resolveOtlpExporterSettings({ ...createDefaultConfig(), ...config });

describe('otlp exporter config', () => {
  it('has the Collector defaults', () => {
    expect(createDefaultConfig()).toEqual({
      protocol: 'http/protobuf',
      headers: {},
      compression: 'gzip',
      timeout: '10s',
      tls: { insecure: false, insecure_skip_verify: false },
      sending_queue: { enabled: true, num_consumers: 4, queue_size: 1000, max_items: 50_000 },
      retry_on_failure: {
        enabled: true,
        initial_interval: '5s',
        randomization_factor: 0.5,
        multiplier: 1.5,
        max_interval: '30s',
        max_elapsed_time: '300s',
      },
    });
    expect(otlpExporterFactory).toMatchObject({ kind: 'exporter', type: 'otlp', signals: ['traces', 'metrics', 'logs'] });
  });

  it('resolves an http endpoint to one URL per signal, durations to ms', () => {
    expect(resolve({ endpoint: 'https://otlp.example.com:4318' })).toEqual({
      protocol: 'http/protobuf',
      endpoints: {
        traces: 'https://otlp.example.com:4318/v1/traces',
        metrics: 'https://otlp.example.com:4318/v1/metrics',
        logs: 'https://otlp.example.com:4318/v1/logs',
      },
      grpcSecure: false,
      headers: {},
      compression: 'gzip',
      timeoutMs: 10_000,
      tls: { insecure: false, insecureSkipVerify: false },
      sendingQueue: { enabled: true, numConsumers: 4, queueSize: 1000, maxItems: 50_000, maxBytes: 256 * 1024 * 1024 },
      retry: {
        enabled: true,
        initialIntervalMs: 5000,
        randomizationFactor: 0.5,
        multiplier: 1.5,
        maxIntervalMs: 30_000,
        maxElapsedTimeMs: 300_000,
      },
    });
  });

  it('keeps nested defaults when a nested mapping is partly written', () => {
    const settings = resolve({ endpoint: 'http://h:4318', sending_queue: { queue_size: 10, max_items: 5000 }, retry_on_failure: { initial_interval: '1s' } });
    expect(settings.sendingQueue).toEqual({ enabled: true, numConsumers: 4, queueSize: 10, maxItems: 5000, maxBytes: 256 * 1024 * 1024 });
    expect(settings.retry).toMatchObject({ initialIntervalMs: 1000, maxIntervalMs: 30_000, multiplier: 1.5 });
  });

  it('uses per-signal endpoints as given', () => {
    const settings = resolve({ endpoint: 'http://h:4318/base/', traces_endpoint: 'http://t:9999/custom' });
    expect(settings.endpoints).toEqual({ traces: 'http://t:9999/custom', metrics: 'http://h:4318/base/v1/metrics', logs: 'http://h:4318/base/v1/logs' });
    expect(parse({ traces_endpoint: 'http://a/t', metrics_endpoint: 'http://a/m', logs_endpoint: 'http://a/l' }).success).toBe(true);
  });

  it.each([
    ['http://h:4318', 'traces', 'http://h:4318/v1/traces'],
    ['http://h:4318/', 'logs', 'http://h:4318/v1/logs'],
    ['https://h/otlp', 'metrics', 'https://h/otlp/v1/metrics'],
  ] as const)('signalUrl(%s, %s) = %s', (endpoint, signal, url) => {
    expect(signalUrl(endpoint, signal)).toBe(url);
  });

  it('resolves grpc endpoints: TLS unless insecure or http://', () => {
    expect(resolve({ protocol: 'grpc', endpoint: 'collector:4317' })).toMatchObject({ endpoints: { traces: 'collector:4317' }, grpcSecure: true });
    expect(resolve({ protocol: 'grpc', endpoint: 'collector:4317', tls: { insecure: true } }).grpcSecure).toBe(false);
    expect(resolve({ protocol: 'grpc', endpoint: 'http://collector:4317' }).grpcSecure).toBe(false);
    expect(resolve({ protocol: 'grpc', endpoint: 'https://collector' })).toMatchObject({ endpoints: { logs: 'collector:443' }, grpcSecure: true });
    expect(parseGrpcEndpoint('[::1]:4317')).toEqual({ ok: true, target: '[::1]:4317' });
    expect(parseGrpcEndpoint('::1:4317')).toEqual({ ok: true, target: '[::1]:4317' });
    expect(parseGrpcEndpoint('collector')).toEqual({ ok: false, reason: 'the ":port" is missing' });
  });

  it('needs an endpoint', () => {
    expect(messages({})).toEqual(['endpoint: required: an http:// or https:// URL, e.g. https://otlp.example.com:4318']);
    expect(messages({ protocol: 'grpc' })).toEqual(['endpoint: required: host:port or an http:// or https:// URL with a port, e.g. otlp.example.com:4317']);
    expect(() => resolveOtlpExporterSettings(createDefaultConfig())).toThrow('endpoint is required');
  });

  it('explains bad values', () => {
    expect(messages({ endpoint: 'localhost:4318' })).toEqual([
      'endpoint: must be an http:// or https:// URL, e.g. https://otlp.example.com:4318, got "localhost:4318": the scheme is missing, e.g. http://localhost:4318 (host:port alone is for protocol grpc)',
    ]);
    expect(messages({ endpoint: 'ftp://h' })).toEqual([
      'endpoint: must be an http:// or https:// URL, e.g. https://otlp.example.com:4318, got "ftp://h": the scheme "ftp" is not http or https',
    ]);
    expect(messages({ endpoint: 'http://h', protocol: 'http/xml', compression: 'zstd', timeout: '0s' })).toEqual([
      'protocol: must be one of http/protobuf, http/json, grpc, got "http/xml"',
      'compression: must be gzip or none, got "zstd"',
      'timeout: must be a duration > 0, got "0s"',
    ]);
    expect(messages({ protocol: 'grpc', endpoint: 'h:4317', traces_endpoint: 'http://h/t' })).toEqual([
      'traces_endpoint: only for protocol http/protobuf or http/json; grpc sends every signal to endpoint',
    ]);
    expect(messages({ endpoint: 'http://h', headers: { 'content-type': 'x', 'bad name': 'y', n: 1 } })).toEqual([
      'headers.n: must be a string (quote numbers: "1"), got 1',
      'headers.content-type: is set by the exporter itself and cannot be configured',
      "headers.bad name: is not a valid header name (letters, digits and !#$%&'*+.^_`|~-)",
    ]);
    expect(messages({ endpoint: 'http://h', tls: { cert_file: 'c.pem' } })).toEqual(['tls.key_file: required: cert_file and key_file go together (mutual TLS)']);
    expect(messages({ endpoint: 'http://h', sending_queue: { num_consumers: 0, queue_size: 1.5, size: 3 } })).toEqual([
      'sending_queue.num_consumers: must be an integer from 1 to 1000, got 0',
      'sending_queue.queue_size: must be an integer from 1 to 1000000, got 1.5',
      // the config layer reports this one at the key itself (sending_queue.size)
      'sending_queue: unknown key; valid keys: enabled, num_consumers, queue_size, max_items, storage, max_bytes',
    ]);
    expect(messages({ endpoint: 'http://h', retry_on_failure: { initial_interval: '1m', randomization_factor: 2, multiplier: 0.5 } })).toEqual([
      'retry_on_failure.randomization_factor: must be a number from 0 to 1, got 2',
      'retry_on_failure.multiplier: must be a number >= 1, got 0.5',
      'retry_on_failure.initial_interval: must not be longer than max_interval (30s, the default), got "1m"',
    ]);
  });
});

describe('exporter runtimes', () => {
  it('create the exporters from resolved settings', () => {
    const ctx = testContext().ctx;
    expect(otlpExporterRuntime.create(resolve({ endpoint: 'http://h:4318' }), ['traces'], ctx)).toBeInstanceOf(OtlpExporter);
    expect(debugExporterRuntime.create({ verbosity: 'basic' }, ['logs'], ctx)).toBeInstanceOf(DebugExporter);
    expect(fileExporterRuntime.create({ path: 'x', rotation: { maxBytes: 1, maxBackups: 1 } }, ['metrics'], ctx)).toBeInstanceOf(FileExporter);
    expect([otlpExporterRuntime.type, debugExporterRuntime.type, fileExporterRuntime.type]).toEqual(['otlp', 'debug', 'file']);
  });
});

describe('otlp exporter config: the persistent sending queue', () => {
  it('resolves storage and max_bytes (default 256MiB); max_items is the in-memory bound only', () => {
    expect(resolve({ endpoint: 'http://h:4318', sending_queue: { storage: 'storage' } }).sendingQueue).toEqual({
      enabled: true,
      numConsumers: 4,
      queueSize: 1000,
      storage: 'storage',
      maxBytes: 256 * 1024 * 1024,
    });
    expect(resolve({ endpoint: 'http://h:4318', sending_queue: { storage: 'storage/q', max_bytes: '1GiB', queue_size: 10 } }).sendingQueue).toMatchObject({
      storage: 'storage/q',
      maxBytes: 1024 * 1024 * 1024,
      queueSize: 10,
    });
    expect(messages({ endpoint: 'http://h', sending_queue: { storage: 'storage', max_bytes: 1_000_000 } })).toEqual([]);
  });

  it('explains settings that do not go with storage, or without it', () => {
    expect(messages({ endpoint: 'http://h', sending_queue: { storage: 'storage', max_items: 10, enabled: false } })).toEqual([
      'sending_queue.max_items: bounds the in-memory queue; with storage, cap the disk with max_bytes (and queue_size)',
      'sending_queue.enabled: must not be false with storage: the persistent queue is a sending queue',
    ]);
    expect(messages({ endpoint: 'http://h', sending_queue: { max_bytes: '1GiB' } })).toEqual([
      'sending_queue.max_bytes: caps the queue on disk: only with storage (the in-memory queue is bounded by queue_size and max_items)',
    ]);
    expect(messages({ endpoint: 'http://h', sending_queue: { storage: 'storage', max_bytes: '12 parsecs' } })[0]).toMatch(/^sending_queue.max_bytes: must be a size from 1 byte to 1TiB.*unknown unit "parsecs"/);
    expect(messages({ endpoint: 'http://h', sending_queue: { storage: '' } })[0]).toMatch(/^sending_queue.storage: /);
  });
});
