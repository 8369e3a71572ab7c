import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthCheckExtension } from '../../../extensions/health-check/health-check';
import { isReadinessListener } from '../../../src/service/runtime-factories';
import {
  createDefaultConfig,
  healthCheckExtensionConfigSchema,
  healthCheckExtensionFactory,
  resolveHealthCheckExtensionSettings,
} from '../../../extensions/health-check/config';
import type { Component } from '../../../src/pipeline/component';
import { configErrorMap, translateZodIssues } from '../../../src/config/zod-issues';
import { testContext } from '../../receivers/otlp/helpers/harness';

async function get(url: string, method = 'GET'): Promise<{ status: number; body: string; allow: string | null }> {
  const response = await fetch(url, { method });
  return { status: response.status, body: await response.text(), allow: response.headers.get('allow') };
}

describe('health_check extension', () => {
  let extension: HealthCheckExtension | undefined;
  afterEach(async () => {
    await extension?.shutdown();
    extension = undefined;
  });

  it('is alive at once, ready only between setReady(true) and setReady(false)', async () => {
    extension = new HealthCheckExtension({ host: '127.0.0.1', port: 0 }, testContext('health_check'));
    await extension.start();
    const { url } = extension;

    expect((await get(`${url}/healthz`)).status).toBe(200);
    const starting = await get(`${url}/readyz`);
    expect(starting.status).toBe(503);
    expect(JSON.parse(starting.body)).toEqual({ status: 'not ready', reason: 'starting' });

    extension.setReady(true);
    expect(extension.ready).toBe(true);
    const ready = await get(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ status: 'ready' });

    extension.setReady(false);
    const stopping = await get(`${url}/readyz`);
    expect(stopping.status).toBe(503);
    expect(JSON.parse(stopping.body)).toEqual({ status: 'not ready', reason: 'shutting down' });
    // Liveness does not depend on readiness.
    const alive = await get(`${url}/healthz`);
    expect(alive.status).toBe(200);
    expect(JSON.parse(alive.body)).toMatchObject({ status: 'alive' });
  });

  it('answers HEAD, refuses other methods with 405 and Allow, and unknown paths with 404', async () => {
    extension = new HealthCheckExtension({ host: '127.0.0.1', port: 0 }, testContext('health_check'));
    await extension.start();
    const head = await get(`${extension.url}/healthz`, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const post = await get(`${extension.url}/readyz`, 'POST');
    expect(post.status).toBe(405);
    expect(post.allow).toBe('GET, HEAD');
    expect((await get(`${extension.url}/`)).status).toBe(404);
    expect((await get(`${extension.url}/healthz/extra`)).status).toBe(404);
    expect((await get(`${extension.url}/healthz?verbose=1`)).status).toBe(200);
  });

  it('is not ready and stops serving after shutdown', async () => {
    const ext = new HealthCheckExtension({ host: '127.0.0.1', port: 0 }, testContext('health_check'));
    await ext.start();
    ext.setReady(true);
    const { url } = ext;
    await ext.shutdown();
    expect(ext.ready).toBe(false);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await ext.shutdown(); // twice is fine
  });

  it('rejects start with one line naming the address when the port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      extension = new HealthCheckExtension({ host: '127.0.0.1', port }, testContext('health_check'));
      await expect(extension.start()).rejects.toThrow(`extension health_check: cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('is recognised as a readiness reporter', () => {
    const ext = new HealthCheckExtension({ host: '127.0.0.1', port: 0 }, testContext('health_check'));
    expect(isReadinessListener(ext)).toBe(true);
    const other: Component = { start: () => Promise.resolve(), shutdown: () => Promise.resolve() };
    expect(isReadinessListener(other)).toBe(false);
  });
});

describe('health_check config', () => {
  const issues = (value: unknown): string[] => {
    const parsed = healthCheckExtensionConfigSchema.safeParse(value, { error: configErrorMap });
    return parsed.success ? [] : translateZodIssues(parsed.error.issues).map((p) => `${p.path.join('.')}: ${p.message}`);
  };

  it('defaults to loopback 13133', () => {
    expect(createDefaultConfig()).toEqual({ endpoint: '127.0.0.1:13133' });
    expect(resolveHealthCheckExtensionSettings(createDefaultConfig())).toEqual({ host: '127.0.0.1', port: 13133 });
    expect(healthCheckExtensionFactory).toMatchObject({ kind: 'extension', type: 'health_check', signals: [] });
  });

  it('takes host:port, [v6]:port', () => {
    expect(resolveHealthCheckExtensionSettings({ endpoint: '0.0.0.0:8080' })).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(resolveHealthCheckExtensionSettings({ endpoint: '[::1]:0' })).toEqual({ host: '::1', port: 0 });
    expect(issues({ endpoint: '0.0.0.0:13133' })).toEqual([]);
  });

  it('explains bad values', () => {
    expect(issues({ endpoint: 13133 })).toEqual([
      'endpoint: must be host:port with a port from 0 to 65535, e.g. 127.0.0.1:13133, 0.0.0.0:13133 or [::1]:13133, got 13133',
    ]);
    expect(issues({ endpoint: 'localhost' })).toEqual([
      'endpoint: must be host:port with a port from 0 to 65535, e.g. 127.0.0.1:13133, 0.0.0.0:13133 or [::1]:13133, got "localhost": the ":port" is missing',
    ]);
    expect(issues({ path: '/health' })).toEqual(['path: unknown key; valid keys: endpoint']);
  });
});
