/**
 * ReloadableGateway in-process (the SIGHUP path of `slowatch serve`; the
 * process-level behaviour is in test/faults/config-reload.test.ts): reloads
 * asked for before one has begun collapse into it, later ones follow it;
 * stop waits for a reload in progress; a reload after stop does nothing.
 * Bound: about 1 s; timeout 20 s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ReloadableGateway, oneLineReason } from '../../src/cli/serve-command';
import type { Logger } from '../../src/logging/logger';
import { ConfigError } from '../../src/config/config-error';
import { freePort } from '../helpers/processes';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function recordingLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return { lines, error: (m) => lines.push(`error: ${m}`), warn: (m) => lines.push(`warn: ${m}`), info: (m) => lines.push(`info: ${m}`), debug: () => undefined };
}

async function configFile(objective: number): Promise<{ path: string; rewrite(objective: number | string): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'slowatch-reload-'));
  dirs.push(dir);
  const file = path.join(dir, 'otel-config.yaml');
  const port = await freePort();
  const render = (value: number | string): string => `
processors:
  slo: { objectives: [{ name: availability, sli: { availability: {} }, objective: ${value} }] }
exporters:
  prometheus: { endpoint: 127.0.0.1:${port} }
service:
  pipelines:
    traces: { receivers: [], processors: [slo], exporters: [] }
    metrics/self: { exporters: [prometheus] }
`;
  writeFileSync(file, render(objective));
  return { path: file, rewrite: (value) => writeFileSync(file, render(value)) };
}

describe('ReloadableGateway', () => {
  it('collapses the reloads asked for before one has begun, and runs later ones after it', async () => {
    const config = await configFile(99);
    const logger = recordingLogger();
    const gateway = await ReloadableGateway.start({ configPath: config.path, env: {}, logger });
    const first = gateway.current;
    config.rewrite(98.5);
    // Asked for before the first one has read the file: the same reload serves all three.
    const a = gateway.reload();
    expect(gateway.reload()).toBe(a);
    expect(gateway.reload()).toBe(a);
    expect((await a).result).toBe('applied');
    // Asked for after: a reload of its own.
    config.rewrite(98);
    expect((await gateway.reload()).result).toBe('applied');
    expect(logger.lines.filter((l) => l.startsWith('info: reload: applied'))).toHaveLength(2);
    expect(gateway.current).not.toBe(first);
    expect(first.service.isRunning).toBe(false);
    expect(gateway.current.service.sloEngines.get('slo')?.objectiveSpecs[0]?.objective).toBeCloseTo(0.98, 10);
    await gateway.stop();
    expect(gateway.current.service.isRunning).toBe(false);
  });

  it('keeps the running Service on an invalid file, with the issues on one line', async () => {
    const config = await configFile(99);
    const logger = recordingLogger();
    const gateway = await ReloadableGateway.start({ configPath: config.path, env: {}, logger });
    const running = gateway.current;
    config.rewrite('"high"');
    const outcome = await gateway.reload();
    expect(outcome.result).toBe('rejected');
    expect(outcome.line).toMatch(/^reload: keeping the running configuration, the new one is invalid: processors\.slo\.objectives\[0\]\.objective: /);
    expect(logger.lines).toContain(`error: ${outcome.line}`);
    expect(gateway.current).toBe(running);
    expect(running.service.isRunning).toBe(true);
    const stopping = gateway.stop();
    config.rewrite(97);
    expect((await gateway.reload()).result).toBe('rejected');
    await stopping;
    expect(running.service.isRunning).toBe(false);
  });

  it('formats a ConfigError as its issue lines joined with "; "', () => {
    const error = new ConfigError([
      { path: 'a.b', message: 'must be a number', file: 'x.yaml' },
      { path: 'c', message: 'unknown key', file: 'x.yaml' },
    ]);
    expect(oneLineReason(error)).toBe(error.message.split('\n').filter((l) => l.trim() !== '').join('; '));
    expect(oneLineReason(error)).not.toContain('\n');
  });
});
