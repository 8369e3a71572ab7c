import type { SeasonalProfileState } from './detector-state';
import { readRecord } from '../slo/snapshot-reader';
import { readTypedArray } from './state-reader';

/**
 * A periodic profile (time of day, or hour of week) learned online: one
 * exponentially weighted offset per slot, read back with linear
 * interpolation between slot centres so that a ramp does not turn into a
 * staircase of residuals at slot edges.
 *
 * Each slot is a bias-corrected exponentially weighted mean (the "adjusted"
 * EWMA): `weight ← λ·weight + w`, `offset ← offset + (w / weight)·(y − offset)`.
 * The first value seen in a slot is taken as it is; afterwards the slot
 * forgets with time constant `memoryPeriods` visits of its period, whatever
 * the update spacing, because λ = exp(−dt / (slotWidth · memoryPeriods)) and
 * a slot receives `slotWidth / dt` updates per visit. Updates are clipped by
 * the caller (Huber-style) so a spike cannot bend the profile.
 *
 * This is the seasonal part of Holt–Winters exponential smoothing (Winters
 * 1960), made robust by clipping as in Gelper, Fried & Croux, "Robust
 * forecasting with exponential and Holt–Winters smoothing" (J. Forecasting,
 * 2010).
 *
 * Memory: two Float32Arrays of `slots` entries: `8 × slots` bytes (768 B for
 * 96 daily slots, 1 344 B for 168 weekly slots).
 */
export class SeasonalProfile {
  readonly periodMs: number;
  readonly slots: number;
  readonly slotWidthMs: number;
  /** Typed-array payload: `8 × slots`. */
  readonly bytes: number;

  private readonly offsets: Float32Array;
  private readonly weights: Float32Array;
  private readonly memoryPeriods: number;
  /**
   * Added to the time before taking it modulo the period. With phase 0, slot
   * 0 starts at a multiple of the period since the Unix epoch: 00:00 UTC for
   * days, and Thursday 00:00 UTC for weeks (1970-01-01 was a Thursday).
   */
  private readonly phaseMs: number;

  /**
   * @param periodMs the period (a day, a week)
   * @param slots slots per period
   * @param memoryPeriods time constant of each slot, in periods
   * @param phaseMs added to the time before taking it modulo the period
   */
  constructor(periodMs: number, slots: number, memoryPeriods: number, phaseMs = 0) {
    this.periodMs = periodMs;
    this.slots = slots;
    this.slotWidthMs = periodMs / slots;
    this.memoryPeriods = memoryPeriods;
    this.phaseMs = phaseMs;
    this.offsets = new Float32Array(slots);
    this.weights = new Float32Array(slots);
    this.bytes = this.offsets.byteLength + this.weights.byteLength;
  }

  /** Position of `timeMs` in slot units, in [0, slots). */
  private position(timeMs: number): number {
    const p = ((timeMs + this.phaseMs) % this.periodMs) / this.slotWidthMs;
    return p < 0 ? p + this.slots : p;
  }

  /** The slot `timeMs` falls in. */
  slotOf(timeMs: number): number {
    return Math.min(this.slots - 1, Math.floor(this.position(timeMs)));
  }

  /**
   * The profile at `timeMs`, interpolated linearly between the centres of
   * the two nearest slots (circularly). Slots never updated read as 0 and
   * do not pull their neighbour down: a missing neighbour is replaced by the
   * slot itself.
   */
  valueAt(timeMs: number): number {
    const p = this.position(timeMs) - 0.5;
    const lowerSlot = Math.floor(p);
    const frac = p - lowerSlot;
    const a = (lowerSlot + this.slots) % this.slots;
    const b = (a + 1) % this.slots;
    const haveA = (this.weights[a] ?? 0) > 0;
    const haveB = (this.weights[b] ?? 0) > 0;
    const va = this.offsets[a] ?? 0;
    const vb = this.offsets[b] ?? 0;
    if (haveA && haveB) return va + frac * (vb - va);
    if (haveA) return va;
    if (haveB) return vb;
    return 0;
  }

  /**
   * Moves the slot holding `timeMs` toward `target`. The step toward the
   * target is clipped to ±`maxStep` (Huber-style) once the slot holds
   * anything; the first value of a slot is taken as it is. `dtMs` is the
   * time since the previous update of the series; `sampleWeight` in (0, 1]
   * down-weights values backed by few samples.
   */
  update(timeMs: number, target: number, dtMs: number, sampleWeight: number, maxStep: number): void {
    const s = this.slotOf(timeMs);
    const lambda = Math.exp(-dtMs / (this.slotWidthMs * this.memoryPeriods));
    const before = this.weights[s] ?? 0;
    const weight = before * lambda + sampleWeight;
    const old = this.offsets[s] ?? 0;
    const step = before > 0 ? Math.max(-maxStep, Math.min(maxStep, target - old)) : target - old;
    this.weights[s] = weight;
    this.offsets[s] = old + (sampleWeight / weight) * step;
  }

  /** Adds `delta` to every learned slot (used to keep the profile centred on zero). */
  shift(delta: number): void {
    for (let s = 0; s < this.slots; s++) this.offsets[s] = (this.offsets[s] ?? 0) + delta;
  }

  /** Copies of the learned offsets and weights (see SeasonalProfileState). */
  exportState(): SeasonalProfileState {
    return { offsets: this.offsets.slice(), weights: this.weights.slice() };
  }

  /**
   * Checks that `state` is a profile state with this profile's slot count;
   * throws a TypeError naming the field (under `path`) otherwise. Changes nothing.
   */
  checkState(state: unknown, path: string): SeasonalProfileState {
    const record = readRecord(state, path);
    return {
      offsets: readTypedArray(record, 'offsets', path, 'Float32Array', this.slots),
      weights: readTypedArray(record, 'weights', path, 'Float32Array', this.slots),
    };
  }

  /** Takes over a state `checkState` accepted (copied, never aliased). */
  applyState(state: SeasonalProfileState): void {
    this.offsets.set(state.offsets);
    this.weights.set(state.weights);
  }

  /** checkState then applyState: all or nothing. */
  restoreState(state: unknown, path = 'profile'): void {
    this.applyState(this.checkState(state, path));
  }

  /** Mean offset over the slots learned so far (0 when none). */
  mean(): number {
    let sum = 0;
    let n = 0;
    for (let s = 0; s < this.slots; s++) {
      if ((this.weights[s] ?? 0) > 0) {
        sum += this.offsets[s] ?? 0;
        n++;
      }
    }
    return n === 0 ? 0 : sum / n;
  }
}
