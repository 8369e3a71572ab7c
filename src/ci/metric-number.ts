const NUMBER_PATTERN = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A finite number written plainly (`12`, `-0.5`, `1e3`), else undefined; no
 * units, no `NaN`. Number() alone would read `''` as 0 and `0x10` as 16,
 * which in a CSV cell are a missing value and a typo.
 */
export function parseMetricNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMBER_PATTERN.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
