import { OVERFLOW_LABEL_VALUE } from './bounded-series-index';
import { SPAN_KIND_LABELS } from './span-kind-names';

type ByKind<S> = (Map<string, S> | undefined)[];

/**
 * Finds a key's state from (service, span kind, operation) without building
 * a key string per span: a Map per service, an array slot per span kind
 * (OTLP numbers 0..5) and a Map per operation. At most `maxKeys` keys are
 * created; every further key shares one overflow state whose labels are
 * all `__overflow__` (as the SLO engine's series cap), so memory is bounded
 * whatever the traffic's cardinality. Unlike the SLO engine's index, keys
 * can be deleted (idle keys are evicted), which frees their slot.
 *
 * Invariant: size ≤ maxKeys, plus the overflow state once used.
 */
export class BaselineKeyIndex<S> {
  private readonly byService = new Map<string, ByKind<S>>();
  private count = 0;
  private overflow: S | undefined;

  /**
   * @param maxKeys keys created before overflowing (≥ 1)
   * @param create builds a key's state (called once per key; labels are `__overflow__` for the overflow state)
   */
  constructor(
    private readonly maxKeys: number,
    private readonly create: (service: string, kind: number, operation: string, overflow: boolean) => S,
  ) {}

  /** Keys held, the overflow state not included. */
  get size(): number {
    return this.count;
  }

  get overflowState(): S | undefined {
    return this.overflow;
  }

  /** The key's state, created (or the overflow state) when new. O(1). */
  get(service: string, kind: number, operation: string): S {
    const byKind = this.byService.get(service);
    const found = byKind?.[kind]?.get(operation);
    return found !== undefined ? found : this.insert(service, kind, operation);
  }

  /** The key's own state, never created and never the overflow state. */
  find(service: string, kind: number, operation: string): S | undefined {
    return this.byService.get(service)?.[kind]?.get(operation);
  }

  /** Forgets a key; true when it was held. */
  delete(service: string, kind: number, operation: string): boolean {
    const byKind = this.byService.get(service);
    const operations = byKind?.[kind];
    if (operations === undefined || !operations.delete(operation)) return false;
    this.count--;
    if (operations.size === 0) {
      (byKind as ByKind<S>)[kind] = undefined;
      if ((byKind as ByKind<S>).every((m) => m === undefined)) this.byService.delete(service);
    }
    return true;
  }

  /**
   * Takes `state` (built elsewhere, e.g. restored from a snapshot) as the
   * key's state when the key is not held and a slot is free; false (and
   * nothing changed) otherwise.
   */
  adopt(service: string, kind: number, operation: string, state: S): boolean {
    if (this.count >= this.maxKeys || this.find(service, kind, operation) !== undefined) return false;
    this.place(service, kind, operation, state);
    return true;
  }

  /** Takes `state` as the overflow state unless one exists; false (and nothing changed) otherwise. */
  adoptOverflow(state: S): boolean {
    if (this.overflow !== undefined) return false;
    this.overflow = state;
    return true;
  }

  /** Visits every key's state, the overflow state last. The callback must not add or delete keys. */
  forEach(visit: (state: S) => void): void {
    for (const byKind of this.byService.values()) {
      for (const operations of byKind) {
        if (operations === undefined) continue;
        for (const state of operations.values()) visit(state);
      }
    }
    if (this.overflow !== undefined) visit(this.overflow);
  }

  private insert(service: string, kind: number, operation: string): S {
    if (this.count >= this.maxKeys) {
      this.overflow ??= this.create(OVERFLOW_LABEL_VALUE, kind, OVERFLOW_LABEL_VALUE, true);
      return this.overflow;
    }
    const state = this.create(service, kind, operation, false);
    this.place(service, kind, operation, state);
    return state;
  }

  private place(service: string, kind: number, operation: string, state: S): void {
    let byKind = this.byService.get(service);
    if (byKind === undefined) {
      byKind = new Array<Map<string, S> | undefined>(SPAN_KIND_LABELS.length).fill(undefined);
      this.byService.set(service, byKind);
    }
    let operations = byKind[kind];
    if (operations === undefined) {
      operations = new Map();
      byKind[kind] = operations;
    }
    operations.set(operation, state);
    this.count++;
  }
}
