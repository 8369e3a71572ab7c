/**
 * Fault: a config reload (SIGHUP to `slowatch serve`, a real process on a
 * store). A malformed file is refused with the same issue lines as at start
 * and the running configuration carries on untouched: OTLP accepted,
 * /metrics up, the same SLO counts and objective. A valid file replaces the
 * Service: shut down gracefully (final snapshot), started again from the
 * file, state restored from the store. A change the saved state stays
 * valid for (min_events) keeps the counts; a changed objective applies and
 * starts that objective cold, as the storage extension's fingerprint rule
 * says (docs/storage.md).
 *
 * A valid file that cannot start (its metrics port is taken) brings the
 * previous configuration back up, state restored.
 *
 * Bound: about 8 s for both tests (four reloads); timeout 40 s each.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayPorts } from '../helpers/gateway-process';
import { freePort } from '../helpers/processes';
import { availabilityBatch } from '../helpers/otlp-spans';
import type { RunningProcess } from '../helpers/processes';
import { faultGatewayConfig, postStatus, scratchDirectory, scrape, sloCounts, startServe, total } from './fault-harness';

const cleanup: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c.close();
});

const countOf = (text: string, pattern: RegExp): number => text.split('\n').filter((line) => pattern.test(line)).length;

/** Sends SIGHUP and waits for the n-th line matching `outcome`. */
async function reload(proc: RunningProcess, outcome: RegExp): Promise<void> {
  const before = countOf(proc.stderr(), outcome);
  proc.child.kill('SIGHUP');
  const deadline = Date.now() + 15_000;
  while (countOf(proc.stderr(), outcome) === before) {
    if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${String(outcome)} after SIGHUP:\n${proc.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const objectiveRatio = async (metricsPort: number): Promise<number> => total(await scrape(metricsPort), 'slowatch_slo_objective_ratio', { slo: 'availability' });

describe('fault: config reload on SIGHUP (bound ~8 s)', () => {
  it('refuses a malformed config and keeps serving unchanged; applies a valid one, restoring state from the store', async () => {
    const scratch = scratchDirectory('reload');
    cleanup.push(scratch);
    const ports = await gatewayPorts();
    const configPath = path.join(scratch.dir, 'otel-config.yaml');
    const good = faultGatewayConfig(ports, undefined, { storePath: path.join(scratch.dir, 'slowatch.db') });
    writeFileSync(configPath, good);
    const gateway = await startServe(configPath, ports.health);
    cleanup.unshift({ close: () => gateway.stop() });
    const pid = gateway.child.pid;

    expect(await postStatus(ports.http, availabilityBatch({ good: 18, bad: 2 }))).toBe(200);
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 18, bad: 2 });
    expect(await objectiveRatio(ports.metrics)).toBeCloseTo(0.99, 10);

    // Malformed: an objective out of range and an unknown key. Refused, every issue on the line, nothing stops.
    writeFileSync(configPath, good.replace('objective: 99', 'objective: 999\n        objetive: 98'));
    await reload(gateway, /reload: keeping the running configuration/);
    const [refusal] = gateway.stderr().split('\n').filter((line) => line.includes('reload: keeping the running configuration'));
    expect(refusal).toMatch(/^slowatch error: reload: keeping the running configuration, the new one is invalid: /);
    expect(refusal).toContain('processors.slo.objectives[0].objective: must be > 0 and < 100, got 999');
    expect(refusal).toContain('processors.slo.objectives[0].objetive: unknown key');
    expect(gateway.stderr()).not.toMatch(/shutting down|reload: applied/);
    expect(await postStatus(ports.http, availabilityBatch({ good: 9, bad: 1 }))).toBe(200);
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 27, bad: 3 });
    expect(await objectiveRatio(ports.metrics)).toBeCloseTo(0.99, 10);
    expect((await fetch(`http://127.0.0.1:${ports.health}/readyz`)).status).toBe(200);

    // Valid, and the saved state stays valid for it (min_events is not part of an objective's fingerprint):
    // a new Service, the same counts restored from the final snapshot of the old one.
    writeFileSync(configPath, good.replace('objective: 99', 'objective: 99\n        min_events: 5'));
    await reload(gateway, /reload: applied /);
    expect(countOf(gateway.stderr(), /reload: applied .*serving SLO metrics at .*objectives: availability/)).toBe(1);
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 27, bad: 3 });
    expect(await postStatus(ports.http, availabilityBatch({ good: 10, bad: 0 }))).toBe(200);
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 37, bad: 3 });

    // Valid, with a changed objective: applied; that objective's saved counts are for 99 % and it starts cold.
    writeFileSync(configPath, good.replace('objective: 99', 'objective: 95'));
    await reload(gateway, /reload: applied /);
    // No series until the first span (a cold objective has none), then the new objective's.
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 0, bad: 0 });
    expect(await postStatus(ports.http, availabilityBatch({ good: 4, bad: 1 }))).toBe(200);
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 4, bad: 1 });
    expect(await objectiveRatio(ports.metrics)).toBeCloseTo(0.95, 10);

    // One process throughout, and it still stops cleanly.
    expect(gateway.child.pid).toBe(pid);
    expect(await gateway.stop()).toBe(0);
  }, 40_000);

  it('starts the previous configuration again when a valid new one cannot start', async () => {
    const scratch = scratchDirectory('reload-port');
    cleanup.push(scratch);
    const ports = await gatewayPorts();
    const configPath = path.join(scratch.dir, 'otel-config.yaml');
    const good = faultGatewayConfig(ports, undefined, { storePath: path.join(scratch.dir, 'slowatch.db') });
    writeFileSync(configPath, good);
    const gateway = await startServe(configPath, ports.health);
    cleanup.unshift({ close: () => gateway.stop() });
    expect(await postStatus(ports.http, availabilityBatch({ good: 5, bad: 1 }))).toBe(200);

    const blocker = createServer();
    const taken = await freePort();
    await new Promise<void>((resolve) => blocker.listen(taken, '127.0.0.1', resolve));
    cleanup.push({ close: () => new Promise((resolve) => blocker.close(resolve)) });
    writeFileSync(configPath, good.replace(`endpoint: 127.0.0.1:${ports.metrics}`, `endpoint: 127.0.0.1:${taken}`));
    await reload(gateway, /reload: running the previous configuration again/);
    expect(gateway.stderr()).toMatch(new RegExp(`reload: the new configuration cannot start \\(prometheus: cannot serve metrics on 127\\.0\\.0\\.1:${taken}: EADDRINUSE\\)`));
    expect(gateway.child.exitCode).toBeNull();
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 5, bad: 1 });
    expect(await postStatus(ports.http, availabilityBatch({ good: 1, bad: 0 }))).toBe(200);
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 6, bad: 1 });
    expect(await gateway.stop()).toBe(0);
  }, 40_000);
});
