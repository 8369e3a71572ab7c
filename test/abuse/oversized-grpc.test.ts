import { gzipSync } from 'node:zlib';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { availabilityBatch } from '../helpers/otlp-spans';
import { waitUntil } from '../helpers/processes';
import { RawOtlpGrpcClient } from '../receivers/otlp/helpers/grpc-client';
import * as pb from '../receivers/otlp/helpers/protobuf';
import { decodeJsonRequest, encodeProtobufRequest } from '../../src/otlp/codec';
import { MIB, RssSampler, mib, startAbuseGateway, total } from './abuse-harness';
import type { AbuseGateway } from './abuse-harness';

/*
 * Abuse: OTLP/gRPC messages over max_recv_msg_size, plain (refused by their
 * length prefix, before they are buffered) and gzip bombs (refused while
 * inflating, at the limit). Each gets RESOURCE_EXHAUSTED and is counted as
 * outcome="too_large"; a well-behaved gRPC client is served at the same time
 * with exact counts, and the gateway's memory stays bounded.
 *
 * Bound: 20 s on 2 cores (vitest timeout 60 s).
 */

const MAX_RECV_MSG_SIZE = 1 * MIB;
const PLAIN_OVERSIZED = 30;
const GZIP_BOMBS = 10;
const NORMAL_REQUESTS = 30;
const SPANS_PER_NORMAL_REQUEST = 10;
/** Thirty 2 MiB messages and ten 64 MiB bombs arrive; the gateway must never hold more than a few of the limit at once. */
const RSS_BOUND_BYTES = 200 * MIB;

function config(ports: { grpc: number; metrics: number; health: number }): string {
  return `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${ports.grpc}, max_recv_msg_size: ${MAX_RECV_MSG_SIZE} }
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

let gateway: AbuseGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

describe('oversized gRPC messages', () => {
  it('refuses each with RESOURCE_EXHAUSTED, counts it, and keeps serving a normal client', async () => {
    const started = Date.now();
    gateway = await startAbuseGateway(config);
    const address = `127.0.0.1:${gateway.ports.grpc}`;
    const attacker = new RawOtlpGrpcClient(address);
    const bomber = new RawOtlpGrpcClient(address, { gzip: true });
    const normal = new RawOtlpGrpcClient(address);
    const rss = new RssSampler(gateway.pid);
    try {
      // 2 MiB of attribute value in one span: twice the limit.
      const plain = pb.traceRequest([pb.span(1, { attributes: [pb.keyValue('payload', pb.anyString('x'.repeat(2 * MIB)))] })], 'attacker');
      // An unknown field of 64 MiB of zeros: about 64 KiB on the wire, 64 times the limit once inflated.
      const bomb = Buffer.concat([pb.spansRequest(1), pb.lenField(99, Buffer.alloc(64 * MIB))]);
      expect(gzipSync(bomb).length).toBeLessThan(MAX_RECV_MSG_SIZE);

      const attacks = (async () => {
        const codes: number[] = [];
        for (let i = 0; i < PLAIN_OVERSIZED; i++) codes.push((await attacker.export('traces', plain)).code);
        for (let i = 0; i < GZIP_BOMBS; i++) codes.push((await bomber.export('traces', bomb)).code);
        return codes;
      })();
      const served = (async () => {
        const codes: number[] = [];
        for (let i = 0; i < NORMAL_REQUESTS; i++) {
          const request = decodeJsonRequest('traces', JSON.stringify(availabilityBatch({ service: 'patient', good: SPANS_PER_NORMAL_REQUEST, bad: 0 })));
          codes.push((await normal.export('traces', Buffer.from(encodeProtobufRequest('traces', request)))).code);
        }
        return codes;
      })();
      const [attackCodes, servedCodes] = await Promise.all([attacks, served]);
      expect(attackCodes).toEqual(Array.from({ length: PLAIN_OVERSIZED + GZIP_BOMBS }, () => status.RESOURCE_EXHAUSTED));
      expect(servedCodes).toEqual(Array.from({ length: NORMAL_REQUESTS }, () => status.OK));

      const samples = await waitUntil(async () => {
        const got = await gateway!.metrics();
        return total(got, 'slowatch_slo_events_total', { service: 'patient' }) === NORMAL_REQUESTS * SPANS_PER_NORMAL_REQUEST ? got : undefined;
      }, 10_000);
      rss.stop();
      expect(total(samples, 'slowatch_receiver_requests_total', { transport: 'grpc', signal: 'traces', outcome: 'too_large' })).toBe(PLAIN_OVERSIZED + GZIP_BOMBS);
      expect(total(samples, 'slowatch_receiver_requests_total', { transport: 'grpc', signal: 'traces', outcome: 'success' })).toBe(NORMAL_REQUESTS);
      expect(total(samples, 'slowatch_receiver_accepted_spans_total')).toBe(NORMAL_REQUESTS * SPANS_PER_NORMAL_REQUEST);
      expect(total(samples, 'slowatch_slo_events_total', { service: 'attacker' })).toBe(0);
      console.info(`oversized gRPC: ${PLAIN_OVERSIZED} × 2 MiB and ${GZIP_BOMBS} × 64 MiB bombs refused; gateway RSS first ${mib(rss.first)}, peak ${mib(rss.peak)}; test ${Date.now() - started} ms`);
      expect(rss.peak).toBeLessThan(RSS_BOUND_BYTES);
    } finally {
      rss.stop();
      attacker.close();
      bomber.close();
      normal.close();
    }
  });
});
