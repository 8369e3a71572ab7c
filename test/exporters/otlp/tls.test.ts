import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BackpressureError } from '../../../src/pipeline/pipeline-errors';
import { createDefaultConfig, resolveOtlpExporterSettings } from '../../../exporters/otlp/config';
import type { OtlpExporterConfig } from '../../../exporters/otlp/config';
import { OtlpExporter } from '../../../exporters/otlp/otlp-exporter';
import { batchOf, FakeGrpcServer, FakeHttpServer, testContext, traceRequest, waitUntil } from './helpers';

/** A self-signed certificate for 127.0.0.1, made with the openssl CLI for this run. */
let dir: string;
let tls: { key: Buffer; cert: Buffer; certFile: string };

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-otlp-tls-'));
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  tls = { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function exporterFor(config: OtlpExporterConfig) {
  const exporter = new OtlpExporter(resolveOtlpExporterSettings({ ...createDefaultConfig(), sending_queue: { enabled: false }, ...config }), testContext().ctx);
  await exporter.start();
  cleanup.push(() => exporter.shutdown());
  return exporter;
}

describe('otlp exporter over TLS', () => {
  it('https: verifies the server with ca_file', async () => {
    const server = new FakeHttpServer(tls);
    const endpoint = await server.listen();
    cleanup.push(() => server.close());
    const exporter = await exporterFor({ endpoint, tls: { ca_file: tls.certFile } });
    await exporter.consume(batchOf('traces', traceRequest(1)));
    expect(server.accepted()).toHaveLength(1);
  });

  it('https: refuses an unknown certificate unless insecure_skip_verify', async () => {
    const server = new FakeHttpServer(tls);
    const endpoint = await server.listen();
    cleanup.push(() => server.close());
    const strict = await exporterFor({ endpoint });
    const error = await strict.consume(batchOf('traces', traceRequest(1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackpressureError);
    expect((error as Error).message).toMatch(/certificate/i);
    expect(server.received).toHaveLength(0);
    const lax = await exporterFor({ endpoint, tls: { insecure_skip_verify: true } });
    await lax.consume(batchOf('traces', traceRequest(2)));
    expect(server.accepted()).toHaveLength(1);
  });

  it('grpc: TLS by default, verified with ca_file', async () => {
    const server = new FakeGrpcServer(tls);
    const endpoint = await server.listen();
    cleanup.push(() => server.close());
    const exporter = await exporterFor({ protocol: 'grpc', endpoint, tls: { ca_file: tls.certFile }, sending_queue: { enabled: true } });
    await exporter.consume(batchOf('traces', traceRequest(1)));
    await waitUntil(() => exporter.metrics.totals.sent.traces === 3);
    expect(server.received).toHaveLength(1);
  });

  it('grpc: plaintext to a TLS server fails as UNAVAILABLE', async () => {
    const server = new FakeGrpcServer(tls);
    const endpoint = await server.listen();
    cleanup.push(() => server.close());
    const exporter = await exporterFor({ protocol: 'grpc', endpoint, tls: { insecure: true }, timeout: '2s' });
    const error = await exporter.consume(batchOf('traces', traceRequest(1))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackpressureError);
    expect(server.received).toHaveLength(0);
  });
});
