import { describe, expect, it } from 'vitest';
import { healthCheckExtensionRuntime } from '../../../extensions/health-check/runtime';
import { HealthCheckExtension } from '../../../extensions/health-check/health-check';
import { otlpReceiverRuntime } from '../../../receivers/otlp/runtime';
import { OtlpReceiver } from '../../../receivers/otlp/otlp-receiver';
import { isReadinessListener } from '../../../src/service/runtime-factories';
import { fakeConsumers, testContext } from './helpers/harness';

describe('runtimes for the service', () => {
  it('build an OtlpReceiver from resolved settings and the pipelines\' consumers', async () => {
    const context = testContext('otlp');
    const receiver = otlpReceiverRuntime.create({ http: { host: '127.0.0.1', port: 0, maxRequestBodySize: 1024 } }, fakeConsumers(['traces']), context);
    expect(receiver).toBeInstanceOf(OtlpReceiver);
    await receiver.start();
    expect(context.lines).toEqual([expect.stringMatching(/^info: receiver otlp: listening for OTLP\/HTTP on 127\.0\.0\.1:\d+$/)]);
    await receiver.shutdown();
    expect(otlpReceiverRuntime).toMatchObject({ kind: 'receiver', type: 'otlp' });
  });

  it('build a HealthCheckExtension the service can tell readiness to', () => {
    const extension = healthCheckExtensionRuntime.create({ host: '127.0.0.1', port: 0 }, testContext('health_check'));
    expect(extension).toBeInstanceOf(HealthCheckExtension);
    expect(isReadinessListener(extension)).toBe(true);
    expect(healthCheckExtensionRuntime).toMatchObject({ kind: 'extension', type: 'health_check' });
  });

  it('warns when a receiver listens beyond loopback without auth', async () => {
    const context = testContext('otlp');
    const receiver = otlpReceiverRuntime.create({ grpc: { host: '0.0.0.0', port: 0, maxRecvMsgSize: 1024 } }, fakeConsumers(), context);
    await receiver.start();
    await receiver.shutdown();
    expect(context.lines).toContain('warn: receiver otlp: OTLP/gRPC accepts data from the network on 0.0.0.0 without auth; set auth.bearer_token (and tls)');
  });
});
