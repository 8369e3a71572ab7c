import { z } from 'zod';
import { parseEndpoint } from '../../exporters/prometheus/config';
import type { ComponentFactory } from '../../src/config/component-factory';
import { describeValue } from '../../src/config/describe-value';
import { parseDuration, tryParseDuration } from '../../src/config/duration';
import { ALWAYS, durationString, emptyMeansDefaults, expects, nonEmptyString, strictMapping } from '../../src/config/schema-helpers';
import type { ErrorFunction } from '../../src/config/schema-helpers';
import { BYTE_SIZE_EXAMPLES, tryParseByteSize } from './byte-size';

/*
 * The `otlp` receiver's configuration, in the Collector's shape:
 *
 *   receivers:
 *     otlp:
 *       protocols:
 *         grpc:                                  # present (even empty): enabled
 *           endpoint: 127.0.0.1:4317
 *           max_recv_msg_size: 16MiB             # one gRPC message, after decompression
 *           tls: { cert_file: server.crt, key_file: server.key }
 *           auth: { bearer_token: ${env:SLOWATCH_TOKEN} }
 *         http:
 *           endpoint: 127.0.0.1:4318
 *           max_request_body_size: 16MiB         # after decompression
 *           read_header_timeout: 10s             # until the request headers are complete
 *           read_timeout: 30s                    # until the whole request (headers and body) is read
 *           idle_timeout: 5s                     # an idle keep-alive connection is closed after this
 *           max_connections: 1000                # open connections; further ones are closed at once
 *           tls: { cert_file: server.crt, key_file: server.key }
 *           auth: { bearer_token: ${env:SLOWATCH_TOKEN} }
 *
 * As with the Collector's configoptional defaults, a protocol is enabled by
 * writing its key, and then every key it leaves out takes the default from
 * createDefaultGrpcConfig / createDefaultHttpConfig. A protocol that is not
 * written is off; a receiver with neither is an error (it would receive
 * nothing). TLS files are only named here: the receiver reads them at start.
 */

// ---------------------------------------------------------------------------
// YAML shape

export interface OtlpReceiverConfig {
  /** Required: at least one of grpc and http. */
  protocols?: OtlpProtocolsConfig;
}

export interface OtlpProtocolsConfig {
  grpc?: OtlpGrpcConfig;
  http?: OtlpHttpConfig;
}

export interface OtlpGrpcConfig {
  /** `host:port`; IPv6 hosts in brackets: `[::1]:4317`. Port 0 picks a free port. */
  endpoint?: string;
  /** Largest gRPC message accepted, after decompression: bytes or a size string (`16MiB`). */
  max_recv_msg_size?: number | string;
  tls?: TlsConfig;
  auth?: AuthConfig;
}

export interface OtlpHttpConfig {
  endpoint?: string;
  /** Largest request body accepted, after decompression: bytes or a size string (`16MiB`). */
  max_request_body_size?: number | string;
  /** Until the request headers are complete (confighttp's read_header_timeout). A duration, e.g. `10s`. */
  read_header_timeout?: string;
  /** Until the whole request, headers and body, is read (confighttp's read_timeout); at least read_header_timeout. */
  read_timeout?: string;
  /** How long an idle keep-alive connection is kept (confighttp's idle_timeout). */
  idle_timeout?: string;
  /** Open connections at most; a connection past the cap is closed as soon as it is accepted. Not a Collector key. */
  max_connections?: number;
  tls?: TlsConfig;
  auth?: AuthConfig;
}

export interface TlsConfig {
  /** PEM certificate (chain), server certificate first. Relative paths are relative to the working directory. */
  cert_file: string;
  /** PEM private key of that certificate. */
  key_file: string;
}

export interface AuthConfig {
  /** Clients must send `Authorization: Bearer <token>` (gRPC metadata `authorization`). */
  bearer_token: string;
}

// ---------------------------------------------------------------------------
// Runtime settings

export interface OtlpReceiverSettings {
  /** Absent: gRPC is off. */
  readonly grpc?: OtlpGrpcSettings;
  /** Absent: HTTP is off. */
  readonly http?: OtlpHttpSettings;
}

export interface OtlpServerSettings {
  /** Without brackets: `::1`, not `[::1]`. */
  readonly host: string;
  readonly port: number;
  /** Absent: plain text. */
  readonly tls?: TlsSettings;
  /** Absent: no authentication. */
  readonly auth?: BearerAuthSettings;
}

export interface OtlpGrpcSettings extends OtlpServerSettings {
  readonly maxRecvMsgSize: number;
}

export interface OtlpHttpSettings extends OtlpServerSettings {
  readonly maxRequestBodySize: number;
  /** Resolved configs always carry the four below; absent (hand-built settings in tests): the DEFAULT_HTTP_* values. */
  readonly readHeaderTimeoutMs?: number;
  readonly readTimeoutMs?: number;
  readonly idleTimeoutMs?: number;
  readonly maxConnections?: number;
}

export interface TlsSettings {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface BearerAuthSettings {
  /** Never logged. */
  readonly bearerToken: string;
}

// ---------------------------------------------------------------------------
// Defaults

/** Loopback by default: nothing is exposed beyond the machine unless the config says so. */
export const DEFAULT_OTLP_GRPC_ENDPOINT = '127.0.0.1:4317';
export const DEFAULT_OTLP_HTTP_ENDPOINT = '127.0.0.1:4318';
export const DEFAULT_MAX_MESSAGE_SIZE = '16MiB';
export const DEFAULT_READ_HEADER_TIMEOUT = '10s';
export const DEFAULT_READ_TIMEOUT = '30s';
export const DEFAULT_IDLE_TIMEOUT = '5s';
/**
 * Open OTLP/HTTP connections at most. An idle connection costs a few KiB
 * (socket, parser, buffers: about 10 KiB measured with Node 20), so the cap
 * bounds idle-connection memory to about 10 MiB, and stays under the usual
 * 1024 open-files limit with room for the other servers.
 */
export const DEFAULT_MAX_CONNECTIONS = 1000;
/** Bounds of the three timeouts: below 100 ms a slow but honest client fails; above an hour nothing is protected. */
export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 3_600_000;
export const MAX_CONNECTIONS_LIMIT = 1_000_000;
/** Upper bound of both size limits: request bodies are held in memory whole. */
export const MAX_SIZE_LIMIT_BYTES = 1_073_741_824;

/**
 * `otlp:` with nothing after it: no protocol, which resolve rejects as the
 * Collector does. The defaults of each protocol are in the two functions below.
 */
export function createDefaultConfig(): OtlpReceiverConfig {
  return {};
}

/** What a `grpc:` key gets for everything it leaves out. */
export function createDefaultGrpcConfig(): Required<Pick<OtlpGrpcConfig, 'endpoint' | 'max_recv_msg_size'>> {
  return { endpoint: DEFAULT_OTLP_GRPC_ENDPOINT, max_recv_msg_size: DEFAULT_MAX_MESSAGE_SIZE };
}

/** What an `http:` key gets for everything it leaves out. */
export function createDefaultHttpConfig(): Required<Omit<OtlpHttpConfig, 'tls' | 'auth'>> {
  return {
    endpoint: DEFAULT_OTLP_HTTP_ENDPOINT,
    max_request_body_size: DEFAULT_MAX_MESSAGE_SIZE,
    read_header_timeout: DEFAULT_READ_HEADER_TIMEOUT,
    read_timeout: DEFAULT_READ_TIMEOUT,
    idle_timeout: DEFAULT_IDLE_TIMEOUT,
    max_connections: DEFAULT_MAX_CONNECTIONS,
  };
}

// ---------------------------------------------------------------------------
// Validation

const PROTOCOLS_DESCRIPTION = 'a mapping with grpc and/or http, e.g. { grpc: {}, http: {} }';

const endpointDescription = (port: number) => `host:port with a port from 0 to 65535, e.g. 127.0.0.1:${port}, 0.0.0.0:${port} or [::1]:${port}`;

function endpointSchema(port: number) {
  const description = endpointDescription(port);
  return z.string({ error: expects(description) }).superRefine((text, ctx) => {
    const parsed = parseEndpoint(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', input: text, message: `must be ${description}, got ${describeValue(text)}: ${parsed.reason}` });
  });
}

const SIZE_DESCRIPTION = `a size > 0 and at most 1GiB: a number of bytes or a number with a unit, e.g. ${BYTE_SIZE_EXAMPLES}`;

function byteSizeSchema() {
  return z.union([z.number(), z.string()], { error: expects(SIZE_DESCRIPTION) }).superRefine((value, ctx) => {
    const parsed = tryParseByteSize(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', input: value, message: `must be ${SIZE_DESCRIPTION}, got ${describeValue(value)}: ${parsed.reason}` });
    else if (parsed.bytes < 1 || parsed.bytes > MAX_SIZE_LIMIT_BYTES) ctx.addIssue({ code: 'custom', input: value, message: `must be ${SIZE_DESCRIPTION}, got ${describeValue(value)}` });
  });
}

const TIMEOUT_DESCRIPTION = 'a duration from 100ms to 1h, e.g. 10s';

const isTimeout = (ms: number): boolean => ms >= MIN_TIMEOUT_MS && ms <= MAX_TIMEOUT_MS;

function timeoutSchema() {
  return durationString({ description: TIMEOUT_DESCRIPTION, accepts: isTimeout });
}

const MAX_CONNECTIONS_DESCRIPTION = `an integer from 1 to ${MAX_CONNECTIONS_LIMIT}`;

function maxConnectionsSchema() {
  const error = expects(MAX_CONNECTIONS_DESCRIPTION);
  return z.number({ error }).int({ error }).min(1, { error }).max(MAX_CONNECTIONS_LIMIT, { error });
}

const tlsSchema = strictMapping(
  {
    cert_file: nonEmptyString('the path of a PEM certificate file'),
    key_file: nonEmptyString('the path of a PEM private key file'),
  },
  'a mapping with cert_file and key_file',
);

const TOKEN_DESCRIPTION = 'a non-empty token of visible ASCII characters without spaces';

/** The token is a secret: messages never show it. */
const tokenError: ErrorFunction = (issue) => {
  if (issue.input === undefined) return `required: ${TOKEN_DESCRIPTION}`;
  if (typeof issue.input === 'number' || typeof issue.input === 'boolean') {
    return `must be ${TOKEN_DESCRIPTION}, got ${typeof issue.input === 'number' ? 'a number' : 'true or false'}: quote it so YAML keeps it a string, e.g. bearer_token: "\${env:SLOWATCH_TOKEN}"`;
  }
  return `must be ${TOKEN_DESCRIPTION}, got ${describeValue(issue.input)}`;
};

const tokenSchema = z.string({ error: tokenError }).superRefine((token, ctx) => {
  if (token === '') {
    ctx.addIssue({
      code: 'custom',
      input: token,
      message: `must be ${TOKEN_DESCRIPTION}, got "": an empty token would turn authentication off; set the environment variable it comes from, or remove auth`,
    });
  } else if (!/^[\x21-\x7e]+$/.test(token)) {
    ctx.addIssue({ code: 'custom', input: '<hidden>', message: `must be ${TOKEN_DESCRIPTION}, as an Authorization header carries it; got a token with spaces or other characters` });
  }
});

const authSchema = strictMapping({ bearer_token: tokenSchema }, 'a mapping with bearer_token, e.g. { bearer_token: ${env:SLOWATCH_TOKEN} }');

const grpcSchema = strictMapping(
  {
    endpoint: endpointSchema(4317).optional(),
    max_recv_msg_size: byteSizeSchema().optional(),
    tls: tlsSchema.optional(),
    auth: authSchema.optional(),
  },
  'a mapping with endpoint, max_recv_msg_size, tls and auth',
);

const httpSchema = strictMapping(
  {
    endpoint: endpointSchema(4318).optional(),
    max_request_body_size: byteSizeSchema().optional(),
    read_header_timeout: timeoutSchema().optional(),
    read_timeout: timeoutSchema().optional(),
    idle_timeout: timeoutSchema().optional(),
    max_connections: maxConnectionsSchema().optional(),
    tls: tlsSchema.optional(),
    auth: authSchema.optional(),
  },
  'a mapping with endpoint, max_request_body_size, read_header_timeout, read_timeout, idle_timeout, max_connections, tls and auth',
).superRefine((http, ctx) => {
  // Node refuses a header timeout longer than the request timeout, and it would be meaningless: say so here, naming both keys.
  if (typeof http !== 'object' || http === null) return;
  const defaults = createDefaultHttpConfig();
  const header = tryParseDuration(http.read_header_timeout ?? defaults.read_header_timeout);
  const whole = tryParseDuration(http.read_timeout ?? defaults.read_timeout);
  // Only between two valid timeouts: an invalid one already has its own message.
  if (header.ok && whole.ok && isTimeout(header.ms) && isTimeout(whole.ms) && header.ms > whole.ms) {
    ctx.addIssue({
      code: 'custom',
      path: ['read_header_timeout'],
      input: http.read_header_timeout,
      message: `must be at most read_timeout (${http.read_timeout ?? defaults.read_timeout}): the headers are part of the request, got ${describeValue(http.read_header_timeout ?? defaults.read_header_timeout)}`,
    });
  }
});

const protocolsSchema = strictMapping(
  {
    grpc: emptyMeansDefaults(grpcSchema).optional(),
    http: emptyMeansDefaults(httpSchema).optional(),
  },
  PROTOCOLS_DESCRIPTION,
).superRefine((protocols, ctx) => {
  // Runs even when other parts failed: only complain when nothing else explains the problem.
  if (typeof protocols !== 'object' || protocols === null || Array.isArray(protocols)) return;
  if (ctx.issues.some((issue) => issue.code === 'unrecognized_keys')) return;
  if (protocols.grpc === undefined && protocols.http === undefined) {
    ctx.addIssue({ code: 'custom', input: protocols, message: `must enable at least one protocol: ${PROTOCOLS_DESCRIPTION}, got none` });
  }
}, ALWAYS);

export const otlpReceiverConfigSchema: z.ZodType<OtlpReceiverConfig> = strictMapping(
  { protocols: emptyMeansDefaults(protocolsSchema) },
  'a mapping with protocols, e.g. { protocols: { grpc: {}, http: {} } }',
);

// ---------------------------------------------------------------------------
// Resolution: YAML shape → runtime settings. The input has passed the schema.

export function resolveOtlpReceiverSettings(config: OtlpReceiverConfig): OtlpReceiverSettings {
  const { grpc, http } = config.protocols ?? {};
  if (grpc === undefined && http === undefined) {
    throw new Error(`no protocol is enabled; write protocols: { grpc: {}, http: {} } or one of them`);
  }
  return {
    ...(grpc !== undefined && { grpc: resolveGrpc(grpc) }),
    ...(http !== undefined && { http: resolveHttp(http) }),
  };
}

function resolveGrpc(config: OtlpGrpcConfig): OtlpGrpcSettings {
  const defaults = createDefaultGrpcConfig();
  return {
    ...resolveServer(config.endpoint ?? defaults.endpoint, config),
    maxRecvMsgSize: sizeInBytes(config.max_recv_msg_size ?? defaults.max_recv_msg_size),
  };
}

function resolveHttp(config: OtlpHttpConfig): OtlpHttpSettings {
  const defaults = createDefaultHttpConfig();
  return {
    ...resolveServer(config.endpoint ?? defaults.endpoint, config),
    maxRequestBodySize: sizeInBytes(config.max_request_body_size ?? defaults.max_request_body_size),
    readHeaderTimeoutMs: parseDuration(config.read_header_timeout ?? defaults.read_header_timeout),
    readTimeoutMs: parseDuration(config.read_timeout ?? defaults.read_timeout),
    idleTimeoutMs: parseDuration(config.idle_timeout ?? defaults.idle_timeout),
    maxConnections: config.max_connections ?? defaults.max_connections,
  };
}

function resolveServer(endpoint: string, config: { tls?: TlsConfig; auth?: AuthConfig }): OtlpServerSettings {
  const parsed = parseEndpoint(endpoint);
  if (!parsed.ok) throw new Error(`endpoint ${describeValue(endpoint)}: ${parsed.reason}`);
  return {
    host: parsed.host,
    port: parsed.port,
    ...(config.tls !== undefined && { tls: { certFile: config.tls.cert_file, keyFile: config.tls.key_file } }),
    ...(config.auth !== undefined && { auth: { bearerToken: config.auth.bearer_token } }),
  };
}

function sizeInBytes(value: number | string): number {
  const parsed = tryParseByteSize(value);
  if (!parsed.ok) throw new Error(`size ${describeValue(value)}: ${parsed.reason}`);
  return parsed.bytes;
}

// ---------------------------------------------------------------------------

export const otlpReceiverFactory: ComponentFactory<OtlpReceiverConfig, OtlpReceiverSettings> = {
  kind: 'receiver',
  type: 'otlp',
  signals: ['traces', 'metrics', 'logs'],
  schema: otlpReceiverConfigSchema,
  createDefaultConfig,
  resolve: (config) => resolveOtlpReceiverSettings(config),
};
