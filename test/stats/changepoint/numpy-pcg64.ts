/**
 * Test helper: the random integers numpy's `default_rng(seed).shuffle` draws,
 * so that the permutation-test fixtures of Otava (seeded numpy generators)
 * shuffle exactly as they did there. Written from the published algorithms:
 * - seeding: numpy's SeedSequence (after M. E. O'Neill's seed_seq
 *   alternative): the 32-bit hash-mix of the entropy into a pool of 4 words,
 *   then 8 state words drawn from the pool;
 * - PCG64 (O'Neill 2014): a 128-bit LCG with the XSL-RR output function,
 *   seeded as pcg's `srandom` (state 0, step, add the seed, step);
 * - 32-bit draws take the low then the high half of one 64-bit output;
 * - a uniform integer in [0, max] is a masked 32-bit draw, redrawn while
 *   above max (numpy's `random_interval`).
 * Checked against numpy 2.4 by the unit test of this helper.
 */
const MASK_64 = (1n << 64n) - 1n;
const MASK_128 = (1n << 128n) - 1n;
const PCG_MULTIPLIER = (2549297995355413924n << 64n) + 4865540595714422341n;

const SEED_INIT_A = 0x43b0d7e5;
const SEED_MULT_A = 0x931e8875;
const SEED_INIT_B = 0x8b51f9dd;
const SEED_MULT_B = 0x58f38ded;
const SEED_MIX_LEFT = 0xca01f9dd;
const SEED_MIX_RIGHT = 0x4973f715;
const POOL_SIZE = 4;

export interface NumpyGenerator {
  /** The next raw 64-bit output of PCG64. */
  readonly next64: () => bigint;
  /** Uniform integer in [0, max] as numpy's `random_interval` draws it (max < 2^32). */
  readonly interval: (max: number) => number;
  /** The bit generator's (state, inc) after seeding, for comparison with numpy's `bit_generator.state`. */
  readonly seededState: { readonly state: bigint; readonly inc: bigint };
}

/** `numpy.random.default_rng(seed)` for a seed in [0, 2^32). */
export function numpyDefaultRng(seed: number): NumpyGenerator {
  const words = seedSequenceWords(seed, 8);
  const word64 = (i: number): bigint => BigInt(words[2 * i] as number) | (BigInt(words[2 * i + 1] as number) << 32n);
  const initState = (word64(0) << 64n) | word64(1);
  const initSequence = (word64(2) << 64n) | word64(3);
  const inc = ((initSequence << 1n) | 1n) & MASK_128;
  let state = 0n;
  const step = (): void => {
    state = (state * PCG_MULTIPLIER + inc) & MASK_128;
  };
  step();
  state = (state + initState) & MASK_128;
  step();
  const seededState = { state, inc };
  let buffered: number | undefined;
  const next64 = (): bigint => {
    step();
    const rotation = Number(state >> 122n);
    const folded = ((state >> 64n) ^ state) & MASK_64;
    return ((folded >> BigInt(rotation)) | (folded << BigInt((64 - rotation) & 63))) & MASK_64;
  };
  const next32 = (): number => {
    if (buffered !== undefined) {
      const value = buffered;
      buffered = undefined;
      return value;
    }
    const value = next64();
    buffered = Number(value >> 32n);
    return Number(value & 0xffffffffn);
  };
  const interval = (max: number): number => {
    if (max === 0) return 0;
    let mask = max;
    for (const shift of [1, 2, 4, 8, 16]) mask |= mask >>> shift;
    mask >>>= 0;
    for (;;) {
      const value = (next32() & mask) >>> 0;
      if (value <= max) return value;
    }
  };
  return { next64, interval, seededState };
}

function hashMixer(): (value: number) => number {
  let hashConstant = SEED_INIT_A;
  return (value: number): number => {
    let mixed = (value ^ hashConstant) >>> 0;
    hashConstant = Math.imul(hashConstant, SEED_MULT_A) >>> 0;
    mixed = Math.imul(mixed, hashConstant) >>> 0;
    return (mixed ^ (mixed >>> 16)) >>> 0;
  };
}

function mix(x: number, y: number): number {
  const result = (Math.imul(SEED_MIX_LEFT, x) - Math.imul(SEED_MIX_RIGHT, y)) >>> 0;
  return (result ^ (result >>> 16)) >>> 0;
}

function seedSequenceWords(seed: number, count: number): number[] {
  const entropy = [seed >>> 0];
  const hashMix = hashMixer();
  const pool: number[] = [];
  for (let i = 0; i < POOL_SIZE; i++) pool.push(hashMix(entropy[i] ?? 0));
  for (let source = 0; source < POOL_SIZE; source++) {
    for (let target = 0; target < POOL_SIZE; target++) {
      if (source !== target) pool[target] = mix(pool[target] as number, hashMix(pool[source] as number));
    }
  }
  let hashConstant = SEED_INIT_B;
  const words: number[] = [];
  for (let i = 0; i < count; i++) {
    let value = ((pool[i % POOL_SIZE] as number) ^ hashConstant) >>> 0;
    hashConstant = Math.imul(hashConstant, SEED_MULT_B) >>> 0;
    value = Math.imul(value, hashConstant) >>> 0;
    words.push((value ^ (value >>> 16)) >>> 0);
  }
  return words;
}
