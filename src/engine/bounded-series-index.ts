/**
 * Finds the series for a label-value tuple without building a key string:
 * a tree of Maps, one level per label. At most `maxSeries` series are created;
 * every further tuple maps to one overflow series, so memory stays bounded
 * whatever the traffic's cardinality. The overflow series carries the value
 * OVERFLOW_LABEL_VALUE in every label.
 *
 * Invariant: size <= maxSeries, plus the overflow series once used.
 */
export const OVERFLOW_LABEL_VALUE = '__overflow__';

type Level<S> = Map<string, Level<S> | S>;

export class BoundedSeriesIndex<S> {
  private readonly root: Level<S> = new Map();
  private readonly all: S[] = [];
  private overflow: S | undefined;

  /**
   * @param depth number of labels in a tuple (>= 1)
   * @param maxSeries series created before overflowing
   * @param create builds a series for its label values (called once per series)
   */
  constructor(
    private readonly depth: number,
    private readonly maxSeries: number,
    private readonly create: (labelValues: readonly string[], overflow: boolean) => S,
  ) {}

  get size(): number {
    return this.all.length;
  }

  get overflowSeries(): S | undefined {
    return this.overflow;
  }

  /** Visits every series, the overflow one last. */
  forEach(visit: (series: S) => void): void {
    for (const s of this.all) visit(s);
    if (this.overflow !== undefined) visit(this.overflow);
  }

  /**
   * The series for the tuple `values[0..depth-1]`. Callers pass a reused
   * array; it is copied only when a new series is created.
   */
  get(values: readonly string[]): S {
    let level = this.root;
    for (let i = 0; i < this.depth - 1; i++) {
      const next = level.get(values[i] as string) as Level<S> | undefined;
      if (next === undefined) return this.insert(values);
      level = next;
    }
    const found = level.get(values[this.depth - 1] as string) as S | undefined;
    return found === undefined ? this.insert(values) : found;
  }

  /**
   * The series already created for the tuple, or undefined; never creates
   * one and never answers with the overflow series.
   */
  find(values: readonly string[]): S | undefined {
    let level: Level<S> | undefined = this.root;
    for (let i = 0; i < this.depth - 1 && level !== undefined; i++) {
      level = level.get(values[i] as string) as Level<S> | undefined;
    }
    return level?.get(values[this.depth - 1] as string) as S | undefined;
  }

  /** Whether `get` of a tuple not yet seen would create a series (rather than answer the overflow series). */
  get hasRoom(): boolean {
    return this.all.length < this.maxSeries;
  }

  /** The overflow series, created now if no tuple overflowed yet (restoring a saved overflow series needs it). */
  getOrCreateOverflow(): S {
    return this.getOverflow();
  }

  private insert(values: readonly string[]): S {
    if (this.all.length >= this.maxSeries) return this.getOverflow();
    let level = this.root;
    for (let i = 0; i < this.depth - 1; i++) {
      const key = values[i] as string;
      let next = level.get(key) as Level<S> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(key, next);
      }
      level = next;
    }
    const series = this.create(values.slice(0, this.depth), false);
    level.set(values[this.depth - 1] as string, series);
    this.all.push(series);
    return series;
  }

  private getOverflow(): S {
    if (this.overflow === undefined) {
      this.overflow = this.create(new Array<string>(this.depth).fill(OVERFLOW_LABEL_VALUE), true);
    }
    return this.overflow;
  }
}
