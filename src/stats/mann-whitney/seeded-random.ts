/** A source of uniform numbers in [0, 1), like Math.random but injectable. */
export type UniformRandom = () => number;

/**
 * A deterministic uniform generator: Mulberry32 (Tommy Ettinger, 2017), a
 * 32-bit state with a Weyl increment and a xorshift-multiply output mix. Not
 * cryptographic; good enough to jitter tied samples, and reproducible: the
 * same seed gives the same sequence on every platform. State: 4 bytes.
 */
export function createSeededRandom(seed: number): UniformRandom {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * One N(0, 1) draw by the Box–Muller transform (Box & Muller, 1958), using
 * two uniforms. `1 − u` keeps the logarithm's argument in (0, 1].
 */
export function standardNormalDraw(random: UniformRandom): number {
  const u1 = 1 - random();
  const u2 = random();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
