import { afterEach, describe, expect, it, vi } from 'vitest';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setTimeout as sleep } from 'node:timers/promises';
import { RuntimeSampler } from '../../instrumentation/runtime-sampler';
import type { RuntimeSampleRecorder } from '../../instrumentation/runtime-sampler';
import { ManualClock } from '../../src/clock';
import type { Logger } from '../../src/logging/logger';

/*
 * The agent's own runtime signals, read from the real process: the event
 * loop is blocked on purpose, garbage made, and (where a test needs one for
 * sure) a major GC forced through V8's gc function, which Node does not
 * expose by default (`--expose-gc` set at run time, the function taken from
 * a fresh context). The sampler's timer interval is an hour: `sample()` is called
 * by the test.
 */

const T0 = Date.UTC(2026, 10, 2, 9);
const HOUR = 3_600_000;

interface Recorded {
  readonly p99: { service: string; timeMs: number; p99Ms: number }[];
  readonly gc: { service: string; timeMs: number; sumSeconds: number; seriesStartMs: number | undefined }[];
  readonly heap: { service: string; timeMs: number; bytes: number }[];
}

function recorder(): RuntimeSampleRecorder & Recorded {
  const p99: Recorded['p99'] = [];
  const gc: Recorded['gc'] = [];
  const heap: Recorded['heap'] = [];
  return {
    p99,
    gc,
    heap,
    recordEventLoopDelayP99: (service, timeMs, p99Ms) => p99.push({ service, timeMs, p99Ms }),
    recordGcDurationSum: (service, timeMs, sumSeconds, seriesStartMs) => gc.push({ service, timeMs, sumSeconds, seriesStartMs }),
    recordHeapUsed: (service, timeMs, bytes) => heap.push({ service, timeMs, bytes }),
  };
}

function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (message: string, error?: unknown) => lines.push(`${level}: ${message}${error instanceof Error ? `: ${error.message}` : ''}`);
  return { lines, error: push('error'), warn: push('warn'), info: push('info'), debug: push('debug') };
}

/** Keeps the thread busy for `ms`: the event loop gets no turn meanwhile. */
function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}

/** V8's full (major) GC, without --expose-gc on the command line. */
function forceMajorGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Lets the gc PerformanceObserver deliver its entries (they arrive on a later turn). */
const settle = (): Promise<void> => sleep(20);

const samplers: RuntimeSampler[] = [];
function start(options: { service?: () => string; clock?: ManualClock } = {}) {
  const rec = recorder();
  const clock = options.clock ?? new ManualClock(T0);
  const logger = memoryLogger();
  const sampler = new RuntimeSampler({ recorder: rec, service: options.service ?? (() => 'shop'), intervalMs: HOUR, clock, logger });
  samplers.push(sampler);
  return { rec, clock, logger, sampler };
}

afterEach(() => {
  for (const sampler of samplers.splice(0)) sampler.stop();
  vi.restoreAllMocks();
});

describe('RuntimeSampler', () => {
  it('records the p99 event-loop delay of the interval, in milliseconds: a 150 ms block shows as at least 100 ms', async () => {
    const { rec, clock, sampler } = start();
    await sleep(60); // some 10 ms measurements before the block
    blockFor(150);
    await sleep(40); // the delayed measurement is taken on the loop's next turns
    // On a loaded machine the 10 ms timer behind the histogram fires less often: wait for the sampler's
    // minimum of measurements rather than assume the sleeps gave them (bounded: 2 s).
    const histogram = (sampler as unknown as { histogram: { count: number } }).histogram;
    for (let waited = 0; histogram.count < 5 && waited < 2_000; waited += 20) await sleep(20);
    clock.advance(10_000);
    sampler.sample();
    expect(rec.p99).toHaveLength(1);
    expect(rec.p99[0]!.service).toBe('shop');
    expect(rec.p99[0]!.timeMs).toBe(T0 + 10_000);
    expect(rec.p99[0]!.p99Ms).toBeGreaterThanOrEqual(100);
    // The histogram starts over at each sample: right after one, it holds too few measurements to say anything.
    sampler.sample();
    expect(rec.p99).toHaveLength(1);
  });

  it('records the cumulative GC time since it started, in seconds, with its start as the series start; it grows with garbage', async () => {
    const { rec, clock, sampler } = start();
    sampler.sample();
    const first = rec.gc[0]!;
    expect(first).toMatchObject({ service: 'shop', timeMs: T0, seriesStartMs: T0 });
    // Short-lived garbage until the observer has seen a collection (scavenges come within a few megabytes).
    let keep = 0;
    for (let round = 0; round < 50 && rec.gc.at(-1)!.sumSeconds <= first.sumSeconds; round++) {
      for (let i = 0; i < 2_000; i++) keep += Array.from({ length: 100 }, (_, j) => ({ i, j })).length;
      await settle();
      clock.advance(1_000);
      sampler.sample();
    }
    expect(keep).toBeGreaterThan(0);
    const last = rec.gc.at(-1)!;
    expect(last.sumSeconds).toBeGreaterThan(first.sumSeconds);
    expect(last.seriesStartMs).toBe(T0);
    // Cumulative: never decreasing.
    for (let i = 1; i < rec.gc.length; i++) expect(rec.gc[i]!.sumSeconds).toBeGreaterThanOrEqual(rec.gc[i - 1]!.sumSeconds);
  });

  it('records the heap used at each sample: the floor after the interval\'s GCs, well below the garbage a major GC freed', async () => {
    const { rec, clock, sampler } = start({ service: () => 'billing' });
    sampler.sample();
    sampler.sample();
    expect(rec.heap).toHaveLength(2);
    expect(rec.heap.every((h) => h.service === 'billing' && h.bytes > 1_000_000)).toBe(true);

    // 40 MB of garbage, counted in the heap used until a major GC frees it.
    let garbage: number[][] | undefined = Array.from({ length: 40 }, () => new Array<number>(125_000).fill(1.5));
    const usedWithGarbage = getHeapStatistics().used_heap_size;
    const made = garbage.length;
    garbage = undefined;
    expect(made).toBe(40);
    forceMajorGc();
    await settle();
    clock.advance(5_000);
    sampler.sample();
    expect(rec.heap).toHaveLength(3);
    const afterGc = rec.heap.at(-1)!;
    expect(afterGc).toMatchObject({ service: 'billing', timeMs: T0 + 5_000 });
    expect(afterGc.bytes).toBeLessThan(usedWithGarbage - 30_000_000);
    expect(afterGc.bytes).toBeGreaterThan(1_000_000);
  });

  it('asks for the service at each sample (the agent learns it from the first span)', () => {
    let service = 'unknown_service:node';
    const { rec, sampler } = start({ service: () => service });
    sampler.sample();
    service = 'shop';
    sampler.sample();
    expect(rec.gc.map((s) => s.service)).toEqual(['unknown_service:node', 'shop']);
  });

  it('never throws: a failing recorder is counted and logged once', () => {
    const { rec, logger, sampler } = start();
    rec.recordGcDurationSum = () => {
      throw new Error('engine gone');
    };
    expect(() => {
      sampler.sample();
      sampler.sample();
    }).not.toThrow();
    expect(logger.lines).toEqual(['error: runtime sampling failed; further failures are counted, not logged: engine gone']);
  });

  it('samples on an unref\'d timer, and stop() releases the timer, the histogram and the GC observer', async () => {
    const setIntervalSpy = vi.spyOn(globalThis, 'setInterval');
    const clearIntervalSpy = vi.spyOn(globalThis, 'clearInterval');
    const { rec, sampler } = start();
    expect(setIntervalSpy).toHaveBeenCalledTimes(1);
    expect(setIntervalSpy.mock.calls[0]![1]).toBe(HOUR);
    const timer = setIntervalSpy.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false); // never keeps the application alive

    await sleep(60);
    sampler.sample();
    const gcBefore = rec.gc.at(-1)!.sumSeconds;
    const p99Before = rec.p99.length;
    sampler.stop();
    expect(clearIntervalSpy).toHaveBeenCalledWith(timer);

    // Stopped: the loop's delays and new collections are no longer seen.
    await sleep(60);
    blockFor(120);
    forceMajorGc();
    await sleep(40);
    sampler.sample();
    expect(rec.p99).toHaveLength(p99Before);
    expect(rec.gc.at(-1)!.sumSeconds).toBe(gcBefore);
    sampler.stop(); // twice is harmless
  });
});
