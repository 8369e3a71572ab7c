import { describe, expect, it } from 'vitest';
import { LatencyObjectiveLookup } from '../../src/recommend/latency-objective-lookup';
import type { ObjectiveSpec } from '../../src/slo/objective';
import { objectiveSpec } from '../helpers/objectives';

function latency(name: string, thresholdMs: number, over: Partial<ObjectiveSpec> = {}): ObjectiveSpec {
  return objectiveSpec({ name, sli: { kind: 'latency', thresholdMs }, objective: 0.95, ...over });
}

const selector = (over: Partial<ObjectiveSpec['selector']> = {}): ObjectiveSpec['selector'] => ({ spanKind: 'server', operations: [], attributes: {}, ...over });

describe('LatencyObjectiveLookup', () => {
  it('finds nothing without latency objectives', () => {
    const lookup = new LatencyObjectiveLookup([objectiveSpec()]);
    expect(lookup.isEmpty).toBe(true);
    expect(lookup.find('shop', 'GET /orders')).toBeUndefined();
    expect(new LatencyObjectiveLookup([]).isEmpty).toBe(true);
  });

  it('an objective over every operation covers every operation of every service', () => {
    const lookup = new LatencyObjectiveLookup([latency('latency', 200)]);
    expect(lookup.isEmpty).toBe(false);
    expect(lookup.find('shop', 'GET /orders')).toEqual({ name: 'latency', thresholdMs: 200, objective: 0.95 });
    expect(lookup.find('other', 'anything')).toEqual({ name: 'latency', thresholdMs: 200, objective: 0.95 });
  });

  it('matches the service, exact operations and globs', () => {
    const lookup = new LatencyObjectiveLookup([
      latency('orders', 100, { service: 'shop', selector: selector({ operations: ['GET /orders'] }) }),
      latency('carts', 150, { service: 'shop', selector: selector({ operations: ['GET /cart*'] }) }),
    ]);
    expect(lookup.find('shop', 'GET /orders')?.name).toBe('orders');
    expect(lookup.find('shop', 'GET /orders/1')).toBeUndefined();
    expect(lookup.find('shop', 'GET /cart')?.name).toBe('carts');
    expect(lookup.find('shop', 'GET /cart/items')?.thresholdMs).toBe(150);
    expect(lookup.find('shop', 'POST /cart')).toBeUndefined();
    expect(lookup.find('billing', 'GET /orders')).toBeUndefined();
  });

  it('the first matching objective in config order wins', () => {
    const lookup = new LatencyObjectiveLookup([
      latency('specific', 100, { selector: selector({ operations: ['GET /orders'] }) }),
      latency('catch-all', 300),
    ]);
    expect(lookup.find('shop', 'GET /orders')?.name).toBe('specific');
    expect(lookup.find('shop', 'GET /users')?.name).toBe('catch-all');
    const reversed = new LatencyObjectiveLookup([latency('catch-all', 300), latency('specific', 100, { selector: selector({ operations: ['GET /orders'] }) })]);
    expect(reversed.find('shop', 'GET /orders')?.name).toBe('catch-all');
  });

  it('skips objectives an entry span cannot be matched against: attributes, client or internal spans', () => {
    const lookup = new LatencyObjectiveLookup([
      latency('by-env', 50, { selector: selector({ attributes: { 'deployment.environment': 'prod' } }) }),
      latency('client', 60, { selector: selector({ spanKind: 'client' }) }),
      latency('internal', 70, { selector: selector({ spanKind: 'internal' }) }),
      latency('producer', 75, { selector: selector({ spanKind: 'producer' }) }),
    ]);
    expect(lookup.isEmpty).toBe(true);
    expect(lookup.find('shop', 'GET /orders')).toBeUndefined();
  });

  it('accepts server, consumer and any-kind objectives', () => {
    expect(new LatencyObjectiveLookup([latency('c', 80, { selector: selector({ spanKind: 'consumer' }) })]).find('q', 'orders process')?.name).toBe('c');
    const anyKind: ObjectiveSpec['selector'] = { operations: [], attributes: {} };
    expect(new LatencyObjectiveLookup([latency('any', 90, { selector: anyKind })]).find('q', 'x')?.name).toBe('any');
  });

  it('gives the same verdicts with the cache full (maxEntries 0) or warm', () => {
    const objectives = [latency('orders', 100, { service: 'shop', selector: selector({ operations: ['GET /orders*'] }) })];
    const uncached = new LatencyObjectiveLookup(objectives, 0);
    const cached = new LatencyObjectiveLookup(objectives, 10);
    for (let round = 0; round < 2; round++) {
      for (const [service, operation] of [
        ['shop', 'GET /orders'],
        ['shop', 'GET /orders/7'],
        ['shop', 'GET /users'],
        ['api', 'GET /orders'],
      ] as const) {
        expect(uncached.find(service, operation)).toEqual(cached.find(service, operation));
      }
    }
    expect(cached.find('shop', 'GET /users')).toBeUndefined();
    expect(cached.find('shop', 'GET /orders/7')?.name).toBe('orders');
  });

  it('does not confuse service and operation in its cache key', () => {
    const lookup = new LatencyObjectiveLookup([latency('only-a', 100, { service: 'a', selector: selector({ operations: ['b'] }) })]);
    expect(lookup.find('a', 'b')?.name).toBe('only-a');
    expect(lookup.find('a\nb', '')).toBeUndefined();
  });
});
