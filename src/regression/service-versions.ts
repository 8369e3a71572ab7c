/** One `service.version` a service has shown. */
export interface TrackedVersion {
  /** Unique within its service and increasing in order of first sighting, so the newest version has the highest id. */
  readonly id: number;
  readonly version: string;
  readonly firstSeenMs: number;
  lastSeenMs: number;
  /** Spans seen with this version since it was first seen. */
  spans: number;
  /**
   * The version this one replaced: the one seen most recently when this one
   * first appeared. -1 for the first version a service shows, which is its
   * starting point, not a deploy. Kept as an id and a string, never as a
   * reference, so evicted versions are not retained through a chain.
   */
  readonly baselineId: number;
  readonly baselineVersion: string;
  /** Set once the deploy was reported (on an evaluation, never from the span path). */
  reported: boolean;
}

/**
 * The versions of one service, newest last: at most `maxVersions`; a new
 * version beyond that evicts the one seen least recently (never the new
 * version's baseline, which is the one seen most recently). Finding a
 * span's version is a comparison with the last one used, else a scan of at
 * most `maxVersions` strings.
 *
 * Memory: about 150 bytes per tracked version plus its string.
 */
export class ServiceVersions {
  private readonly tracked: TrackedVersion[] = [];
  private lastUsed: TrackedVersion | undefined;
  private nextId = 0;
  /** Versions that arrived after the first one (deploys), since start. */
  deploys = 0;

  constructor(
    readonly service: string,
    private readonly maxVersions: number,
  ) {
    if (!Number.isInteger(maxVersions) || maxVersions < 2) throw new RangeError(`maxVersions must be an integer >= 2, got ${maxVersions}`);
  }

  /** Tracked versions, oldest first. */
  get versions(): readonly TrackedVersion[] {
    return this.tracked;
  }

  /** The version most recently first seen; undefined before any span. */
  get newest(): TrackedVersion | undefined {
    return this.tracked[this.tracked.length - 1];
  }

  /** Records one span of `version` at `nowMs` and returns its entry, registering a new version when needed. */
  observe(version: string, nowMs: number): TrackedVersion {
    let entry = this.lastUsed;
    if (entry === undefined || entry.version !== version) {
      entry = this.findByName(version) ?? this.register(version, nowMs);
      this.lastUsed = entry;
    }
    if (nowMs > entry.lastSeenMs) entry.lastSeenMs = nowMs;
    entry.spans++;
    return entry;
  }

  /** The tracked version with this id, or undefined once evicted. */
  find(id: number): TrackedVersion | undefined {
    for (const entry of this.tracked) if (entry.id === id) return entry;
    return undefined;
  }

  private findByName(version: string): TrackedVersion | undefined {
    for (const entry of this.tracked) if (entry.version === version) return entry;
    return undefined;
  }

  private register(version: string, nowMs: number): TrackedVersion {
    let baseline: TrackedVersion | undefined;
    for (const entry of this.tracked) if (baseline === undefined || entry.lastSeenMs >= baseline.lastSeenMs) baseline = entry;
    if (this.tracked.length >= this.maxVersions) this.evictLeastRecentlySeen();
    const entry: TrackedVersion = {
      id: this.nextId++,
      version,
      firstSeenMs: nowMs,
      lastSeenMs: nowMs,
      spans: 0,
      baselineId: baseline?.id ?? -1,
      baselineVersion: baseline?.version ?? '',
      reported: baseline === undefined,
    };
    if (baseline !== undefined) this.deploys++;
    this.tracked.push(entry);
    return entry;
  }

  private evictLeastRecentlySeen(): void {
    let victim = 0;
    for (let i = 1; i < this.tracked.length; i++) {
      if ((this.tracked[i] as TrackedVersion).lastSeenMs < (this.tracked[victim] as TrackedVersion).lastSeenMs) victim = i;
    }
    if (this.tracked[victim] === this.lastUsed) this.lastUsed = undefined;
    this.tracked.splice(victim, 1);
  }
}

/**
 * Whether a new version runs alongside its baseline (a canary, or a rolling
 * deploy still in progress): the baseline served spans after the new
 * version first appeared, and both served spans within the last `windowMs`.
 */
export function runConcurrently(baseline: TrackedVersion, candidate: TrackedVersion, nowMs: number, windowMs: number): boolean {
  return baseline.lastSeenMs > candidate.firstSeenMs && nowMs - baseline.lastSeenMs <= windowMs && nowMs - candidate.lastSeenMs <= windowMs;
}
