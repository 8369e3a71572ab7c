import { describe, expect, it } from 'vitest';
import { ServiceVersions, runConcurrently } from '../../src/regression/service-versions';

describe('ServiceVersions', () => {
  it('takes the first version as the starting point, and a new one as a deploy over the one seen last', () => {
    const service = new ServiceVersions('shop', 3);
    const first = service.observe('1.0.0', 1000);
    expect(first).toMatchObject({ id: 0, version: '1.0.0', baselineId: -1, baselineVersion: '', reported: true, spans: 1 });
    service.observe('1.0.0', 2000);
    expect(first).toMatchObject({ firstSeenMs: 1000, lastSeenMs: 2000, spans: 2 });
    expect(service.deploys).toBe(0);
    const second = service.observe('1.1.0', 3000);
    expect(second).toMatchObject({ id: 1, version: '1.1.0', baselineId: 0, baselineVersion: '1.0.0', reported: false, firstSeenMs: 3000 });
    expect(service.deploys).toBe(1);
    expect(service.newest).toBe(second);
    // Back and forth between known versions is no deploy.
    expect(service.observe('1.0.0', 3500)).toBe(first);
    expect(service.observe('1.1.0', 3600)).toBe(second);
    expect(service.deploys).toBe(1);
  });

  it('compares a third version with the one seen most recently, not the oldest', () => {
    const service = new ServiceVersions('shop', 3);
    service.observe('a', 0);
    service.observe('b', 10);
    service.observe('a', 20); // a rollback to a: a is now the one serving
    const c = service.observe('c', 30);
    expect([c.baselineVersion, c.baselineId]).toEqual(['a', 0]);
  });

  it('evicts the least recently seen version beyond maxVersions, and forgets it', () => {
    const service = new ServiceVersions('shop', 2);
    const a = service.observe('a', 0);
    service.observe('b', 10);
    service.observe('c', 20);
    expect(service.versions.map((v) => v.version)).toEqual(['b', 'c']);
    expect(service.find(a.id)).toBeUndefined();
    // An evicted version that comes back is new again: a deploy of `a` over `c`.
    const again = service.observe('a', 30);
    expect([again.id, again.baselineVersion]).toEqual([3, 'c']);
    expect(service.versions.map((v) => v.version)).toEqual(['c', 'a']);
    expect(service.deploys).toBe(3);
  });

  it('refuses fewer than two versions', () => {
    expect(() => new ServiceVersions('x', 1)).toThrow(RangeError);
  });
});

describe('runConcurrently', () => {
  it('needs the baseline to serve after the new version appeared, both within the window', () => {
    const service = new ServiceVersions('shop', 3);
    const old = service.observe('1', 0);
    const next = service.observe('2', 100);
    // A rolling deploy: the old version's last span came before the new one's first.
    expect(runConcurrently(old, next, 150, 60_000)).toBe(false);
    service.observe('1', 200);
    expect(runConcurrently(old, next, 250, 60_000)).toBe(true);
    // The old version stopped more than a window ago: not concurrent any more.
    service.observe('2', 70_000);
    expect(runConcurrently(old, next, 70_000, 60_000)).toBe(false);
  });
});
