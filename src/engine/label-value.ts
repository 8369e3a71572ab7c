/**
 * Longest label value slowatch keeps, in UTF-16 code units. Span names,
 * `http.route`, `service.name` and `group_by` attribute values become
 * series labels (and Prometheus label values); the series caps bound how
 * many there are, this bounds how big each is. Without it, one span with a
 * 1 MiB name held as a series label would cost 1 MiB for as long as the
 * series lives, and again on every /metrics scrape. 256 is far above any
 * real route or service name and below what a label-based UI shows.
 */
export const MAX_LABEL_VALUE_LENGTH = 256;

/**
 * `value`, or its first 255 code units and `…` when it is longer than
 * MAX_LABEL_VALUE_LENGTH. Allocates only for an over-long value; two long
 * values with the same prefix share one series, which is the point.
 */
export function boundedLabelValue(value: string): string {
  if (value.length <= MAX_LABEL_VALUE_LENGTH) return value;
  // Do not split a surrogate pair: drop a dangling high surrogate.
  let end = MAX_LABEL_VALUE_LENGTH - 1;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${value.slice(0, end)}…`;
}
