import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HealthCheckExtensionSettings } from '../../../extensions/health-check/config';
import { formatByteSize, tryParseByteSize } from '../../../receivers/otlp/byte-size';
import {
  createDefaultConfig,
  createDefaultGrpcConfig,
  createDefaultHttpConfig,
  otlpReceiverConfigSchema,
  otlpReceiverFactory,
  resolveOtlpReceiverSettings,
} from '../../../receivers/otlp/config';
import type { OtlpReceiverSettings } from '../../../receivers/otlp/config';
import { loadConfig } from '../../../src/config/load-config';
import type { SlowatchConfig } from '../../../src/config/slowatch-config';
import { configErrorMap, translateZodIssues } from '../../../src/config/zod-issues';

/*
 * Valid configs of the otlp receiver, table-driven like test/config/config-fixtures.test.ts
 * (the invalid ones live with the others in test/fixtures/config/invalid_otlp_*.yaml).
 */
const FIXTURES_DIR = path.resolve(__dirname, '../../fixtures/receivers/config');

const otlp = (config: SlowatchConfig, id = 'otlp'): OtlpReceiverSettings => config.receivers[id]?.settings as OtlpReceiverSettings;

const VALID_CASES: Readonly<Record<string, (config: SlowatchConfig) => void>> = {
  'valid_otlp_receiver_minimal.yaml': (config) => {
    expect(otlp(config)).toEqual({
      grpc: { host: '127.0.0.1', port: 4317, maxRecvMsgSize: 16 * 1024 * 1024 },
      http: { host: '127.0.0.1', port: 4318, maxRequestBodySize: 16 * 1024 * 1024, readHeaderTimeoutMs: 10_000, readTimeoutMs: 30_000, idleTimeoutMs: 5_000, maxConnections: 1000 },
    });
    expect(config.service.pipelines[0]?.receivers).toEqual(['otlp']);
  },
  'valid_otlp_receiver_full.yaml': (config) => {
    expect(otlp(config)).toEqual({
      grpc: {
        host: '0.0.0.0',
        port: 14317,
        maxRecvMsgSize: 4 * 1024 * 1024,
        tls: { certFile: '/etc/slowatch/server.crt', keyFile: '/etc/slowatch/server.key' },
        auth: { bearerToken: 's3cret-t0ken' },
      },
      http: {
        host: '::1',
        port: 14318,
        maxRequestBodySize: 1_048_576,
        readHeaderTimeoutMs: 10_000, readTimeoutMs: 30_000, idleTimeoutMs: 5_000, maxConnections: 1000,
        tls: { certFile: 'certs/server.crt', keyFile: 'certs/server.key' },
        auth: { bearerToken: 's3cret-t0ken' },
      },
    });
    expect(otlp(config, 'otlp/grpc_only')).toEqual({ grpc: { host: '127.0.0.1', port: 4317, maxRecvMsgSize: 1_572_864 } });
    expect(config.extensions.health_check?.settings as HealthCheckExtensionSettings).toEqual({ host: '127.0.0.1', port: 13133 });
    expect(config.service.extensions).toEqual(['health_check']);
  },
  'valid_otlp_receiver_http_only.yaml': (config) => {
    expect(otlp(config)).toEqual({ http: { host: '127.0.0.1', port: 0, maxRequestBodySize: 512 * 1024, readHeaderTimeoutMs: 10_000, readTimeoutMs: 30_000, idleTimeoutMs: 5_000, maxConnections: 1000 } });
    expect(config.extensions.health_check?.settings as HealthCheckExtensionSettings).toEqual({ host: '0.0.0.0', port: 8081 });
  },
};

function envOf(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^# env: ([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1] as string] = match[2] as string;
  }
  return env;
}

describe('valid otlp receiver configs', () => {
  const names = readdirSync(FIXTURES_DIR).filter((name) => name.startsWith('valid_') && name.endsWith('.yaml')).sort();

  it('every fixture has assertions in the table', () => {
    expect(names).toEqual(Object.keys(VALID_CASES).sort());
  });

  it.each(names)('%s loads', (name) => {
    const file = path.join(FIXTURES_DIR, name);
    const loaded = loadConfig({ configPath: file, env: envOf(file), cwd: FIXTURES_DIR });
    VALID_CASES[name]?.(loaded.config);
  });
});

describe('otlp receiver config', () => {
  const issues = (value: unknown): string[] => {
    const parsed = otlpReceiverConfigSchema.safeParse(value, { error: configErrorMap });
    return parsed.success ? [] : translateZodIssues(parsed.error.issues).map((p) => `${p.path.join('.')}: ${p.message}`);
  };

  it('has the Collector-style defaults, loopback endpoints, and no protocol unless one is written', () => {
    expect(createDefaultConfig()).toEqual({});
    expect(createDefaultGrpcConfig()).toEqual({ endpoint: '127.0.0.1:4317', max_recv_msg_size: '16MiB' });
    expect(createDefaultHttpConfig()).toEqual({
      endpoint: '127.0.0.1:4318',
      max_request_body_size: '16MiB',
      read_header_timeout: '10s',
      read_timeout: '30s',
      idle_timeout: '5s',
      max_connections: 1000,
    });
    expect(() => resolveOtlpReceiverSettings(createDefaultConfig())).toThrow('no protocol is enabled');
    expect(otlpReceiverFactory).toMatchObject({ kind: 'receiver', type: 'otlp', signals: ['traces', 'metrics', 'logs'] });
  });

  it('enables exactly the protocols written', () => {
    expect(resolveOtlpReceiverSettings({ protocols: { http: {} } })).toEqual({
      http: { host: '127.0.0.1', port: 4318, maxRequestBodySize: 16_777_216, readHeaderTimeoutMs: 10_000, readTimeoutMs: 30_000, idleTimeoutMs: 5_000, maxConnections: 1000 },
    });
    expect(resolveOtlpReceiverSettings({ protocols: { grpc: { endpoint: '[::]:0' } } })).toEqual({
      grpc: { host: '::', port: 0, maxRecvMsgSize: 16_777_216 },
    });
  });

  it('explains missing protocols and wrong shapes', () => {
    expect(issues({})).toEqual(['protocols: required: a mapping with grpc and/or http, e.g. { grpc: {}, http: {} }']);
    expect(issues({ protocols: null })).toEqual([
      'protocols: must enable at least one protocol: a mapping with grpc and/or http, e.g. { grpc: {}, http: {} }, got none',
    ]);
    expect(issues({ protocols: { http: null, grpc: null } })).toEqual([]);
    expect(issues({ protocols: { http: 'yes' } })).toEqual(['protocols.http: must be a mapping with endpoint, max_request_body_size, read_header_timeout, read_timeout, idle_timeout, max_connections, tls and auth, got "yes"']);
    expect(issues({ protocols: { http: { cors: {} } } })).toEqual(['protocols.http.cors: unknown key; valid keys: endpoint, max_request_body_size, read_header_timeout, read_timeout, idle_timeout, max_connections, tls, auth']);
  });

  it('takes the connection limits of OTLP/HTTP as durations and a count, with clear errors', () => {
    expect(
      resolveOtlpReceiverSettings({ protocols: { http: { read_header_timeout: '2s', read_timeout: '1m', idle_timeout: '500ms', max_connections: 64 } } }).http,
    ).toMatchObject({ readHeaderTimeoutMs: 2_000, readTimeoutMs: 60_000, idleTimeoutMs: 500, maxConnections: 64 });
    expect(issues({ protocols: { http: { read_header_timeout: 10 } } })).toEqual([
      'protocols.http.read_header_timeout: must be a duration from 100ms to 1h, e.g. 10s, got 10: a duration needs a unit (ms, s, m, h, d, w), e.g. 10ms or 10s',
    ]);
    expect(issues({ protocols: { http: { read_timeout: '0' } } })).toEqual(['protocols.http.read_timeout: must be a duration from 100ms to 1h, e.g. 10s, got "0"']);
    expect(issues({ protocols: { http: { idle_timeout: '2h' } } })).toEqual(['protocols.http.idle_timeout: must be a duration from 100ms to 1h, e.g. 10s, got "2h"']);
    // Against the default read_timeout (30s) too: the message names the value it was compared with.
    expect(issues({ protocols: { http: { read_header_timeout: '1m' } } })).toEqual([
      'protocols.http.read_header_timeout: must be at most read_timeout (30s): the headers are part of the request, got "1m"',
    ]);
    expect(issues({ protocols: { http: { read_header_timeout: '1m', read_timeout: '2m' } } })).toEqual([]);
    for (const bad of [0, 1.5, -3, 2_000_000, '10']) {
      expect(issues({ protocols: { http: { max_connections: bad } } })).toEqual([`protocols.http.max_connections: must be an integer from 1 to 1000000, got ${JSON.stringify(bad)}`]);
    }
  });

  it('checks tokens without ever showing them', () => {
    expect(issues({ protocols: { http: { auth: { bearer_token: 'has space' } } } })).toEqual([
      'protocols.http.auth.bearer_token: must be a non-empty token of visible ASCII characters without spaces, as an Authorization header carries it; got a token with spaces or other characters',
    ]);
    expect(issues({ protocols: { grpc: { auth: {} } } })).toEqual([
      'protocols.grpc.auth.bearer_token: required: a non-empty token of visible ASCII characters without spaces',
    ]);
    expect(issues({ protocols: { grpc: { auth: { bearer_token: 'abc.DEF-123_~+/=' } } } })).toEqual([]);
  });

  it('takes sizes as bytes or with a unit', () => {
    expect(issues({ protocols: { http: { max_request_body_size: 1024 }, grpc: { max_recv_msg_size: '32 MiB' } } })).toEqual([]);
    expect(issues({ protocols: { http: { max_request_body_size: '2GiB' } } })).toEqual([
      'protocols.http.max_request_body_size: must be a size > 0 and at most 1GiB: a number of bytes or a number with a unit, e.g. 16MiB, 512KiB, 4MB or 1048576, got "2GiB"',
    ]);
    expect(issues({ protocols: { http: { max_request_body_size: true } } })).toEqual([
      'protocols.http.max_request_body_size: must be a size > 0 and at most 1GiB: a number of bytes or a number with a unit, e.g. 16MiB, 512KiB, 4MB or 1048576, got true',
    ]);
  });
});

describe('byte sizes', () => {
  it.each([
    [1024, 1024],
    ['1024', 1024],
    ['16MiB', 16_777_216],
    ['16 MiB', 16_777_216],
    ['4MB', 4_000_000],
    ['512KiB', 524_288],
    ['1kB', 1000],
    ['1.5MiB', 1_572_864],
    ['1GiB', 1_073_741_824],
    ['7B', 7],
  ] as const)('%s is %d bytes', (text, bytes) => {
    expect(tryParseByteSize(text)).toEqual({ ok: true, bytes });
  });

  it.each([
    ['16mb', 'unknown unit "mb"'],
    ['MiB', 'use a whole number of bytes'],
    ['-1', 'use a whole number of bytes'],
    ['0.5B', 'is not a whole number of bytes'],
    ['1.2.3MiB', 'use a whole number of bytes'],
  ])('%s is refused: %s', (text, reason) => {
    const parsed = tryParseByteSize(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });

  it('refuses fractional and negative numbers', () => {
    expect(tryParseByteSize(1.5).ok).toBe(false);
    expect(tryParseByteSize(-1).ok).toBe(false);
  });

  it('formats sizes for messages', () => {
    expect(formatByteSize(16_777_216)).toBe('16MiB');
    expect(formatByteSize(1536)).toBe('1536 bytes');
    expect(formatByteSize(2048)).toBe('2KiB');
  });
});
