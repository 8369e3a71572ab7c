/**
 * Fault: the disk under the store fills up. Simulated without root mounts:
 * the test lowers the running gateway's RLIMIT_FSIZE (`prlimit --pid`, same
 * user, soft limit only) to 1 KiB, so every SQLite write past that offset
 * fails with EFBIG as a full disk's writes fail with ENOSPC (Node ignores
 * SIGXFSZ); raising it back is "space returns". SQLite's max_page_count
 * could not be used: it is a per-connection setting the gateway's own
 * connection would not have. A read-only directory does not stop writes to
 * files already open (and root ignores modes).
 *
 * While full, the gateway keeps serving OTLP (200, forwarded downstream)
 * and /metrics with live SLO counts, logs the write failure once; when
 * space returns it says so with the number of failed writes and writes
 * again: a graceful restart then restores the spans posted while full.
 *
 * Bound: about 10 s; timeout 40 s. Needs util-linux's prlimit (Debian: always there).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayPorts } from '../helpers/gateway-process';
import { availabilityBatch } from '../helpers/otlp-spans';
import type { RunningProcess } from '../helpers/processes';
import { waitUntil } from '../helpers/processes';
import { FaultDownstream, faultGatewayConfig, postStatus, scratchDirectory, scrape, sleep, sloCounts, spanIdsOf, startServe, total } from './fault-harness';

const cleanup: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c.close();
});

/** Sets the soft RLIMIT_FSIZE of a running process (bytes, or 'unlimited'); the hard limit is left alone. */
function setFileSizeLimit(pid: number, soft: string): void {
  const result = spawnSync('prlimit', ['--pid', String(pid), `--fsize=${soft}:`], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`prlimit failed (${String(result.status)}): ${result.stderr}${result.error?.message ?? ''}`);
}

/** The hard RLIMIT_FSIZE of a process, as prlimit prints it ('unlimited' or bytes). */
function hardFileSizeLimit(pid: number): string {
  const result = spawnSync('prlimit', ['--pid', String(pid), '--fsize', '--output=HARD', '--noheadings'], { encoding: 'utf8' });
  return result.stdout.trim();
}

const storeLines = (proc: RunningProcess, pattern: RegExp): string[] =>
  proc
    .stderr()
    .split('\n')
    .filter((line) => line.includes('extension storage') && pattern.test(line));

describe('fault: disk full for the store (bound ~10 s)', () => {
  it('keeps serving OTLP and /metrics, logs the failure once, and writes again when space returns', async () => {
    const scratch = scratchDirectory('disk');
    cleanup.push(scratch);
    const downstream = new FaultDownstream();
    await downstream.start();
    cleanup.push(downstream);
    const ports = await gatewayPorts();
    const configPath = path.join(scratch.dir, 'otel-config.yaml');
    writeFileSync(configPath, faultGatewayConfig(ports, downstream.port, { storePath: path.join(scratch.dir, 'slowatch.db') }));
    const gateway = await startServe(configPath, ports.health);
    cleanup.unshift({ close: () => gateway.stop() });
    const pid = gateway.child.pid!;

    expect(await postStatus(ports.http, availabilityBatch({ good: 10, bad: 0 }))).toBe(200);
    await sleep(1_500); // a snapshot with those 10 is on disk

    setFileSizeLimit(pid, '1024');
    const sent: string[] = [];
    for (let n = 0; n < 6; n++) {
      const batch = availabilityBatch({ good: 4, bad: 1 });
      expect(await postStatus(ports.http, batch)).toBe(200);
      sent.push(...spanIdsOf(batch));
      await sleep(500);
    }
    // Three snapshot intervals failed by now: one error line, the gateway still serving everything.
    expect(storeLines(gateway, /store write failed/)).toHaveLength(1);
    const duringOutage = await scrape(ports.metrics);
    expect(sloCounts(duringOutage)).toEqual({ good: 10 + 24, bad: 6 });
    // Logged once, counted every time.
    expect(total(duringOutage, 'slowatch_storage_write_failures_total', { extension: 'storage' })).toBeGreaterThanOrEqual(2);
    await waitUntil(() => Promise.resolve(downstream.acceptedSpanIds.length >= 10 + sent.length ? true : undefined), 10_000);
    expect(downstream.acceptedSpanIds.slice(10).sort()).toEqual([...sent].sort());
    expect(gateway.child.exitCode).toBeNull();

    // Space returns: the next snapshot succeeds and says how many failed before it.
    setFileSizeLimit(pid, hardFileSizeLimit(pid) || 'unlimited');
    await gateway.waitFor(/extension storage: store writes succeed again after \d+ failures/, 10_000);
    const [recovered] = storeLines(gateway, /succeed again/);
    expect(Number(/after (\d+) failures/.exec(recovered ?? '')?.[1])).toBeGreaterThanOrEqual(2);
    expect(storeLines(gateway, /store write failed/)).toHaveLength(1);

    // What was counted while the disk was full reached the store: a restart restores it.
    expect(await gateway.stop()).toBe(0);
    const again = await startServe(configPath, ports.health);
    cleanup.unshift({ close: () => again.stop() });
    expect(sloCounts(await scrape(ports.metrics))).toEqual({ good: 34, bad: 6 });
  }, 40_000);
});
