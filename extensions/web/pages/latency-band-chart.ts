import { decimate } from '../../../src/report/burn-down-chart';
import { formatTime } from '../../../src/report/report-format';
import type { LatencyPoint } from './service-view';

/*
 * An inline SVG of one operation's p95 latency against the baseline band:
 * the band (expected low..high) as a filled area, the p95 as a line, both
 * broken where an interval has no value (no spans, or the baseline still
 * learning). Drawn by hand like the report's burn-down chart, no script.
 * Bounded: at most `maxPoints` points (about 30 bytes each in the output).
 */

export interface LatencyChartOptions {
  /** @default 640 */
  readonly width?: number;
  /** @default 160 */
  readonly height?: number;
  /** @default 300 */
  readonly maxPoints?: number;
}

const MARGIN = { left: 56, right: 12, top: 10, bottom: 24 } as const;

function fixed(value: number): string {
  const text = value.toFixed(1);
  return text === '-0.0' ? '0.0' : text;
}

/** Runs of consecutive points where `value` is not null. */
function runs(points: readonly LatencyPoint[], value: (point: LatencyPoint) => boolean): LatencyPoint[][] {
  const result: LatencyPoint[][] = [];
  let current: LatencyPoint[] = [];
  for (const point of points) {
    if (value(point)) current.push(point);
    else if (current.length > 0) {
      result.push(current);
      current = [];
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

/** The chart over [fromMs, toMs]; `points` oldest first; `title` is escaped with `escape`. */
export function renderLatencyBandSvg(
  points: readonly LatencyPoint[],
  fromMs: number,
  toMs: number,
  title: string,
  escape: (text: string) => string,
  options: LatencyChartOptions = {},
): string {
  const width = options.width ?? 640;
  const height = options.height ?? 160;
  const drawn = decimate(points, options.maxPoints ?? 300);
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  const top = MARGIN.top;
  const bottom = height - MARGIN.bottom;
  let yMax = 0;
  for (const point of drawn) yMax = Math.max(yMax, point.p95Ms ?? 0, point.expectedHighMs ?? 0);
  // Headroom above the highest value; 1 ms at least so an all-zero series has an axis.
  yMax = Math.max(1, yMax * 1.1);
  const span = Math.max(1, toMs - fromMs);
  const x = (ms: number): number => left + ((Math.min(Math.max(ms, fromMs), toMs) - fromMs) / span) * (right - left);
  const y = (ms: number): number => bottom - (Math.max(0, ms) / yMax) * (bottom - top);
  const parts = [
    `<svg class="latency" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escape(title)}">`,
    `<title>${escape(title)}</title>`,
    `<rect class="plot" x="${left}" y="${top}" width="${right - left}" height="${bottom - top}"/>`,
    `<line class="axis" x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}"/>`,
    `<text class="y-label" x="${left - 4}" y="${top + 8}" text-anchor="end">${yMax.toFixed(0)} ms</text>`,
    `<text class="y-label" x="${left - 4}" y="${bottom}" text-anchor="end">0</text>`,
    `<text class="x-label" x="${left}" y="${height - 6}" text-anchor="start">${formatTime(fromMs)}</text>`,
    `<text class="x-label" x="${right}" y="${height - 6}" text-anchor="end">${formatTime(toMs)}</text>`,
  ];
  const banded = runs(drawn, (p) => p.expectedLowMs !== null && p.expectedHighMs !== null);
  if (banded.length > 0) {
    const areas = banded.map((run) => {
      const upper = run.map((p) => `${fixed(x(p.endMs))},${fixed(y(p.expectedHighMs ?? 0))}`);
      const lower = [...run].reverse().map((p) => `${fixed(x(p.endMs))},${fixed(y(p.expectedLowMs ?? 0))}`);
      return `M${[...upper, ...lower].join(' L')} Z`;
    });
    parts.push(`<path class="band" d="${areas.join(' ')}"/>`);
  }
  const lines = runs(drawn, (p) => p.p95Ms !== null).map((run) => `M${run.map((p) => `${fixed(x(p.endMs))},${fixed(y(p.p95Ms ?? 0))}`).join(' L')}`);
  if (lines.length > 0) parts.push(`<path class="p95" d="${lines.join(' ')}"/>`);
  else parts.push(`<text class="empty" x="${fixed((left + right) / 2)}" y="${fixed((top + bottom) / 2)}" text-anchor="middle">no latency data</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
