import type { UniformRandom } from '../stats/mann-whitney/seeded-random';
import type { RegressionVerdict } from './regression-event';
import type { ServiceVersions, TrackedVersion } from './service-versions';
import { VersionSamples } from './version-samples';

/** Sizes every key shares, decided once from the settings. */
export interface KeySampling {
  /** Version slots per key: the service's version limit, since only tracked versions are sampled. */
  readonly maxVersions: number;
  /** Values per generation (half the reservoir size). */
  readonly generationCapacity: number;
  /** Generation length (half the window). */
  readonly generationMs: number;
}

interface VersionSlot {
  versionId: number;
  readonly samples: VersionSamples;
}

/**
 * One key, (service, operation, span kind): a VersionSamples per version of
 * its service that served it, and the verdicts made for it. A slot whose
 * version the service no longer tracks is reused for the next version, so a
 * key never holds more than `maxVersions` slots.
 *
 * Memory: at most maxVersions × reservoir size × 4 bytes of samples (12 KB
 * at the defaults, 3 versions × 1000 samples) plus about 1 KB of objects and
 * the label strings; quiet keys hold less, since reservoirs grow as they fill.
 */
export class RegressionKey {
  private readonly slots: VersionSlot[] = [];
  private lastSlot: VersionSlot | undefined;
  /** Spans seen for this key since start, every version. */
  spans = 0;
  /** Id of the newest version a verdict was made for (one verdict per baseline → version pair); -1 before any. */
  decidedVersionId = -1;
  /** The latest verdict; undefined before any. */
  latest: RegressionVerdict | undefined;
  /** Events made since start, by outcome. */
  regressions = 0;
  improvements = 0;

  /**
   * @param versions the key's service; undefined for the overflow key, which only counts spans
   */
  constructor(
    readonly service: string,
    readonly operation: string,
    readonly spanKind: string,
    readonly versions: ServiceVersions | undefined,
    private readonly sampling: KeySampling,
  ) {}

  /** The overflow key that every key past the limit shares: it counts spans and is never compared. */
  get overflow(): boolean {
    return this.versions === undefined;
  }

  /** Slots in use (for memory figures and tests). */
  get slotCount(): number {
    return this.slots.length;
  }

  /** Bytes of sample storage allocated across the key's slots. */
  get allocatedBytes(): number {
    let bytes = 0;
    for (const slot of this.slots) bytes += slot.samples.allocatedBytes;
    return bytes;
  }

  /** Adds one latency of `version`. O(1) amortized; O(maxVersions) when the span's version changes. */
  record(version: TrackedVersion, durationMs: number, nowMs: number, random: UniformRandom): void {
    let slot = this.lastSlot;
    if (slot === undefined || slot.versionId !== version.id) {
      slot = this.slotFor(version.id, nowMs);
      this.lastSlot = slot;
    }
    slot.samples.add(durationMs, nowMs, random);
  }

  /** The samples held for a version, if any. */
  samplesOf(versionId: number): VersionSamples | undefined {
    for (const slot of this.slots) if (slot.versionId === versionId) return slot.samples;
    return undefined;
  }

  private slotFor(versionId: number, nowMs: number): VersionSlot {
    let reusable: VersionSlot | undefined;
    for (const slot of this.slots) {
      if (slot.versionId === versionId) return slot;
      if (reusable === undefined && this.versions?.find(slot.versionId) === undefined) reusable = slot;
    }
    if (reusable === undefined && this.slots.length < this.sampling.maxVersions) {
      const created: VersionSlot = { versionId, samples: new VersionSamples(this.sampling.generationCapacity, this.sampling.generationMs, nowMs) };
      this.slots.push(created);
      return created;
    }
    // Only tracked versions are sampled, so a stale slot exists once every slot is taken; the oldest is a safe fallback.
    reusable ??= this.slots.reduce((oldest, slot) => (slot.versionId < oldest.versionId ? slot : oldest));
    reusable.versionId = versionId;
    reusable.samples.reset(nowMs);
    return reusable;
  }
}
