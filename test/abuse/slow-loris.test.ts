import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { availabilityBatch } from '../helpers/otlp-spans';
import { startAbuseGateway, total } from './abuse-harness';
import type { AbuseGateway } from './abuse-harness';

/*
 * Abuse: slow-loris clients. Connections that send their headers a byte at
 * a time, and bodies that stall, are answered 408 and closed once
 * read_header_timeout / read_timeout have passed, each close counted by
 * reason, while a normal client keeps being served. A crowd of idle sockets
 * beyond max_connections is closed on accept (counted) and the rest by the
 * header timeout, so the gateway's open descriptors stay bounded; a client
 * with an established keep-alive connection is served all along.
 *
 * Bound: 20 s on 2 cores for the file (vitest timeout 60 s per test).
 */

const HEADER_TIMEOUT_MS = 1_000;
const READ_TIMEOUT_MS = 2_000;
const MAX_CONNECTIONS = 200;
const SLOW_HEADERS = 60;
const SLOW_BODIES = 20;
const IDLE_SOCKETS = 300;
/** A timeout fires within its value plus Node's check interval (half the timeout here); this leaves room on a loaded machine. */
const CLOSE_SLACK_MS = 3_000;

/** The idle crowd's header timeout: long enough that every idle socket is open before the first is timed out. */
const CROWD_HEADER_TIMEOUT_MS = 4_000;

function config(ports: { http: number; metrics: number; health: number }, headerTimeoutMs = HEADER_TIMEOUT_MS, readTimeoutMs = READ_TIMEOUT_MS): string {
  return `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${ports.http}
        read_header_timeout: ${headerTimeoutMs}ms
        read_timeout: ${readTimeoutMs}ms
        idle_timeout: 5s
        max_connections: ${MAX_CONNECTIONS}
processors:
  slo:
    objectives:
      - { name: availability, sli: { availability: {} }, objective: 99 }
exporters:
  prometheus: { endpoint: 127.0.0.1:${ports.metrics} }
extensions:
  health_check: { endpoint: 127.0.0.1:${ports.health} }
service:
  extensions: [health_check]
  pipelines:
    traces: { receivers: [otlp], processors: [slo], exporters: [] }
    metrics: { receivers: [], processors: [], exporters: [prometheus] }
`;
}

interface Dribble {
  /** Resolves when the server closes the connection: what it answered, and after how long. */
  readonly closed: Promise<{ readonly answer: string; readonly afterMs: number }>;
}

/** Connects, writes `head` at once, then `trickle` one byte every `everyMs` until the server closes the connection. */
function dribble(port: number, head: string, trickle: string, everyMs: number, giveUpMs: number): Dribble {
  const socket: Socket = connect(port, '127.0.0.1');
  const started = Date.now();
  const chunks: Buffer[] = [];
  let at = 0;
  const timer = setInterval(() => {
    if (socket.writable) socket.write(trickle[at++ % trickle.length] ?? 'a');
  }, everyMs);
  const closed = new Promise<{ answer: string; afterMs: number }>((resolve, reject) => {
    const limit = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the gateway kept a slow connection open for ${giveUpMs} ms`));
    }, giveUpMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(limit);
      resolve({ answer: Buffer.concat(chunks).toString('latin1'), afterMs: Date.now() - started });
    });
  });
  if (head !== '') socket.write(head);
  return { closed };
}

/** One OTLP/JSON request on `agent`; resolves with the status. */
function post(port: number, agent: Agent): Promise<number> {
  const body = JSON.stringify(availabilityBatch({ service: 'patient', good: 1, bad: 0 }));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A connection that sends nothing; it reads (and discards) what the server sends, so it sees the server's close. */
function openIdle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
    socket.resume();
  });
}

const openDescriptors = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

let gateway: AbuseGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe('slow-loris clients', () => {
  it('closes dribbled headers and stalled bodies after their timeouts, counts each, and serves a normal client meanwhile', async () => {
    const started = Date.now();
    gateway = await startAbuseGateway((ports) => config(ports));
    const port = gateway.ports.http;
    const giveUp = READ_TIMEOUT_MS + CLOSE_SLACK_MS + 2_000;

    const slowHeaders = Array.from({ length: SLOW_HEADERS }, () => dribble(port, 'POST /v1/traces HTTP/1.1\r\n', 'X-Slow: abcdefghijklmnopqrstuvwxyz\r\n', 100, giveUp));
    const body = JSON.stringify(availabilityBatch({ service: 'loris', good: 1, bad: 0 }));
    const slowBodies = Array.from({ length: SLOW_BODIES }, () =>
      dribble(port, `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body, 100, giveUp),
    );

    // A normal client, on its own keep-alive connection, while the slow ones hang on.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      statuses.push(await post(port, agent));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    agent.destroy();
    expect(statuses.every((status) => status === 200)).toBe(true);

    const headerCloses = await Promise.all(slowHeaders.map((d) => d.closed));
    const bodyCloses = await Promise.all(slowBodies.map((d) => d.closed));
    for (const close of [...headerCloses, ...bodyCloses]) expect(close.answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(Math.max(...headerCloses.map((c) => c.afterMs))).toBeLessThan(HEADER_TIMEOUT_MS + CLOSE_SLACK_MS);
    // A body that dribbles in is still bound by read_timeout, counted from the first byte.
    expect(Math.min(...bodyCloses.map((c) => c.afterMs))).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 100);
    expect(Math.max(...bodyCloses.map((c) => c.afterMs))).toBeLessThan(READ_TIMEOUT_MS + CLOSE_SLACK_MS);

    const samples = await gateway.metrics();
    const refused = (reason: string): number => total(samples, 'slowatch_receiver_refused_connections_total', { transport: 'http', reason });
    expect(refused('header_timeout')).toBe(SLOW_HEADERS);
    expect(refused('request_timeout')).toBe(SLOW_BODIES);
    expect(total(samples, 'slowatch_slo_events_total', { service: 'patient' })).toBe(20);
    // Nothing of the stalled bodies reached the pipeline.
    expect(total(samples, 'slowatch_slo_events_total', { service: 'loris' })).toBe(0);
    console.info(`slow-loris: ${SLOW_HEADERS} dribbled headers closed within ${Math.max(...headerCloses.map((c) => c.afterMs))} ms, ${SLOW_BODIES} stalled bodies within ${Math.max(...bodyCloses.map((c) => c.afterMs))} ms; test ${Date.now() - started} ms`);
  });

  it('keeps its descriptors bounded under a crowd of idle sockets: past max_connections closed on accept, the rest by the header timeout', async () => {
    const started = Date.now();
    gateway = await startAbuseGateway((ports) => config(ports, CROWD_HEADER_TIMEOUT_MS, CROWD_HEADER_TIMEOUT_MS));
    const port = gateway.ports.http;
    const descriptorsBefore = openDescriptors(gateway.pid);

    // A client whose keep-alive connection exists before the crowd arrives.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect(await post(port, agent)).toBe(200);

    const idle: Socket[] = [];
    const closedByServer: Promise<void>[] = [];
    for (let i = 0; i < IDLE_SOCKETS; i++) {
      const socket = await openIdle(port);
      socket.on('error', () => undefined);
      closedByServer.push(new Promise((resolve) => socket.once('close', () => resolve())));
      idle.push(socket);
    }
    const descriptorsDuring = openDescriptors(gateway.pid);
    // The established client is served while the crowd holds every other slot.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await post(port, agent));
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    await Promise.all(closedByServer);
    const samples = await gateway.metrics();
    const refused = (reason: string): number => total(samples, 'slowatch_receiver_refused_connections_total', { transport: 'http', reason });
    // The established connection holds one slot: MAX_CONNECTIONS - 1 idle sockets fit, the others were closed on accept.
    expect(refused('connection_limit')).toBe(IDLE_SOCKETS - (MAX_CONNECTIONS - 1));
    expect(refused('header_timeout')).toBe(MAX_CONNECTIONS - 1);
    expect(descriptorsDuring - descriptorsBefore).toBeLessThanOrEqual(MAX_CONNECTIONS + 5);

    // Once the crowd is gone, new clients are served again.
    const fresh = new Agent({ keepAlive: false });
    expect(await post(port, fresh)).toBe(200);
    agent.destroy();
    fresh.destroy();
    for (const socket of idle) socket.destroy();
    console.info(
      `idle crowd: ${IDLE_SOCKETS} sockets, ${refused('connection_limit')} closed on accept, ${refused('header_timeout')} by the header timeout; ` +
        `gateway descriptors ${descriptorsBefore} → ${descriptorsDuring}; test ${Date.now() - started} ms`,
    );
  });
});
