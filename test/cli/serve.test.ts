import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { freePort, startNode, waitUntil } from '../helpers/processes';
import { parsePrometheusText } from '../helpers/prometheus-text';

const CLI = path.resolve('dist/src/cli/main.js');

// The built-in defaults keep their store at ./data/slowatch.db: run in a scratch directory, not the checkout.
let cwd = '';
beforeAll(() => {
  cwd = mkdtempSync(path.join(tmpdir(), 'slowatch-serve-'));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('slowatch serve', () => {
  it('serves /metrics on the configured port and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const proc = startNode([CLI, 'serve'], { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) }, cwd);
    try {
      await proc.waitFor(/serving SLO metrics at http:\/\/127\.0\.0\.1:\d+\/metrics/);
      const text = await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      expect(() => parsePrometheusText(text)).not.toThrow();
      expect(proc.stderr()).toContain('objectives: availability, latency');
    } finally {
      expect(await proc.stop()).toBe(0);
    }
  });

  it('exits 1 with one line when the metrics port is taken', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const proc = startNode([CLI, 'serve'], { OTEL_EXPORTER_PROMETHEUS_PORT: String(port) }, cwd);
      const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
      expect(code).toBe(1);
      // Extensions started before the metrics endpoint may log info lines (the store it opened); the error is one line.
      const lines = proc.stderr().trim().split('\n').filter((line) => !line.startsWith('slowatch info:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^slowatch error: cannot start: prometheus: cannot serve metrics on 127\\.0\\.0\\.1:${port}: EADDRINUSE$`));
    } finally {
      blocker.close();
    }
  });

  it('exits 1 with the config issues on one line when the config is invalid', async () => {
    const proc = startNode([CLI, 'serve', '--config', path.resolve('test/fixtures/config/invalid_objective_range.yaml')], {}, cwd);
    const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
    expect(code).toBe(1);
    const lines = proc.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('processors.slo.objectives[0].objective: must be > 0 and < 100, got 999');
  });
});
