/**
 * A benchmark history: successive runs (points, oldest first) and, for each
 * metric, its value at each point. This is what `slowatch regress` analyses,
 * whatever file format it came from.
 *
 * Memory: one slot per point and metric (8–16 bytes each in V8) plus the
 * points' labels; the readers bound it through the size of the files they
 * accept (`MAX_HISTORY_FILE_BYTES`).
 */
export interface HistoryPoint {
  /** The time as written in the file, when there is one. */
  readonly time?: string;
  /** The same time in milliseconds since the epoch. */
  readonly timestampMs?: number;
  readonly commit?: string;
  readonly version?: string;
  /** The file the point came from, as the user named it. */
  readonly file: string;
  /** Where in that file: `line 7`, `[3]`, or '' when the point is the whole file (one hyperfine run). */
  readonly location: string;
}

export interface HistoryMetric {
  readonly name: string;
  /** One entry per point of the history, null where that point has no value. */
  readonly values: readonly (number | null)[];
}

export interface BenchmarkHistory {
  readonly points: readonly HistoryPoint[];
  /** In order of first appearance. */
  readonly metrics: readonly HistoryMetric[];
  /** Columns or fields seen that hold no numbers (e.g. `branch`), so not metrics; for error messages. */
  readonly ignoredFields: readonly string[];
}

/** Accumulates points and metric values, keeping every metric aligned with the points. */
export class HistoryBuilder {
  private readonly points: HistoryPoint[] = [];
  private readonly metricValues = new Map<string, (number | null)[]>();
  private readonly ignored = new Set<string>();

  /** Starts a new point; the values set next belong to it. */
  addPoint(point: HistoryPoint): void {
    this.points.push(point);
  }

  /** Sets `metric`'s value at the newest point (null = missing). */
  setValue(metric: string, value: number | null): void {
    let values = this.metricValues.get(metric);
    if (values === undefined) {
      values = [];
      this.metricValues.set(metric, values);
    }
    while (values.length < this.points.length - 1) values.push(null);
    if (values.length === this.points.length) values[values.length - 1] = value;
    else values.push(value);
  }

  /** Notes a field that holds no numbers. */
  ignoreField(name: string): void {
    this.ignored.add(name);
  }

  /** Appends every point and value of `history`. */
  append(history: BenchmarkHistory): void {
    const offset = this.points.length;
    for (const point of history.points) this.points.push(point);
    for (const metric of history.metrics) {
      let values = this.metricValues.get(metric.name);
      if (values === undefined) {
        values = [];
        this.metricValues.set(metric.name, values);
      }
      while (values.length < offset) values.push(null);
      for (const value of metric.values) values.push(value);
    }
    for (const name of history.ignoredFields) this.ignored.add(name);
  }

  build(): BenchmarkHistory {
    const length = this.points.length;
    const metrics = [...this.metricValues].map(([name, values]) => {
      const aligned = values.slice(0, length);
      while (aligned.length < length) aligned.push(null);
      return { name, values: aligned };
    });
    const metricNames = new Set(this.metricValues.keys());
    return { points: [...this.points], metrics, ignoredFields: [...this.ignored].filter((name) => !metricNames.has(name)) };
  }
}
