import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recommendationId } from '../../src/recommend/recommendation-id';

const ITEMS = 'SELECT * FROM order_items WHERE order_id = ?';

describe('recommendationId', () => {
  it('is the contract value for a fixed input (the agent and the gateway share it across versions)', () => {
    // Computed once from the documented definition (SHA-256 of the parts joined
    // by line feeds, first 16 hex digits) and hard-coded: changing the id
    // function would split every open recommendation in two on upgrade.
    expect(recommendationId('n_plus_one_db', 'shop', 'GET /orders', ITEMS)).toBe('40a78d4c835aa0ab');
    expect(recommendationId('event_loop_blocking', 'shop', '', '')).toBe('fb0eab1ad85ad5ec');
  });

  it('is the documented formula for parts without separators', () => {
    const expected = createHash('sha256').update(`sequential_calls\ncheckout\nPOST /pay\npostgresql SELECT 1\nGET a/b`).digest('hex').slice(0, 16);
    expect(recommendationId('sequential_calls', 'checkout', 'POST /pay', 'postgresql SELECT 1\nGET a/b')).toBe(expected);
  });

  it('is 16 lower-case hex digits and deterministic', () => {
    const id = recommendationId('gc_pressure', 'api', '', '');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(recommendationId('gc_pressure', 'api', '', '')).toBe(id);
  });

  it('differs when any one part differs', () => {
    const base = recommendationId('n_plus_one_db', 'shop', 'GET /orders', ITEMS);
    const variants = [
      recommendationId('n_plus_one_http', 'shop', 'GET /orders', ITEMS),
      recommendationId('n_plus_one_db', 'shop2', 'GET /orders', ITEMS),
      recommendationId('n_plus_one_db', 'shop', 'GET /order', ITEMS),
      recommendationId('n_plus_one_db', 'shop', 'GET /orders', `${ITEMS} `),
    ];
    expect(new Set([base, ...variants]).size).toBe(5);
  });

  it('has no ambiguity from the separators: moving a line feed between parts changes the id', () => {
    // With a plain join these pairs would hash the same text.
    expect(recommendationId('t', 'a\nb', 'c', 'd')).not.toBe(recommendationId('t', 'a', 'b\nc', 'd'));
    expect(recommendationId('t', 's', 'op\nx', 'k')).not.toBe(recommendationId('t', 's', 'op', 'x\nk'));
    expect(recommendationId('t', 's', '', '\n')).not.toBe(recommendationId('t', 's', '\n', ''));
    // An escaped line feed is not a backslash followed by n.
    expect(recommendationId('t', 's', 'a\nb', 'k')).not.toBe(recommendationId('t', 's', 'a\\nb', 'k'));
    expect(recommendationId('t', 's\\', 'n', 'k')).not.toBe(recommendationId('t', 's', '\\nn', 'k'));
  });

  it('distinct tuples give distinct ids, whatever line feeds and backslashes they hold', () => {
    const part = fc.string({ maxLength: 4, unit: fc.constantFrom('a', 'n', '\n', '\\') });
    const tuple = fc.tuple(part, part, part, part);
    fc.assert(
      fc.property(tuple, tuple, (x, y) => {
        fc.pre(x.join('\u0000') !== y.join('\u0000'));
        expect(recommendationId(...x)).not.toBe(recommendationId(...y));
      }),
      { numRuns: 2000 },
    );
  });
});
