import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IntervalLoop } from '../../../processors/shared/interval-loop';
import type { Logger } from '../../../src/logging/logger';

function memoryLogger(lines: string[]): Logger {
  return { error: (m, e) => lines.push(`${m}: ${String(e)}`), warn: () => undefined, info: () => undefined, debug: () => undefined };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('IntervalLoop', () => {
  it('runs the work on every tick and on demand, until stopped', () => {
    let runs = 0;
    const loop = new IntervalLoop(() => runs++, 1000, memoryLogger([]), 'test work');
    vi.advanceTimersByTime(3500);
    expect(runs).toBe(3);
    loop.runNow();
    expect(runs).toBe(4);
    loop.stop();
    vi.advanceTimersByTime(5000);
    expect(runs).toBe(4);
    loop.stop(); // twice is harmless
  });

  it('keeps ticking after a failure: counted, the first one logged', () => {
    const lines: string[] = [];
    let runs = 0;
    const loop = new IntervalLoop(
      () => {
        runs++;
        throw new Error(`tick ${runs}`);
      },
      1000,
      memoryLogger(lines),
      'test work',
    );
    vi.advanceTimersByTime(3000);
    loop.stop();
    expect(runs).toBe(3);
    expect(lines).toEqual(['test work failed; further failures are counted, not logged: Error: tick 1']);
  });
});
