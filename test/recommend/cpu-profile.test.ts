import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { topSelfTimeFunctions } from '../../src/recommend/cpu-profile';
import type { CpuProfile, CpuProfileNode } from '../../src/recommend/cpu-profile';

/** A node of a hand-built profile; `line` is 0-based, as V8 gives it. */
function node(id: number, functionName: string, url = '', line = -1, children: number[] = [], hitCount = 0): CpuProfileNode {
  return { id, callFrame: { functionName, url, lineNumber: line, columnNumber: 0, scriptId: url === '' ? '0' : '1' }, hitCount, children };
}

const APP = 'file:///srv/app/server.js';

/**
 * (root) ─┬─ handler(12) ─┬─ parse(40)
 *         │               └─ render(80) ── parse(40)   (parse again, another call stack)
 *         ├─ (idle)
 *         ├─ (program)
 *         └─ (garbage collector)
 */
const TREE: CpuProfileNode[] = [
  node(1, '(root)', '', -1, [2, 6, 7, 8]),
  node(2, 'handler', APP, 11, [3, 4]),
  node(3, 'parse', APP, 39),
  node(4, 'render', APP, 79, [5]),
  node(5, 'parse', APP, 39),
  node(6, '(idle)'),
  node(7, '(program)'),
  node(8, '(garbage collector)'),
];

/** A profile whose samples each last `us` microseconds (every delta equal). */
function evenlySampled(samples: number[], us = 1000): CpuProfile {
  return { nodes: TREE, startTime: 0, endTime: samples.length * us, samples, timeDeltas: samples.map(() => us) };
}

describe('topSelfTimeFunctions', () => {
  it('sums the self time of a function over its nodes and ranks by it', () => {
    // parse: 3 + 2 samples in two nodes; render 3; handler 1; idle 10 (left out); program 1.
    const profile = evenlySampled([3, 3, 3, 5, 5, 4, 4, 4, 2, 7, ...Array<number>(10).fill(6)]);
    const hot = topSelfTimeFunctions(profile, 10);
    expect(hot.map((h) => [h.function, h.selfMs])).toEqual([
      ['parse', 5],
      ['render', 3],
      ['handler', 1],
    ]);
    // The denominator is the busy time: 10 samples, the 10 idle ones left out.
    expect(hot[0]?.selfShare).toBeCloseTo(0.5, 12);
    expect(hot[1]?.selfShare).toBeCloseTo(0.3, 12);
    expect(hot[2]?.selfShare).toBeCloseTo(0.1, 12);
  });

  it('never ranks the meta nodes but counts (program) and (garbage collector) as busy time', () => {
    const profile = evenlySampled([3, 7, 7, 8, 8, 8, 6, 6, 6, 6]);
    const hot = topSelfTimeFunctions(profile, 10);
    expect(hot).toEqual([{ function: 'parse', file: '/srv/app/server.js', line: 40, selfShare: 1 / 6, selfMs: 1 }]);
  });

  it('with excludeIdle false, shares are over the whole sampled time', () => {
    const profile = evenlySampled([3, 3, 6, 6]);
    expect(topSelfTimeFunctions(profile, 1, { excludeIdle: false })[0]?.selfShare).toBeCloseTo(0.5, 12);
    expect(topSelfTimeFunctions(profile, 1)[0]?.selfShare).toBe(1);
  });

  it('gives each sample the delta to the next sample, and the last one the mean inter-sample delta', () => {
    // Sample times: 100 (after a 100 µs start), 1100, 4100, 5100. Durations: 1000, 3000, 1000, then mean(1000, 3000, 1000).
    const profile: CpuProfile = { nodes: TREE, startTime: 0, endTime: 99_000, samples: [3, 4, 2, 4], timeDeltas: [100, 1000, 3000, 1000] };
    const hot = topSelfTimeFunctions(profile, 10);
    expect(hot.map((h) => [h.function, h.selfMs])).toEqual([
      ['render', 3 + 5 / 3],
      ['handler', 1], // a tie with parse: by name
      ['parse', 1],
    ]);
    expect(hot.reduce((sum, h) => sum + h.selfShare, 0)).toBeCloseTo(1, 12);
  });

  it('counts negative deltas as no time', () => {
    const profile: CpuProfile = { nodes: TREE, startTime: 0, endTime: 10_000, samples: [3, 4, 2], timeDeltas: [0, -50, 2000] };
    // parse gets max(0, -50) = 0 and is not listed; render 2000; handler the mean of (0, 2000) = 1000.
    expect(topSelfTimeFunctions(profile, 10).map((h) => [h.function, h.selfMs])).toEqual([
      ['render', 2],
      ['handler', 1],
    ]);
  });

  it('falls back to equal intervals without timeDeltas, and to hitCount without samples', () => {
    const noDeltas: CpuProfile = { nodes: TREE, startTime: 1000, endTime: 5000, samples: [3, 3, 4, 6] };
    expect(topSelfTimeFunctions(noDeltas, 10).map((h) => [h.function, h.selfMs])).toEqual([
      ['parse', 2],
      ['render', 1],
    ]);
    const hitCounts: CpuProfile = {
      nodes: TREE.map((n) => ({ ...n, hitCount: n.id === 3 ? 6 : n.id === 2 ? 2 : n.id === 6 ? 2 : 0 })),
      startTime: 0,
      endTime: 20_000,
    };
    const hot = topSelfTimeFunctions(hitCounts, 10);
    expect(hot.map((h) => [h.function, h.selfMs])).toEqual([
      ['parse', 12],
      ['handler', 4],
    ]);
    expect(hot[0]?.selfShare).toBeCloseTo(0.75, 12);
  });

  it('keeps `limit` results, breaking ties by name, then file, then line', () => {
    const nodes: CpuProfileNode[] = [
      node(1, '(root)', '', -1, [2, 3, 4, 5, 6]),
      node(2, 'zeta', APP, 0),
      node(3, 'alpha', 'file:///srv/app/b.js', 4),
      node(4, 'alpha', 'file:///srv/app/a.js', 9),
      node(5, 'alpha', 'file:///srv/app/a.js', 2),
      node(6, 'big', APP, 7),
    ];
    const profile: CpuProfile = { nodes, startTime: 0, endTime: 6000, samples: [6, 6, 2, 3, 4, 5], timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000] };
    expect(topSelfTimeFunctions(profile, 10).map((h) => `${h.function} ${h.file}:${h.line}`)).toEqual([
      'big /srv/app/server.js:8',
      'alpha /srv/app/a.js:3',
      'alpha /srv/app/a.js:10',
      'alpha /srv/app/b.js:5',
      'zeta /srv/app/server.js:1',
    ]);
    expect(topSelfTimeFunctions(profile, 2).map((h) => h.line)).toEqual([8, 3]);
    expect(topSelfTimeFunctions(profile, 0)).toEqual([]);
    expect(() => topSelfTimeFunctions(profile, -1)).toThrow(RangeError);
    expect(() => topSelfTimeFunctions(profile, 1.5)).toThrow(/limit/);
  });

  it('strips file:// (decoding escapes), keeps other URLs, names anonymous functions and maps lines to 1-based', () => {
    const nodes: CpuProfileNode[] = [
      node(1, '(root)', '', -1, [2, 3, 4, 5]),
      node(2, '', 'file:///srv/my%20app/x.js', 0),
      node(3, 'readFileSync', 'node:fs', 440),
      node(4, 'JSON.parse', ''),
      node(5, 'odd', 'file:///srv/%E0%A4%A.js', 5),
    ];
    const profile: CpuProfile = { nodes, startTime: 0, endTime: 4000, samples: [2, 2, 2, 2, 3, 3, 3, 4, 4, 5], timeDeltas: Array<number>(10).fill(100) };
    expect(topSelfTimeFunctions(profile, 10).map(({ function: f, file, line }) => ({ f, file, line }))).toEqual([
      { f: '(anonymous)', file: '/srv/my app/x.js', line: 1 },
      { f: 'readFileSync', file: 'node:fs', line: 441 },
      { f: 'JSON.parse', file: '', line: 0 },
      { f: 'odd', file: '/srv/%E0%A4%A.js', line: 6 },
    ]);
  });

  it('gives [] for an empty profile, an all-idle one and one without samples or hits', () => {
    expect(topSelfTimeFunctions({ nodes: [], startTime: 0, endTime: 0 }, 10)).toEqual([]);
    expect(topSelfTimeFunctions({ nodes: [], startTime: 0, endTime: 0, samples: [], timeDeltas: [] }, 10)).toEqual([]);
    expect(topSelfTimeFunctions(evenlySampled([6, 6, 6]), 10)).toEqual([]);
    expect(topSelfTimeFunctions({ nodes: TREE, startTime: 0, endTime: 1000 }, 10)).toEqual([]);
  });

  it('ranks a recorded blocked-loop profile with the blocking function on top', () => {
    const fixture = path.resolve(__dirname, '..', 'fixtures', 'profiles', 'blocked-loop.cpuprofile');
    const profile = JSON.parse(readFileSync(fixture, 'utf8')) as CpuProfile;
    const hot = topSelfTimeFunctions(profile, 3);
    expect(hot[0]?.function).toBe('blockTheLoop');
    expect(hot[0]?.file.endsWith('blocked-loop.cjs')).toBe(true);
    expect(hot[0]?.line).toBe(6);
    expect(hot[0]?.selfShare).toBeGreaterThan(0.8);
    expect(hot.length).toBeLessThanOrEqual(3);
  });
});
