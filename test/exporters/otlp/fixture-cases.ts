import { expect } from 'vitest';
import type { DebugExporterSettings } from '../../../exporters/debug/config';
import type { FileExporterSettings } from '../../../exporters/file/config';
import type { OtlpExporterSettings } from '../../../exporters/otlp/config';
import type { SlowatchConfig } from '../../../src/config/slowatch-config';

/*
 * Assertions for the exporters' valid config fixtures
 * (test/fixtures/config/valid_exporters*.yaml), in the shape of the
 * VALID_CASES table of test/config/config-fixtures.test.ts, which can spread
 * this table into its own.
 */

const settings = <T>(config: SlowatchConfig, id: string): T => config.exporters[id]?.settings as T;

export const EXPORTER_VALID_CASES: Readonly<Record<string, (config: SlowatchConfig) => void>> = {
  'valid_exporters.yaml': (config) => {
    expect(settings<OtlpExporterSettings>(config, 'otlp')).toEqual({
      protocol: 'http/json',
      endpoints: {
        traces: 'https://otlp.example.com:4318/base/v1/traces',
        metrics: 'https://otlp.example.com:4318/base/v1/metrics',
        logs: 'https://logs.example.com/ingest',
      },
      grpcSecure: false,
      headers: { authorization: 'Bearer abc123', 'x-tenant': '42' },
      compression: 'none',
      timeoutMs: 5000,
      tls: { insecure: false, insecureSkipVerify: true, caFile: 'ca.pem', certFile: 'client.pem', keyFile: 'client-key.pem' },
      sendingQueue: { enabled: true, numConsumers: 8, queueSize: 500, maxItems: 100_000, maxBytes: 256 * 1024 * 1024 },
      retry: { enabled: true, initialIntervalMs: 1000, randomizationFactor: 0.2, multiplier: 2, maxIntervalMs: 60_000, maxElapsedTimeMs: 600_000 },
    });
    const grpc = settings<OtlpExporterSettings>(config, 'otlp/grpc');
    expect(grpc).toMatchObject({ protocol: 'grpc', endpoints: { traces: 'collector.internal:4317' }, grpcSecure: false, compression: 'gzip' });
    expect(grpc.sendingQueue).toEqual({ enabled: true, numConsumers: 4, queueSize: 50, maxItems: 50_000, maxBytes: 256 * 1024 * 1024 });
    expect(grpc.retry).toMatchObject({ enabled: false, initialIntervalMs: 5000 });
    expect(settings<DebugExporterSettings>(config, 'debug')).toEqual({ verbosity: 'detailed' });
    expect(settings<FileExporterSettings>(config, 'file')).toEqual({
      path: './telemetry.jsonl',
      rotation: { maxBytes: 10 * 1024 * 1024, maxBackups: 2 },
      flushIntervalMs: 1000,
    });
    expect(config.service.pipelines.map((p) => [p.id, p.exporters])).toEqual([
      ['traces', ['otlp', 'otlp/grpc', 'debug', 'file']],
      ['metrics', ['otlp', 'debug']],
      ['logs', ['otlp/grpc', 'file']],
    ]);
  },
  'valid_exporters_defaults.yaml': (config) => {
    const otlp = settings<OtlpExporterSettings>(config, 'otlp');
    expect(otlp).toMatchObject({
      protocol: 'http/protobuf',
      endpoints: { traces: 'http://127.0.0.1:14318/v1/traces', metrics: 'http://127.0.0.1:14318/v1/metrics', logs: 'http://127.0.0.1:14318/v1/logs' },
      headers: {},
      compression: 'gzip',
      timeoutMs: 10_000,
      tls: { insecure: false, insecureSkipVerify: false },
      sendingQueue: { enabled: true, numConsumers: 4, queueSize: 1000, maxItems: 50_000 },
      retry: { enabled: true, initialIntervalMs: 5000, randomizationFactor: 0.5, multiplier: 1.5, maxIntervalMs: 30_000, maxElapsedTimeMs: 300_000 },
    });
    expect(settings<OtlpExporterSettings>(config, 'otlp/grpc')).toMatchObject({ endpoints: { logs: 'collector:4317' }, grpcSecure: true });
    expect(settings<DebugExporterSettings>(config, 'debug')).toEqual({ verbosity: 'basic' });
    expect(settings<FileExporterSettings>(config, 'file')).toEqual({ path: 'spans.jsonl', rotation: { maxBytes: 100 * 1024 * 1024, maxBackups: 5 } });
  },
};
