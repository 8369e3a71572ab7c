import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/clock';
import type { Logger } from '../../src/logging/logger';
import type { CpuProfile } from '../../src/recommend/cpu-profile';
import { HotSpotProfiler } from '../../instrumentation/hot-spot-profiler';
import { DUTY_CYCLE_WINDOW_MS, resolveHotSpotProfilerOptions } from '../../instrumentation/hot-spot-profiler-options';
import type { ProfilerSession } from '../../instrumentation/hot-spot-profiler-options';

function recordingLogger(): Logger & { readonly errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    error: (message: string) => void errors.push(message),
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
  };
}

/** Blocks the event loop for `ms` of wall time: the function the real capture must name. */
function spinTheEventLoopForTest(ms: number): number {
  // Date.now() is a V8 built-in, so its time counts as this function's own;
  // performance.now() is JS in Node and would take a share of its own.
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) {
    for (let i = 0; i < 1000; i++) x += Math.sqrt(x + i);
  }
  return x;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** One busy function in a file, as Profiler.stop would return it. */
const FAKE_PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1, scriptId: '0' }, children: [2] },
    { id: 2, callFrame: { functionName: 'busy', url: 'file:///srv/app.js', lineNumber: 4, columnNumber: 0, scriptId: '1' } },
  ],
  startTime: 0,
  endTime: 3000,
  samples: [2, 2, 2],
  timeDeltas: [1000, 1000, 1000],
};

/** A session that answers at once; `failOn` makes one command reject. */
class FakeSession implements ProfilerSession {
  readonly posted: string[] = [];
  disconnected = false;

  constructor(
    private readonly failOn?: string,
    private readonly stopResult: unknown = { profile: FAKE_PROFILE },
  ) {}

  post(method: string): Promise<unknown> {
    this.posted.push(method);
    if (method === this.failOn) return Promise.reject(new Error(`${method} refused`));
    return Promise.resolve(method === 'Profiler.stop' ? this.stopResult : {});
  }

  disconnect(): void {
    this.disconnected = true;
  }
}

function fakeSessions(make: () => FakeSession = () => new FakeSession()): { sessions: FakeSession[]; openSession: () => Promise<ProfilerSession> } {
  const sessions: FakeSession[] = [];
  return {
    sessions,
    openSession: () => {
      const session = make();
      sessions.push(session);
      return Promise.resolve(session);
    },
  };
}

describe('HotSpotProfiler with the real inspector', () => {
  it('names the function that blocks the event loop during the capture', async () => {
    const logger = recordingLogger();
    const profiler = new HotSpotProfiler({ durationMs: 600, minIntervalMs: 0, logger });
    let done = false;
    const capture = profiler.capture('event_loop_blocking').finally(() => (done = true));
    // Block the loop in 50 ms slices, giving it a turn between slices, until the capture stops.
    while (!done) {
      spinTheEventLoopForTest(50);
      await nextTurn();
    }
    const hot = await capture;
    expect(logger.errors).toEqual([]);
    expect(hot).toBeDefined();
    const top = hot?.[0];
    expect(top?.function).toBe('spinTheEventLoopForTest');
    expect(top?.file.endsWith('hot-spot-profiler.test.ts')).toBe(true);
    expect(top?.line).toBeGreaterThan(0);
    expect(top?.selfShare).toBeGreaterThan(0.5);
    expect(top?.selfMs).toBeGreaterThan(0);
    expect(hot?.length).toBeLessThanOrEqual(10);
    expect(profiler.stats()).toEqual({ captures: 1, skippedRateLimited: 0, skippedBusy: 0, failures: 0 });
  });

  it('refuses a concurrent capture as busy', async () => {
    const profiler = new HotSpotProfiler({ durationMs: 100, minIntervalMs: 0, logger: recordingLogger() });
    const first = profiler.capture('first');
    expect(await profiler.capture('second')).toBeUndefined();
    expect(profiler.stats().skippedBusy).toBe(1);
    expect(await first).toBeDefined();
    expect(profiler.stats()).toEqual({ captures: 1, skippedRateLimited: 0, skippedBusy: 1, failures: 0 });
  });

  it('shutdown stops a capture in progress and refuses later ones', async () => {
    const logger = recordingLogger();
    // A 30 s capture: only the shutdown can end it within the test's time.
    const profiler = new HotSpotProfiler({ durationMs: 30_000, minIntervalMs: 0, maxDutyCycle: 0.25, logger });
    const capture = profiler.capture('latency anomaly');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await profiler.shutdown();
    expect(await capture).toBeUndefined();
    expect(await profiler.capture('after shutdown')).toBeUndefined();
    expect(profiler.stats()).toEqual({ captures: 0, skippedRateLimited: 0, skippedBusy: 0, failures: 0 });
    expect(logger.errors).toEqual([]);
    // The session was released: another profiler can capture at once.
    const next = new HotSpotProfiler({ durationMs: 100, minIntervalMs: 0, logger });
    expect(await next.capture('again')).toBeDefined();
  });
});

describe('HotSpotProfiler limits', () => {
  it('rate-limits starts to one per minIntervalMs on the injected clock', async () => {
    const clock = new ManualClock(1_000_000);
    const { sessions, openSession } = fakeSessions();
    const profiler = new HotSpotProfiler({ durationMs: 100, minIntervalMs: 60_000, clock, openSession, logger: recordingLogger() });
    expect(await profiler.capture('a')).toEqual([{ function: 'busy', file: '/srv/app.js', line: 5, selfShare: 1, selfMs: 3 }]);
    expect(sessions[0]?.posted).toEqual(['Profiler.enable', 'Profiler.setSamplingInterval', 'Profiler.start', 'Profiler.stop']);
    expect(sessions[0]?.disconnected).toBe(true);
    clock.advance(59_999);
    expect(await profiler.capture('b')).toBeUndefined();
    expect(sessions).toHaveLength(1);
    clock.advance(1);
    expect(await profiler.capture('c')).toBeDefined();
    expect(profiler.stats()).toEqual({ captures: 2, skippedRateLimited: 1, skippedBusy: 0, failures: 0 });
  });

  it('keeps captures within maxDutyCycle of every trailing hour', async () => {
    const clock = new ManualClock(0);
    const { openSession } = fakeSessions();
    // 1e-4 of an hour is 360 ms: three captures of 100 ms, not four.
    const profiler = new HotSpotProfiler({ durationMs: 100, minIntervalMs: 0, maxDutyCycle: 1e-4, clock, openSession, logger: recordingLogger() });
    for (const at of [0, 200, 400]) {
      clock.set(at);
      expect(await profiler.capture('x')).toBeDefined();
    }
    clock.set(600);
    expect(await profiler.capture('x')).toBeUndefined();
    // The hour ending at 3 600 000 (this capture's end) still holds all three: 300 + 100 > 360.
    clock.set(DUTY_CYCLE_WINDOW_MS - 100);
    expect(await profiler.capture('x')).toBeUndefined();
    // One hour after the first capture's end, it has left the window: 200 + 100 <= 360.
    clock.set(DUTY_CYCLE_WINDOW_MS);
    expect(await profiler.capture('x')).toBeDefined();
    expect(profiler.stats()).toEqual({ captures: 4, skippedRateLimited: 2, skippedBusy: 0, failures: 0 });
  });

  it('the defaults allow at most 72 s of captures per hour and 5 minutes between starts', () => {
    const resolved = resolveHotSpotProfilerOptions();
    expect(resolved.maxDutyCycle * DUTY_CYCLE_WINDOW_MS).toBe(72_000);
    expect(resolved).toMatchObject({ durationMs: 2000, minIntervalMs: 300_000, samplingIntervalUs: 1000, topFunctions: 10 });
  });
});

describe('HotSpotProfiler failures', () => {
  it('resolves undefined when the inspector cannot be opened, logging the first failure only', async () => {
    const logger = recordingLogger();
    const openSession = vi.fn(() => Promise.reject(new Error('inspector not available')));
    const profiler = new HotSpotProfiler({ durationMs: 100, minIntervalMs: 0, openSession, logger });
    expect(await profiler.capture('a')).toBeUndefined();
    expect(await profiler.capture('b')).toBeUndefined();
    expect(openSession).toHaveBeenCalledTimes(2);
    expect(profiler.stats().failures).toBe(2);
    expect(logger.errors).toHaveLength(1);
    expect(logger.errors[0]).toMatch(/opening an inspector session/);
  });

  it('resolves undefined when a profiler command fails, and still disconnects', async () => {
    const logger = recordingLogger();
    const { sessions, openSession } = fakeSessions(() => new FakeSession('Profiler.start'));
    const profiler = new HotSpotProfiler({ durationMs: 100, minIntervalMs: 0, openSession, logger });
    expect(await profiler.capture('a')).toBeUndefined();
    expect(await profiler.capture('b')).toBeUndefined();
    expect(sessions.every((s) => s.disconnected)).toBe(true);
    expect(profiler.stats()).toEqual({ captures: 0, skippedRateLimited: 0, skippedBusy: 0, failures: 2 });
    expect(logger.errors).toHaveLength(1);
  });

  it('counts a failed attempt as a start for the rate limit', async () => {
    const clock = new ManualClock(0);
    const openSession = vi.fn(() => Promise.reject(new Error('no inspector')));
    const profiler = new HotSpotProfiler({ durationMs: 100, minIntervalMs: 1000, clock, openSession, logger: recordingLogger() });
    await profiler.capture('a');
    await profiler.capture('b');
    expect(openSession).toHaveBeenCalledTimes(1);
    expect(profiler.stats()).toMatchObject({ skippedRateLimited: 1, failures: 1 });
  });

  it('resolves undefined when Profiler.stop returns no profile', async () => {
    const logger = recordingLogger();
    const { openSession } = fakeSessions(() => new FakeSession(undefined, { nothing: true }));
    const profiler = new HotSpotProfiler({ durationMs: 100, minIntervalMs: 0, openSession, logger });
    expect(await profiler.capture('a')).toBeUndefined();
    expect(profiler.stats().failures).toBe(1);
    expect(logger.errors[0]).toMatch(/reading the CPU profile/);
  });
});

describe('resolveHotSpotProfilerOptions', () => {
  it.each([
    [{ durationMs: 99 }, /durationMs/],
    [{ durationMs: 30_001 }, /durationMs/],
    [{ minIntervalMs: -1 }, /minIntervalMs/],
    [{ maxDutyCycle: 0 }, /maxDutyCycle/],
    [{ maxDutyCycle: 0.3 }, /maxDutyCycle/],
    [{ durationMs: 30_000, maxDutyCycle: 0.005 }, /maxDutyCycle .* less than one capture/],
    [{ samplingIntervalUs: 99 }, /samplingIntervalUs/],
    [{ durationMs: 100, samplingIntervalUs: 20_000 }, /samplingIntervalUs/],
    [{ topFunctions: 0 }, /topFunctions/],
    [{ topFunctions: 2.5 }, /topFunctions/],
  ])('rejects %o', (options, message) => {
    expect(() => resolveHotSpotProfilerOptions(options)).toThrow(RangeError);
    expect(() => resolveHotSpotProfilerOptions(options)).toThrow(message);
  });
});
