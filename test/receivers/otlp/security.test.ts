import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { credentials as grpcCredentials, Metadata, status } from '@grpc/grpc-js';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpReceiverSettings } from '../../../receivers/otlp/config';
import { OtlpReceiver } from '../../../receivers/otlp/otlp-receiver';
import { RawOtlpGrpcClient } from './helpers/grpc-client';
import { fakeConsumers, PROTOBUF, send, statusOf, testContext } from './helpers/harness';
import type { FakeConsumer, TestContext } from './helpers/harness';
import * as pb from './helpers/protobuf';

const TOKEN = 'Zq8-secret.token_42';

function makeSpans(count: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('security-test');
  for (let i = 0; i < count; i++) tracer.startSpan(`op ${i}`).end();
  return memory.getFinishedSpans();
}

function exportWith(exporter: ProtoTraceExporter | GrpcTraceExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

async function started(settings: OtlpReceiverSettings): Promise<{ receiver: OtlpReceiver; consumers: Record<'traces' | 'metrics' | 'logs', FakeConsumer>; context: TestContext }> {
  const consumers = fakeConsumers();
  const context = testContext('otlp');
  const receiver = new OtlpReceiver(settings, consumers, context);
  await receiver.start();
  return { receiver, consumers, context };
}

describe('bearer token auth', () => {
  let receiver: OtlpReceiver;
  let consumers: Record<'traces' | 'metrics' | 'logs', FakeConsumer>;
  let context: TestContext;
  let httpBase: string;
  let grpcAddress: string;

  beforeAll(async () => {
    const auth = { bearerToken: TOKEN };
    ({ receiver, consumers, context } = await started({
      http: { host: '127.0.0.1', port: 0, maxRequestBodySize: 1024 * 1024, auth },
      grpc: { host: '127.0.0.1', port: 0, maxRecvMsgSize: 1024 * 1024, auth },
    }));
    httpBase = `http://127.0.0.1:${receiver.httpAddress?.port}`;
    grpcAddress = `127.0.0.1:${receiver.grpcAddress?.port}`;
  });
  afterAll(() => receiver.shutdown());

  it.each([
    ['no Authorization header', undefined],
    ['a wrong token', `Bearer ${TOKEN}x`],
    ['a token prefix', `Bearer ${TOKEN.slice(0, -1)}`],
    ['another scheme', `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`],
    ['the bare token', TOKEN],
  ])('HTTP: %s → 401 with WWW-Authenticate: Bearer and a Status', async (_name, authorization) => {
    const headers = { ...PROTOBUF, ...(authorization !== undefined && { authorization }) };
    const result = await send(`${httpBase}/v1/traces`, { headers, body: pb.spansRequest(2) });
    expect(result.status).toBe(401);
    expect(result.headers['www-authenticate']).toMatch(/^Bearer\b/);
    expect(statusOf(result)).toEqual({ code: 16, message: 'missing or invalid bearer token: send "Authorization: Bearer <token>"' });
    expect(consumers.traces.items).toBe(0);
  });

  it('HTTP: the right token (scheme in any case) is let in', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const result = await send(`${httpBase}/v1/traces`, { headers: { ...PROTOBUF, authorization: `${scheme} ${TOKEN}` }, body: pb.spansRequest(2) });
      expect(result.status).toBe(200);
    }
    expect(consumers.traces.items).toBe(6);
  });

  it('HTTP: unknown paths are not revealed without the token', async () => {
    expect((await send(`${httpBase}/nope`, { method: 'GET' })).status).toBe(401);
  });

  it('HTTP: a real exporter fails without the token and succeeds with it', async () => {
    const without = new ProtoTraceExporter({ url: `${httpBase}/v1/traces` });
    const failed = await exportWith(without, makeSpans(3));
    await without.shutdown();
    expect(failed.code).toBe(ExportResultCode.FAILED);
    const withToken = new ProtoTraceExporter({ url: `${httpBase}/v1/traces`, headers: { Authorization: `Bearer ${TOKEN}` } });
    const ok = await exportWith(withToken, makeSpans(3));
    await withToken.shutdown();
    expect(ok.code).toBe(ExportResultCode.SUCCESS);
  });

  it('gRPC: missing or wrong token → UNAUTHENTICATED; the right one → OK', async () => {
    const client = new RawOtlpGrpcClient(grpcAddress);
    try {
      const missing = await client.export('logs', pb.logsRequest(2));
      expect(missing).toMatchObject({ code: status.UNAUTHENTICATED, details: 'missing or invalid bearer token: send metadata "authorization: Bearer <token>"' });
      expect((await client.export('logs', pb.logsRequest(2), { authorization: 'Bearer nope' })).code).toBe(status.UNAUTHENTICATED);
      expect((await client.export('logs', pb.logsRequest(2), { authorization: `Bearer ${TOKEN}` })).code).toBe(status.OK);
      expect(consumers.logs.items).toBe(2);
      expect(await context.counter('slowatch_receiver_requests_total', { transport: 'grpc', outcome: 'unauthenticated' })).toBe(2);
    } finally {
      client.close();
    }
  });

  it('gRPC: a real exporter succeeds with the token in its metadata', async () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${TOKEN}`);
    const exporter = new GrpcTraceExporter({ url: `http://${grpcAddress}`, metadata });
    const result = await exportWith(exporter, makeSpans(4));
    await exporter.shutdown();
    expect(result.code).toBe(ExportResultCode.SUCCESS);
  });

  it('never logs the token', () => {
    expect(context.lines.some((line) => line.includes(TOKEN))).toBe(false);
    expect(context.lines.filter((line) => line.includes('authenticating a request'))).toHaveLength(2); // one per transport
  });
});

describe('TLS', () => {
  let dir: string;
  let certFile: string;
  let keyFile: string;
  let otherKeyFile: string;
  let ca: Buffer;

  const openssl = (args: readonly string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore' });
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'slowatch-tls-'));
    certFile = path.join(dir, 'server.crt');
    keyFile = path.join(dir, 'server.key');
    otherKeyFile = path.join(dir, 'other.key');
    const selfSigned = (cert: string, key: string): void =>
      openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-days', '1', '-keyout', key, '-out', cert]);
    selfSigned(certFile, keyFile);
    selfSigned(path.join(dir, 'other.crt'), otherKeyFile);
    writeFileSync(path.join(dir, 'not-pem.txt'), 'hello\n');
    ca = readFileSync(certFile);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves OTLP/HTTP over TLS (with auth) to a client that trusts the certificate', async () => {
    const { receiver, consumers } = await started({
      http: { host: '127.0.0.1', port: 0, maxRequestBodySize: 1024 * 1024, tls: { certFile, keyFile }, auth: { bearerToken: TOKEN } },
    });
    const url = `https://127.0.0.1:${receiver.httpAddress?.port}/v1/traces`;
    try {
      const exporter = new ProtoTraceExporter({ url, headers: { Authorization: `Bearer ${TOKEN}` }, httpAgentOptions: { ca } });
      const result = await exportWith(exporter, makeSpans(5));
      await exporter.shutdown();
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      expect(consumers.traces.items).toBe(5);

      // A client that does not trust the certificate cannot talk to it.
      const untrusted = new Promise<string>((resolve) => {
        const req = httpsRequest(url, { method: 'POST' }, () => resolve('answered'));
        req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
        req.end();
      });
      expect(await untrusted).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      // Nor does plain HTTP.
      await expect(send(url.replace('https:', 'http:'), { headers: PROTOBUF, body: pb.spansRequest(1) })).rejects.toThrow();
    } finally {
      await receiver.shutdown();
    }
  });

  it('serves OTLP/gRPC over TLS (with auth) to a client that trusts the certificate', async () => {
    const { receiver, consumers } = await started({
      grpc: { host: '127.0.0.1', port: 0, maxRecvMsgSize: 1024 * 1024, tls: { certFile, keyFile }, auth: { bearerToken: TOKEN } },
    });
    const address = `127.0.0.1:${receiver.grpcAddress?.port}`;
    try {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${TOKEN}`);
      const exporter = new GrpcTraceExporter({ url: `https://${address}`, credentials: grpcCredentials.createSsl(ca), metadata });
      const result = await exportWith(exporter, makeSpans(6));
      await exporter.shutdown();
      expect(result.code).toBe(ExportResultCode.SUCCESS);
      expect(consumers.traces.items).toBe(6);

      const trusted = new RawOtlpGrpcClient(address, { credentials: grpcCredentials.createSsl(ca) });
      const plain = new RawOtlpGrpcClient(address);
      try {
        expect((await trusted.export('traces', pb.spansRequest(1))).code).toBe(status.UNAUTHENTICATED);
        expect((await trusted.export('traces', pb.spansRequest(1), { authorization: `Bearer ${TOKEN}` })).code).toBe(status.OK);
        expect((await plain.export('traces', pb.spansRequest(1), { authorization: `Bearer ${TOKEN}` })).code).toBe(status.UNAVAILABLE);
      } finally {
        trusted.close();
        plain.close();
      }
    } finally {
      await receiver.shutdown();
    }
  });

  describe.each(['http', 'grpc'] as const)('%s: a TLS file that cannot be used is a startup error naming it', (transport) => {
    const name = transport === 'http' ? 'OTLP/HTTP' : 'OTLP/gRPC';
    const settingsWith = (tls: { certFile: string; keyFile: string }): OtlpReceiverSettings =>
      transport === 'http'
        ? { http: { host: '127.0.0.1', port: 0, maxRequestBodySize: 1024, tls } }
        : { grpc: { host: '127.0.0.1', port: 0, maxRecvMsgSize: 1024, tls } };

    it.each([
      ['a missing cert_file', () => ({ certFile: path.join(dir, 'missing.crt'), keyFile }), () => `cannot read TLS cert_file ${path.join(dir, 'missing.crt')}: ENOENT`],
      ['a missing key_file', () => ({ certFile, keyFile: path.join(dir, 'missing.key') }), () => `cannot read TLS key_file ${path.join(dir, 'missing.key')}: ENOENT`],
      ['a cert_file that is not PEM', () => ({ certFile: path.join(dir, 'not-pem.txt'), keyFile }), () => `TLS cert_file ${path.join(dir, 'not-pem.txt')} is not a PEM certificate`],
      ['a key_file that is not PEM', () => ({ certFile, keyFile: path.join(dir, 'not-pem.txt') }), () => `TLS key_file ${path.join(dir, 'not-pem.txt')} is not a PEM private key`],
      ['a key of another certificate', () => ({ certFile, keyFile: otherKeyFile }), () => `TLS key_file ${otherKeyFile} does not match cert_file ${certFile}`],
    ])('%s', async (_name, tls, expected) => {
      const receiver = new OtlpReceiver(settingsWith(tls()), fakeConsumers(), testContext());
      const error = await receiver.start().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      await receiver.shutdown();
      expect(error?.message).toContain(`receiver otlp: ${name}: ${expected()}`);
      expect(error?.message).not.toContain('\n');
    });
  });
});
