import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import type { OtlpHttpSettings } from '../../../receivers/otlp/config';
import { OtlpReceiver } from '../../../receivers/otlp/otlp-receiver';
import { RECEIVER_REFUSED_CONNECTIONS_METRIC, RECEIVER_REQUESTS_METRIC } from '../../../receivers/otlp/receiver-metrics';
import { RawOtlpGrpcClient } from './helpers/grpc-client';
import { fakeConsumers, PROTOBUF, send, testContext } from './helpers/harness';
import * as pb from './helpers/protobuf';

/*
 * The receiver's own abuse bounds, in process and with short timeouts
 * (test/abuse/ runs the same against a real gateway process): every close is
 * counted by reason, and the receiver keeps serving. Bounded by ~6 s.
 */

function httpSettings(overrides: Partial<OtlpHttpSettings> = {}): OtlpHttpSettings {
  return { host: '127.0.0.1', port: 0, maxRequestBodySize: 1024 * 1024, readHeaderTimeoutMs: 400, readTimeoutMs: 800, idleTimeoutMs: 5_000, ...overrides };
}

async function startHttp(settings: OtlpHttpSettings) {
  const consumers = fakeConsumers(['traces']);
  const context = testContext('otlp');
  const receiver = new OtlpReceiver({ http: settings }, consumers, context, { httpTimeouts: { shutdownGraceMs: 500 } });
  await receiver.start();
  return { receiver, consumers, context, port: receiver.httpAddress?.port ?? 0 };
}

/** Opens a connection, writes `data`, and resolves with what the server sent once it closed the connection. */
function exchange(port: number, data: string, limitMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${limitMs} ms`));
    }, limitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    if (data !== '') socket.write(data);
  });
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

const refused = (context: ReturnType<typeof testContext>, reason: string): Promise<number> =>
  context.counter(RECEIVER_REFUSED_CONNECTIONS_METRIC, { receiver: 'otlp', transport: 'http', reason });

describe('OTLP/HTTP connection limits', () => {
  it('closes stalled headers and stalled bodies with 408, counts each by reason, and serves others meanwhile', async () => {
    const { receiver, consumers, context, port } = await startHttp(httpSettings());
    try {
      const stalledHeaders = exchange(port, 'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-');
      const stalledBody = exchange(port, 'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100\r\n\r\n' + 'x'.repeat(10));
      expect((await send(`http://127.0.0.1:${port}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(2) })).status).toBe(200);
      expect(await stalledHeaders).toMatch(/^HTTP\/1\.1 408 /);
      expect(await stalledBody).toMatch(/^HTTP\/1\.1 408 /);
      expect(await refused(context, 'header_timeout')).toBe(1);
      expect(await refused(context, 'request_timeout')).toBe(1);
      expect(consumers.traces.items).toBe(2);
    } finally {
      await receiver.shutdown();
    }
  });

  it('closes connections past max_connections on accept, counts them, and takes new ones once others have gone', async () => {
    const { receiver, context, port } = await startHttp(httpSettings({ maxConnections: 3, readHeaderTimeoutMs: 5_000, readTimeoutMs: 5_000 }));
    const idle: Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) idle.push(await openSocket(port));
      // The fourth is accepted by the kernel, then closed by the server without an answer.
      expect(await exchange(port, '')).toBe('');
      expect(await exchange(port, '')).toBe('');
      expect(await refused(context, 'connection_limit')).toBe(2);
      for (const socket of idle.splice(0)) socket.destroy();
      const answer = await (async () => {
        // The server sees the closes asynchronously: retry briefly.
        for (let attempt = 0; attempt < 50; attempt++) {
          const result = await send(`http://127.0.0.1:${port}/v1/traces`, { headers: PROTOBUF, body: pb.spansRequest(1) }).catch(() => undefined);
          if (result !== undefined) return result.status;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return undefined;
      })();
      expect(answer).toBe(200);
    } finally {
      for (const socket of idle) socket.destroy();
      await receiver.shutdown();
    }
  });

  it('counts headers over 16 KiB (431) and bytes that are not HTTP (400); a client that leaves mid-request is not a refusal', async () => {
    const { receiver, context, port } = await startHttp(httpSettings());
    try {
      expect(await exchange(port, `POST /v1/traces HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
      expect(await exchange(port, '\x00\x01 not http\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
      for (const leave of [(socket: Socket) => socket.resetAndDestroy(), (socket: Socket) => socket.end()]) {
        const socket = await openSocket(port);
        socket.on('error', () => undefined);
        socket.write('POST /v1/traces HTTP/1.1\r\nHost: x\r\n');
        await new Promise((resolve) => setTimeout(resolve, 20));
        leave(socket);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await refused(context, 'headers_too_large')).toBe(1);
      expect(await refused(context, 'malformed')).toBe(1);
      expect(await refused(context, 'header_timeout')).toBe(0);
    } finally {
      await receiver.shutdown();
    }
  });
});

describe('OTLP/gRPC message size', () => {
  it('counts a message over max_recv_msg_size as too_large for its signal, compressed or not, and keeps serving', async () => {
    const consumers = fakeConsumers(['traces', 'logs']);
    const context = testContext('otlp');
    const receiver = new OtlpReceiver({ grpc: { host: '127.0.0.1', port: 0, maxRecvMsgSize: 64 * 1024 } }, consumers, context);
    await receiver.start();
    const address = `127.0.0.1:${receiver.grpcAddress?.port ?? 0}`;
    const client = new RawOtlpGrpcClient(address);
    const gzipClient = new RawOtlpGrpcClient(address, { gzip: true });
    try {
      const big = pb.traceRequest(Array.from({ length: 2_000 }, (_, i) => pb.span(i)));
      expect((await client.export('traces', big)).code).toBe(status.RESOURCE_EXHAUSTED);
      const bomb = Buffer.concat([pb.logsRequest(1), pb.lenField(99, Buffer.alloc(4 * 1024 * 1024))]);
      expect((await gzipClient.export('logs', bomb)).code).toBe(status.RESOURCE_EXHAUSTED);
      expect((await client.export('traces', pb.spansRequest(3))).code).toBe(status.OK);
      expect(await context.counter(RECEIVER_REQUESTS_METRIC, { transport: 'grpc', signal: 'traces', outcome: 'too_large' })).toBe(1);
      expect(await context.counter(RECEIVER_REQUESTS_METRIC, { transport: 'grpc', signal: 'logs', outcome: 'too_large' })).toBe(1);
      expect(await context.counter(RECEIVER_REQUESTS_METRIC, { transport: 'grpc', signal: 'traces', outcome: 'success' })).toBe(1);
      expect(consumers.traces.items).toBe(3);
    } finally {
      client.close();
      gzipClient.close();
      await receiver.shutdown();
    }
  });
});
