// Small statistics helpers shared by the benchmarks.

/** Median of the finite numbers in `values`; NaN when there are none. */
export function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

export function min(values) {
  const v = values.filter(Number.isFinite);
  return v.length === 0 ? NaN : Math.min(...v);
}

export function max(values) {
  const v = values.filter(Number.isFinite);
  return v.length === 0 ? NaN : Math.max(...v);
}

/** Rounds for JSON output, keeping NaN/Infinity out (JSON would turn them into null anyway). */
export function round(x, digits = 2) {
  if (typeof x !== 'number' || !Number.isFinite(x)) return null;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
