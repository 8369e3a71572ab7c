import { describe, expect, it } from 'vitest';
import { VersionSamples } from '../../src/regression/version-samples';
import { createSeededRandom } from '../../src/stats/mann-whitney/seeded-random';

const MINUTE = 60_000;

function values(samples: VersionSamples): number[] {
  const out: number[] = [];
  samples.appendTo(out);
  return out.sort((a, b) => a - b);
}

describe('VersionSamples', () => {
  it('covers between one and two generations of recent traffic', () => {
    const random = createSeededRandom(1);
    const samples = new VersionSamples(100, 15 * MINUTE, 0);
    // One value per minute, valued by its minute.
    for (let minute = 0; minute < 40; minute++) samples.add(minute, minute * MINUTE, random);
    // Generations began at 0, 15 and 30: the one of 0..14 is gone.
    expect(values(samples)).toEqual(Array.from({ length: 25 }, (_, i) => i + 15));
  });

  it('keeps the last stretch of a version that stopped receiving spans, however long ago', () => {
    const random = createSeededRandom(2);
    const samples = new VersionSamples(100, 15 * MINUTE, 0);
    for (let minute = 0; minute < 20; minute++) samples.add(minute, minute * MINUTE, random);
    expect(values(samples)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(samples.size).toBe(20);
  });

  it('forgets both generations after a gap of two generations or more', () => {
    const random = createSeededRandom(3);
    const samples = new VersionSamples(100, 15 * MINUTE, 0);
    for (let minute = 0; minute < 20; minute++) samples.add(minute, minute * MINUTE, random);
    samples.add(999, 16 * MINUTE + 30 * MINUTE, random);
    expect(values(samples)).toEqual([999]);
  });

  it('bounds each generation by its capacity', () => {
    const random = createSeededRandom(4);
    const samples = new VersionSamples(10, MINUTE, 0);
    for (let i = 0; i < 1000; i++) samples.add(i, 0, random);
    for (let i = 0; i < 1000; i++) samples.add(i, MINUTE, random);
    expect(samples.size).toBe(20);
    expect(samples.allocatedBytes).toBe(2 * 10 * 4);
    samples.reset(5 * MINUTE);
    expect(samples.size).toBe(0);
  });
});
