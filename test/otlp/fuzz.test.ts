/**
 * Property tests (fast-check): whatever the input, the decoders return a
 * model or throw an OtlpDecodeError — never another exception, never hang —
 * and whatever they return survives a round trip through the encoders.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeJsonRequest,
  decodeJsonResponse,
  decodeJsonStatus,
  decodeProtobufRequest,
  decodeProtobufResponse,
  decodeProtobufStatus,
  encodeJsonRequest,
  encodeProtobufRequest,
  OtlpDecodeError,
} from '../../src/otlp';
import type { ExportRequest } from '../../src/otlp';
import type { Signal } from '../../src/otlp/signal';
import { richLogs, richMetrics, richTraces } from './rich-models';
import { sdkLogs, sdkMetrics, sdkTraces } from './sdk-fixtures';

/** Runs per property; OTLP_FUZZ_RUNS=50000 for a longer hunt. */
const RUNS = Number(process.env.OTLP_FUZZ_RUNS ?? 2000);
const SIGNALS: Signal[] = ['traces', 'metrics', 'logs'];

/** Runs `f`; true when it returned, false when it threw an OtlpDecodeError; anything else fails the property. */
function decodes(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof OtlpDecodeError) return false;
    throw e;
  }
}

/** What a decoded model must satisfy: protobuf and JSON round trips give it back. */
function checkRoundTrip(signal: Signal, model: ExportRequest): void {
  expect(decodeProtobufRequest(signal, encodeProtobufRequest(signal, model))).toEqual(model);
  const json = encodeJsonRequest(signal, model);
  const fromJson = decodeJsonRequest(signal, json);
  expect(encodeJsonRequest(signal, fromJson)).toBe(json);
}

const seeds: { signal: Signal; bytes: Uint8Array; json: string }[] = [];
for (const [signal, model] of [
  ['traces', richTraces],
  ['metrics', richMetrics],
  ['logs', richLogs],
] as const) {
  seeds.push({ signal, bytes: encodeProtobufRequest(signal, model), json: encodeJsonRequest(signal, model) });
}
const traces = sdkTraces();
seeds.push({ signal: 'traces', bytes: traces.protobuf, json: traces.json });
const logs = sdkLogs();
seeds.push({ signal: 'logs', bytes: logs.protobuf, json: logs.json });

/** A mutation of a byte string: flips, overwrites, insertions, deletions, truncation. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(input: Uint8Array, mutations: Mutation[]): Uint8Array {
  let b = Uint8Array.from(input);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.op) {
      case 'flip':
        b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'set':
        b[at] = m.value;
        break;
      case 'insert': {
        const out = new Uint8Array(b.length + m.bytes.length);
        out.set(b.subarray(0, at));
        out.set(m.bytes, at);
        out.set(b.subarray(at), at + m.bytes.length);
        b = out;
        break;
      }
      case 'delete':
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.length)]);
        break;
      case 'truncate':
        b = b.slice(0, at);
        break;
    }
  }
  return b;
}

describe('protobuf decoder, hostile input', () => {
  it('random bytes: returns or throws OtlpDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIGNALS), fc.uint8Array({ maxLength: 400 }), (signal, bytes) => {
        let model: ExportRequest | undefined;
        if (decodes(() => (model = decodeProtobufRequest(signal, bytes)))) checkRoundTrip(signal, model!);
      }),
      { numRuns: RUNS },
    );
  });

  it('random bytes that look like protobuf (valid keys, nested lengths): returns or throws OtlpDecodeError', () => {
    // Generates sequences of plausible fields so the decoder gets past the first byte more often.
    const field: fc.Memo<Uint8Array> = fc.memo((n) =>
      fc.oneof(
        { depthSize: 'small' },
        fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })).map(([no, v]) => Uint8Array.from([...varint(no << 3), ...varint(v)])),
        fc.tuple(fc.integer({ min: 1, max: 20 }), fc.uint8Array({ minLength: 8, maxLength: 8 })).map(([no, v]) => Uint8Array.from([...varint((no << 3) | 1), ...v])),
        fc.tuple(fc.integer({ min: 1, max: 20 }), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([no, v]) => Uint8Array.from([...varint((no << 3) | 5), ...v])),
        fc.tuple(fc.integer({ min: 1, max: 20 }), n > 1 ? fc.array(field(n - 1), { maxLength: 4 }) : fc.constant<Uint8Array[]>([])).map(([no, parts]) => {
          const content = concat(parts);
          return Uint8Array.from([...varint((no << 3) | 2), ...varint(content.length), ...content]);
        }),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...SIGNALS), fc.array(field(6), { maxLength: 6 }), (signal, parts) => {
        const bytes = concat(parts);
        let model: ExportRequest | undefined;
        if (decodes(() => (model = decodeProtobufRequest(signal, bytes)))) checkRoundTrip(signal, model!);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutations of valid encodings: returns or throws OtlpDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 }), (seed, mutations) => {
        const bytes = mutate(seed.bytes, mutations);
        let model: ExportRequest | undefined;
        if (decodes(() => (model = decodeProtobufRequest(seed.signal, bytes)))) checkRoundTrip(seed.signal, model!);
      }),
      { numRuns: RUNS },
    );
  });

  it('responses and statuses: random bytes return or throw OtlpDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIGNALS), fc.uint8Array({ maxLength: 64 }), (signal, bytes) => {
        decodes(() => decodeProtobufResponse(signal, bytes));
        decodes(() => decodeProtobufStatus(bytes));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('JSON decoder, hostile input', () => {
  it('random JSON values: returns or throws OtlpDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIGNALS), fc.jsonValue({ maxDepth: 6 }), (signal, value) => {
        let model: ExportRequest | undefined;
        if (decodes(() => (model = decodeJsonRequest(signal, JSON.stringify(value))))) checkRoundTrip(signal, model!);
      }),
      { numRuns: RUNS },
    );
  });

  it('valid requests with a random subtree replaced: returns or throws OtlpDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.nat(), fc.jsonValue({ maxDepth: 3 }), (seed, pick, replacement) => {
        const doc = JSON.parse(seed.json) as unknown;
        replaceSubtree(doc, pick, replacement);
        let model: ExportRequest | undefined;
        if (decodes(() => (model = decodeJsonRequest(seed.signal, JSON.stringify(doc))))) checkRoundTrip(seed.signal, model!);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated JSON text (bytes): returns or throws OtlpDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 3 }), (seed, mutations) => {
        const bytes = mutate(new TextEncoder().encode(seed.json), mutations);
        let model: ExportRequest | undefined;
        if (decodes(() => (model = decodeJsonRequest(seed.signal, bytes)))) checkRoundTrip(seed.signal, model!);
      }),
      { numRuns: RUNS },
    );
  });

  it('responses and statuses: random text returns or throws OtlpDecodeError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIGNALS), fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (signal, text) => {
        decodes(() => decodeJsonResponse(signal, text));
        decodes(() => decodeJsonStatus(text));
      }),
      { numRuns: RUNS },
    );
  });
});

/** Replaces the pick-th node (in a depth-first walk) of a parsed JSON document. */
function replaceSubtree(doc: unknown, pick: number, replacement: unknown): void {
  const slots: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        slots.push({ parent: v, key: i });
        walk(x);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        slots.push({ parent: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  walk(doc);
  if (slots.length === 0) return;
  const slot = slots[pick % slots.length]!;
  (slot.parent as Record<string | number, unknown>)[slot.key] = replacement;
}

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('metrics fixtures under mutation', async () => {
  const metrics = await sdkMetrics();
  it('mutations of the SDK metrics encoding: returns or throws OtlpDecodeError', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const bytes = mutate(metrics.protobuf, mutations);
        let model: ExportRequest | undefined;
        if (decodes(() => (model = decodeProtobufRequest('metrics', bytes)))) checkRoundTrip('metrics', model!);
      }),
      { numRuns: RUNS },
    );
  });
});
