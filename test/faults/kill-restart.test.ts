/**
 * Fault: `kill -9` of the gateway mid-stream, without a persistent queue
 * (zero-loss.test.ts covers that one). A client is posting when the process
 * dies; the gateway restarts cleanly on the same store (no stale lock, no
 * recovery error), and the SLO state resumes from the last snapshot: at
 * most about one snapshot_interval (1 s) of accepted spans is missing,
 * never a part of a request, and new spans add to what was restored.
 *
 * Bound: about 8 s (2.5 s of traffic, two starts); timeout 40 s.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayPorts } from '../helpers/gateway-process';
import { availabilityBatch } from '../helpers/otlp-spans';
import type { RunningProcess } from '../helpers/processes';
import { faultGatewayConfig, postStatus, scratchDirectory, scrape, sleep, sloCounts, startServe } from './fault-harness';

const SNAPSHOT_INTERVAL_MS = 1_000;
const GOOD = 9;
const BAD = 1;

const cleanup: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c.close();
});

const closing = (proc: RunningProcess): { close(): Promise<unknown> } => ({ close: () => proc.stop() });

describe('fault: kill -9 mid-stream without persistence (bound ~8 s)', () => {
  it('restarts cleanly on the same store with the SLO counts of the last snapshot', async () => {
    const scratch = scratchDirectory('kill');
    cleanup.push(scratch);
    const ports = await gatewayPorts();
    const configPath = path.join(scratch.dir, 'otel-config.yaml');
    writeFileSync(configPath, faultGatewayConfig(ports, undefined, { storePath: path.join(scratch.dir, 'slowatch.db') }));

    const first = await startServe(configPath, ports.health);
    cleanup.unshift(closing(first));
    const acceptedAt: number[] = [];
    let killed = false;
    const client = (async () => {
      while (!killed) {
        try {
          if ((await postStatus(ports.http, availabilityBatch({ good: GOOD, bad: BAD }))) === 200) acceptedAt.push(Date.now());
        } catch {
          // Connection refused or reset: the gateway is gone.
        }
        await sleep(20);
      }
    })();
    await sleep(2_500);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await exited;
    killed = true;
    await client;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(acceptedAt.length).toBeGreaterThan(20);

    const second = await startServe(configPath, ports.health);
    cleanup.unshift(closing(second));
    expect(second.stderr()).not.toMatch(/slowatch (error|warn):/);
    expect(second.stderr()).toMatch(/extension storage: slo\/?\S*: restored /);

    const restored = sloCounts(await scrape(ports.metrics));
    const restoredBatches = restored.bad / BAD;
    // Whole requests only: a snapshot is taken between requests, never inside one.
    expect(restored.good).toBe(restoredBatches * GOOD);
    expect(restoredBatches).toBeLessThanOrEqual(acceptedAt.length);
    // At most the last snapshot interval is lost (twice it, for a timer that fired late on a busy machine).
    const surelySnapshotted = acceptedAt.filter((t) => t < killedAt - 2 * SNAPSHOT_INTERVAL_MS).length;
    expect(restoredBatches).toBeGreaterThanOrEqual(surelySnapshotted);
    expect(surelySnapshotted).toBeGreaterThan(0);

    // New spans add to the restored counts.
    expect(await postStatus(ports.http, availabilityBatch({ good: GOOD, bad: BAD }))).toBe(200);
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: restored.good + GOOD, bad: restored.bad + BAD });
    expect(await second.stop()).toBe(0);
  }, 40_000);
});
