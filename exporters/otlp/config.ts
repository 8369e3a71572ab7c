import { z } from 'zod';
import type { ComponentFactory } from '../../src/config/component-factory';
import { describeValue } from '../../src/config/describe-value';
import { parseDuration } from '../../src/config/duration';
import { ALWAYS, durationString, emptyMeansDefaults, expects, strictMapping } from '../../src/config/schema-helpers';
import { SIGNALS } from '../../src/otlp/signal';
import type { Signal } from '../../src/otlp/signal';
import { parseEndpoint } from '../prometheus/config';
import { formatByteSize, tryParseByteSize } from '../../receivers/otlp/byte-size';

/*
 * The `otlp` exporter's configuration: the Collector's `otlp` (gRPC) and
 * `otlphttp` exporters in one, chosen by `protocol`.
 *
 *   exporters:
 *     otlp:
 *       endpoint: https://otlp.example.com:4318   # grpc: otlp.example.com:4317
 *       protocol: http/protobuf                    # http/json, grpc
 *       headers: { authorization: "Bearer ${env:TOKEN}" }
 *       compression: gzip                          # none
 *       timeout: 10s
 *       tls: { ca_file: ca.pem }
 *       sending_queue: { enabled: true, num_consumers: 4, queue_size: 1000 }
 *       # or, kept on disk in the storage extension's store (survives kill -9):
 *       # sending_queue: { storage: storage, queue_size: 1000, max_bytes: 256MiB }
 *       retry_on_failure: { enabled: true, initial_interval: 5s, max_elapsed_time: 300s }
 *
 * Defaults are the Collector's (exporterhelper's queue and retry settings).
 * `endpoint` has no default: a gateway that listens on 4318 itself must not
 * forward to localhost:4318 by accident.
 */

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';
export type OtlpCompression = 'gzip' | 'none';

export interface OtlpExporterConfig {
  /** http/*: base URL, `/v1/<signal>` is appended; grpc: `host:port` (or `http(s)://host:port`). */
  endpoint?: string;
  /** http/* only: the full URL for one signal, used as is. */
  traces_endpoint?: string;
  metrics_endpoint?: string;
  logs_endpoint?: string;
  protocol?: OtlpProtocol;
  /** Sent with every request (HTTP headers, gRPC metadata). */
  headers?: Record<string, string>;
  compression?: OtlpCompression;
  /** Per attempt: the HTTP request or the gRPC deadline. */
  timeout?: string;
  tls?: TlsConfig;
  sending_queue?: SendingQueueConfig;
  retry_on_failure?: RetryOnFailureConfig;
}

export interface TlsConfig {
  /** grpc: plaintext instead of TLS (for http the URL's scheme decides). */
  insecure?: boolean;
  /** Do not verify the server's certificate (testing only). */
  insecure_skip_verify?: boolean;
  /** PEM CA bundle to verify the server with, instead of the system's. */
  ca_file?: string;
  /** PEM client certificate and key, for mutual TLS; both or neither. */
  cert_file?: string;
  key_file?: string;
}

export interface SendingQueueConfig {
  enabled?: boolean;
  /** Batches sent at the same time. */
  num_consumers?: number;
  /** Batches the queue holds; when full, consume refuses with BackpressureError. */
  queue_size?: number;
  /**
   * Cap on the items (spans, metric points, log records) of all queued
   * batches together. A decoded span with ten attributes takes about 4 KB of
   * heap, so the default of 50 000 bounds a queue at about 200 MB.
   */
  max_items?: number;
  /**
   * The id of a `storage` extension (listed in service.extensions): the
   * queue then lives in its SQLite store, and a batch is committed there
   * before `consume` resolves (before the receiver answers 200).
   */
  storage?: string;
  /** With storage only: cap on the bytes (encoded batches) the queue keeps on disk. Default 256MiB. */
  max_bytes?: number | string;
}

export interface RetryOnFailureConfig {
  enabled?: boolean;
  initial_interval?: string;
  /** Each wait is the interval × a random factor in [1 - f, 1 + f]. */
  randomization_factor?: number;
  multiplier?: number;
  max_interval?: string;
  /** Give a batch up after this long; 0 retries forever. */
  max_elapsed_time?: string;
}

/** What the exporter runs with: durations in milliseconds, URLs composed. */
export interface OtlpExporterSettings {
  readonly protocol: OtlpProtocol;
  /**
   * http/*: the URL each signal is POSTed to.
   * grpc: the `host:port` target (the same for every signal).
   */
  readonly endpoints: Readonly<Record<Signal, string>>;
  /** grpc only: TLS (true) or plaintext. For http/* each URL's scheme decides. */
  readonly grpcSecure: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly compression: OtlpCompression;
  readonly timeoutMs: number;
  readonly tls: TlsSettings;
  readonly sendingQueue: SendingQueueSettings;
  readonly retry: RetrySettings;
}

export interface TlsSettings {
  readonly insecure: boolean;
  readonly insecureSkipVerify: boolean;
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface SendingQueueSettings {
  readonly enabled: boolean;
  readonly numConsumers: number;
  readonly queueSize: number;
  readonly maxItems?: number;
  /** The storage extension keeping the queue on disk; undefined: the queue is in memory. */
  readonly storage?: string;
  /** With storage: the disk cap in bytes of the encoded batches. */
  readonly maxBytes: number;
}

/** The persistent queue's default byte cap (sending_queue.max_bytes). */
export const DEFAULT_QUEUE_MAX_BYTES = 256 * 1024 * 1024;
/** The largest max_bytes accepted. */
const MAX_QUEUE_MAX_BYTES = 1024 * 1024 * 1024 * 1024;

export interface RetrySettings {
  readonly enabled: boolean;
  readonly initialIntervalMs: number;
  readonly randomizationFactor: number;
  readonly multiplier: number;
  readonly maxIntervalMs: number;
  /** 0: never give up. */
  readonly maxElapsedTimeMs: number;
}

// ---------------------------------------------------------------------------
// Defaults

/** The defaults' shape: every key but the endpoints set. */
export interface OtlpExporterDefaults extends OtlpExporterConfig {
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  compression: OtlpCompression;
  timeout: string;
  tls: TlsConfig & Required<Pick<TlsConfig, 'insecure' | 'insecure_skip_verify'>>;
  sending_queue: Required<Omit<SendingQueueConfig, 'storage' | 'max_bytes'>>;
  retry_on_failure: Required<RetryOnFailureConfig>;
}

/** Everything but `endpoint` (which has no default); an empty `otlp:` means this, and fails for the missing endpoint. */
export function createDefaultConfig(): OtlpExporterDefaults {
  return {
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
  };
}

// ---------------------------------------------------------------------------
// Validation

const PROTOCOLS = ['http/protobuf', 'http/json', 'grpc'] as const satisfies readonly OtlpProtocol[];
const HTTP_ENDPOINT_DESCRIPTION = 'an http:// or https:// URL, e.g. https://otlp.example.com:4318';
const GRPC_ENDPOINT_DESCRIPTION = 'host:port or an http:// or https:// URL with a port, e.g. otlp.example.com:4317';
const SIGNAL_ENDPOINT_KEYS = SIGNALS.map((signal) => `${signal}_endpoint` as const);

/** Header names are HTTP tokens (RFC 9110); gRPC metadata keys are lower-cased from them. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by the exporter itself. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set(['content-type', 'content-encoding', 'content-length', 'transfer-encoding', 'host', 'connection', 'te']);

/** Why `text` is not an http(s) URL, or undefined when it is one. */
export function httpUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `the scheme "${url.protocol.slice(0, -1)}" is not http or https`;
  if (url.hostname === '') return 'the host is missing';
  if (url.search !== '' || url.hash !== '') return 'a query or fragment is not allowed';
  return undefined;
}

/** The gRPC target (`host:port`, IPv6 in brackets) and whether the scheme asked for TLS, or a reason. */
export function parseGrpcEndpoint(
  text: string,
): { readonly ok: true; readonly target: string; readonly scheme?: 'http' | 'https' } | { readonly ok: false; readonly reason: string } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    const problem = httpUrlProblem(text);
    if (problem !== undefined) return { ok: false, reason: problem };
    const url = new URL(text);
    if (url.pathname !== '/' && url.pathname !== '') return { ok: false, reason: 'gRPC endpoints have no path' };
    const scheme = url.protocol === 'https:' ? 'https' : 'http';
    return { ok: true, target: `${url.hostname}:${url.port !== '' ? url.port : scheme === 'https' ? '443' : '80'}`, scheme };
  }
  const parsed = parseEndpoint(text);
  if (!parsed.ok) return { ok: false, reason: parsed.reason.replace(' (0.0.0.0 listens on every interface)', '') };
  return { ok: true, target: parsed.host.includes(':') ? `[${parsed.host}]:${parsed.port}` : `${parsed.host}:${parsed.port}` };
}

const urlString = () => z.string({ error: expects(HTTP_ENDPOINT_DESCRIPTION) });

const tlsSchema = strictMapping(
  {
    insecure: z.boolean({ error: expects('true or false') }).optional(),
    insecure_skip_verify: z.boolean({ error: expects('true or false') }).optional(),
    ca_file: z.string({ error: expects('a path to a PEM file') }).min(1).optional(),
    cert_file: z.string({ error: expects('a path to a PEM file') }).min(1).optional(),
    key_file: z.string({ error: expects('a path to a PEM file') }).min(1).optional(),
  },
  'a mapping with insecure, insecure_skip_verify, ca_file, cert_file and key_file',
).superRefine((tls, ctx) => {
  if (typeof tls !== 'object' || tls === null) return;
  const hasCert = typeof tls.cert_file === 'string';
  const hasKey = typeof tls.key_file === 'string';
  if (hasCert !== hasKey) {
    const missing = hasCert ? 'key_file' : 'cert_file';
    ctx.addIssue({ code: 'custom', input: undefined, path: [missing], message: `required: cert_file and key_file go together (mutual TLS)` });
  }
}, ALWAYS);

const QUEUE_BYTES_DESCRIPTION = 'a size from 1 byte to 1TiB: a number of bytes or a number with a unit, e.g. 256MiB or 2GiB';

const positiveInt = (description: string, max: number) =>
  z.number({ error: expects(description) }).int().min(1).max(max);

const sendingQueueSchema = strictMapping(
  {
    enabled: z.boolean({ error: expects('true or false') }).optional(),
    num_consumers: positiveInt('an integer from 1 to 1000', 1000).optional(),
    queue_size: positiveInt('an integer from 1 to 1000000', 1_000_000).optional(),
    max_items: positiveInt('an integer from 1 to 100000000', 100_000_000).optional(),
    storage: z.string({ error: expects('the id of a storage extension, e.g. storage') }).min(1).optional(),
    max_bytes: z.union([z.number(), z.string()], { error: expects(QUEUE_BYTES_DESCRIPTION) }).optional(),
  },
  'a mapping with enabled, num_consumers, queue_size, max_items, storage and max_bytes',
).superRefine((queue, ctx) => {
  if (typeof queue !== 'object' || queue === null) return;
  const hasStorage = typeof queue.storage === 'string';
  if (queue.max_bytes !== undefined && (typeof queue.max_bytes === 'number' || typeof queue.max_bytes === 'string')) {
    const parsed = tryParseByteSize(queue.max_bytes);
    if (!parsed.ok || parsed.bytes < 1 || parsed.bytes > MAX_QUEUE_MAX_BYTES) {
      ctx.addIssue({
        code: 'custom',
        input: queue.max_bytes,
        path: ['max_bytes'],
        message: `must be ${QUEUE_BYTES_DESCRIPTION}, got ${describeValue(queue.max_bytes)}${parsed.ok ? '' : `: ${parsed.reason}`}`,
      });
    } else if (!hasStorage) {
      ctx.addIssue({ code: 'custom', input: queue.max_bytes, path: ['max_bytes'], message: 'caps the queue on disk: only with storage (the in-memory queue is bounded by queue_size and max_items)' });
    }
  }
  if (hasStorage && queue.max_items !== undefined) {
    ctx.addIssue({ code: 'custom', input: queue.max_items, path: ['max_items'], message: 'bounds the in-memory queue; with storage, cap the disk with max_bytes (and queue_size)' });
  }
  if (hasStorage && queue.enabled === false) {
    ctx.addIssue({ code: 'custom', input: queue.enabled, path: ['enabled'], message: 'must not be false with storage: the persistent queue is a sending queue' });
  }
}, ALWAYS);

const retrySchema = strictMapping(
  {
    enabled: z.boolean({ error: expects('true or false') }).optional(),
    initial_interval: durationString({ description: 'a duration > 0', accepts: (ms) => ms > 0 }).optional(),
    randomization_factor: z.number({ error: expects('a number from 0 to 1') }).min(0).max(1).optional(),
    multiplier: z.number({ error: expects('a number >= 1') }).min(1).max(1000).optional(),
    max_interval: durationString({ description: 'a duration > 0', accepts: (ms) => ms > 0 }).optional(),
    max_elapsed_time: durationString({ description: 'a duration (0 retries forever)' }).optional(),
  },
  'a mapping with enabled, initial_interval, randomization_factor, multiplier, max_interval and max_elapsed_time',
).superRefine((retry, ctx) => {
  if (typeof retry !== 'object' || retry === null) return;
  const initial = safeDuration(retry.initial_interval);
  const max = safeDuration(retry.max_interval ?? createDefaultConfig().retry_on_failure.max_interval);
  if (initial !== undefined && max !== undefined && initial > max) {
    ctx.addIssue({
      code: 'custom',
      input: retry.initial_interval,
      path: ['initial_interval'],
      message: `must not be longer than max_interval (${retry.max_interval ?? `${createDefaultConfig().retry_on_failure.max_interval}, the default`}), got ${describeValue(retry.initial_interval)}`,
    });
  }
}, ALWAYS);

export const otlpExporterConfigSchema: z.ZodType<OtlpExporterConfig> = strictMapping(
  {
    endpoint: z.string({ error: expects('an endpoint URL (http/*) or host:port (grpc)') }).optional(),
    traces_endpoint: urlString().optional(),
    metrics_endpoint: urlString().optional(),
    logs_endpoint: urlString().optional(),
    protocol: z.enum(PROTOCOLS, { error: expects(`one of ${PROTOCOLS.join(', ')}`) }).optional(),
    headers: emptyMeansDefaults(
      z.record(z.string(), z.string({ error: expects('a string (quote numbers: "1")') }), { error: expects('a mapping of header names to values') }),
    ).optional(),
    compression: z.enum(['gzip', 'none'], { error: expects('gzip or none') }).optional(),
    timeout: durationString({ description: 'a duration > 0', accepts: (ms) => ms > 0 }).optional(),
    tls: emptyMeansDefaults(tlsSchema).optional(),
    sending_queue: emptyMeansDefaults(sendingQueueSchema).optional(),
    retry_on_failure: emptyMeansDefaults(retrySchema).optional(),
  },
  'a mapping with endpoint, protocol, headers, compression, timeout, tls, sending_queue and retry_on_failure',
).superRefine((config, ctx) => {
  // Runs even when parts failed (ALWAYS): check only what has the right type.
  if (typeof config !== 'object' || config === null) return;
  const protocol: OtlpProtocol = PROTOCOLS.includes(config.protocol as OtlpProtocol) ? (config.protocol as OtlpProtocol) : 'http/protobuf';
  const endpoint: unknown = config.endpoint;
  if (protocol === 'grpc') {
    if (endpoint === undefined) {
      ctx.addIssue({ code: 'custom', input: undefined, path: ['endpoint'], message: `required: ${GRPC_ENDPOINT_DESCRIPTION}` });
    } else if (typeof endpoint === 'string') {
      const parsed = parseGrpcEndpoint(endpoint);
      if (!parsed.ok) {
        ctx.addIssue({ code: 'custom', input: endpoint, path: ['endpoint'], message: `must be ${GRPC_ENDPOINT_DESCRIPTION}, got ${describeValue(endpoint)}: ${parsed.reason}` });
      }
    }
    for (const key of SIGNAL_ENDPOINT_KEYS) {
      if (config[key] !== undefined) {
        ctx.addIssue({ code: 'custom', input: config[key], path: [key], message: `only for protocol http/protobuf or http/json; grpc sends every signal to endpoint` });
      }
    }
  } else {
    const allSignalsSet = SIGNAL_ENDPOINT_KEYS.every((key) => config[key] !== undefined);
    if (endpoint === undefined && !allSignalsSet) {
      ctx.addIssue({ code: 'custom', input: undefined, path: ['endpoint'], message: `required: ${HTTP_ENDPOINT_DESCRIPTION}` });
    }
    for (const key of ['endpoint', ...SIGNAL_ENDPOINT_KEYS] as const) {
      const value: unknown = config[key];
      if (typeof value !== 'string') continue;
      const problem = httpUrlProblem(value);
      if (problem !== undefined) {
        const hostPort = !value.includes('://') && parseGrpcEndpoint(value).ok;
        const reason = hostPort ? `the scheme is missing, e.g. http://${value} (host:port alone is for protocol grpc)` : problem;
        ctx.addIssue({ code: 'custom', input: value, path: [key], message: `must be ${HTTP_ENDPOINT_DESCRIPTION}, got ${describeValue(value)}: ${reason}` });
      }
    }
  }
  const headers: unknown = config.headers;
  if (typeof headers === 'object' && headers !== null) {
    for (const name of Object.keys(headers)) {
      if (!HEADER_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', input: name, path: ['headers', name], message: `is not a valid header name (letters, digits and !#$%&'*+.^_\`|~-)` });
      } else if (RESERVED_HEADERS.has(name.toLowerCase())) {
        ctx.addIssue({ code: 'custom', input: name, path: ['headers', name], message: `is set by the exporter itself and cannot be configured` });
      }
    }
  }
}, ALWAYS);

function resolveQueueBytes(value: number | string | undefined): number {
  if (value === undefined) return DEFAULT_QUEUE_MAX_BYTES;
  const parsed = tryParseByteSize(value);
  if (!parsed.ok) throw new Error(`sending_queue.max_bytes ${describeValue(value)}: ${parsed.reason}`);
  return parsed.bytes;
}

/** `256MiB`, for messages. */
export function describeQueueBytes(bytes: number): string {
  return formatByteSize(bytes);
}

function safeDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Resolution

/**
 * `/v1/<signal>` appended to the endpoint's path (the Collector's otlphttp
 * rule): `https://h:4318` → `https://h:4318/v1/traces`, `https://h/otlp/` →
 * `https://h/otlp/v1/traces`.
 */
export function signalUrl(endpoint: string, signal: Signal): string {
  const url = new URL(endpoint);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/${signal}`;
  return url.toString();
}

export function resolveOtlpExporterSettings(config: OtlpExporterConfig): OtlpExporterSettings {
  const defaults = createDefaultConfig();
  const protocol = config.protocol ?? defaults.protocol;
  const tls = { ...defaults.tls, ...config.tls };
  const queue = { ...defaults.sending_queue, ...config.sending_queue };
  const retry = { ...defaults.retry_on_failure, ...config.retry_on_failure };

  let endpoints: Record<Signal, string>;
  let grpcSecure = false;
  if (protocol === 'grpc') {
    if (config.endpoint === undefined) throw new Error(`endpoint is required: ${GRPC_ENDPOINT_DESCRIPTION}`);
    const parsed = parseGrpcEndpoint(config.endpoint);
    if (!parsed.ok) throw new Error(`endpoint ${describeValue(config.endpoint)}: ${parsed.reason}`);
    endpoints = { traces: parsed.target, metrics: parsed.target, logs: parsed.target };
    grpcSecure = parsed.scheme === 'https' || (parsed.scheme === undefined && !tls.insecure);
  } else {
    const endpoint = config.endpoint;
    const urlFor = (signal: Signal): string => {
      const explicit = config[`${signal}_endpoint`];
      if (explicit !== undefined) return explicit;
      if (endpoint === undefined) throw new Error(`endpoint is required: ${HTTP_ENDPOINT_DESCRIPTION}`);
      return signalUrl(endpoint, signal);
    };
    endpoints = { traces: urlFor('traces'), metrics: urlFor('metrics'), logs: urlFor('logs') };
  }

  return {
    protocol,
    endpoints,
    grpcSecure,
    headers: { ...(config.headers ?? defaults.headers) },
    compression: config.compression ?? defaults.compression,
    timeoutMs: parseDuration(config.timeout ?? defaults.timeout),
    tls: {
      insecure: tls.insecure,
      insecureSkipVerify: tls.insecure_skip_verify,
      ...(tls.ca_file !== undefined && { caFile: tls.ca_file }),
      ...(tls.cert_file !== undefined && { certFile: tls.cert_file }),
      ...(tls.key_file !== undefined && { keyFile: tls.key_file }),
    },
    sendingQueue: {
      enabled: queue.enabled,
      numConsumers: queue.num_consumers,
      queueSize: queue.queue_size,
      ...(config.sending_queue?.storage === undefined ? { maxItems: queue.max_items } : { storage: config.sending_queue.storage }),
      maxBytes: resolveQueueBytes(config.sending_queue?.max_bytes),
    },
    retry: {
      enabled: retry.enabled,
      initialIntervalMs: parseDuration(retry.initial_interval),
      randomizationFactor: retry.randomization_factor,
      multiplier: retry.multiplier,
      maxIntervalMs: parseDuration(retry.max_interval),
      maxElapsedTimeMs: parseDuration(retry.max_elapsed_time),
    },
  };
}

export const otlpExporterFactory: ComponentFactory<OtlpExporterConfig, OtlpExporterSettings> = {
  kind: 'exporter',
  type: 'otlp',
  signals: ['traces', 'metrics', 'logs'],
  schema: otlpExporterConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveOtlpExporterSettings(config),
};
