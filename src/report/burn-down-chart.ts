import { formatDate, formatPercent } from './report-format';
import type { BudgetPoint, ReportPeriod } from './slo-report';

/**
 * An inline SVG chart of an SLO's error budget remaining over the report's
 * period: one polyline, the y axis in percent of the budget (100 % at the
 * top, down to the lowest point when overspent), the zero line dashed, the
 * period's first and last dates under the x axis. Drawn here, with no
 * library and no external asset, so the HTML report stands alone.
 *
 * Deterministic: coordinates with one decimal. Bounded: at most `maxPoints`
 * vertices, whatever the series' length (about 12 bytes each in the output).
 */

export interface BurnDownChartOptions {
  /** @default 640 */
  readonly width?: number;
  /** @default 200 */
  readonly height?: number;
  /**
   * Most vertices drawn; a longer series is decimated evenly, keeping its
   * first and last points. 400 is more than a chart this wide can show.
   * @default 400
   */
  readonly maxPoints?: number;
}

/** The plot area inside the viewBox; the margins hold the axis labels. */
const MARGIN = { left: 52, right: 12, top: 12, bottom: 28 } as const;

/** Evenly spaced points of `points` (first and last kept), at most `maxPoints`. */
export function decimate<T>(points: readonly T[], maxPoints: number): readonly T[] {
  if (points.length <= maxPoints) return points;
  const kept: T[] = [];
  const step = (points.length - 1) / (Math.max(2, maxPoints) - 1);
  for (let index = 0; index < Math.max(2, maxPoints); index++) kept.push(points[Math.round(index * step)] as T);
  return kept;
}

function fixed(value: number): string {
  const text = value.toFixed(1);
  return text === '-0.0' ? '0.0' : text;
}

/**
 * The chart as an `<svg>` element. `points` must be time-ordered (as
 * `buildSloReport` leaves them); `title` is escaped here.
 */
export function renderBurnDownSvg(
  points: readonly BudgetPoint[],
  period: ReportPeriod,
  title: string,
  escape: (text: string) => string,
  options: BurnDownChartOptions = {},
): string {
  const width = options.width ?? 640;
  const height = options.height ?? 200;
  const drawn = decimate(points, options.maxPoints ?? 400);
  const plotLeft = MARGIN.left;
  const plotRight = width - MARGIN.right;
  const plotTop = MARGIN.top;
  const plotBottom = height - MARGIN.bottom;
  // The budget starts at 100 %; the axis reaches further only when a point does.
  const yMax = Math.max(1, ...drawn.map((point) => point.budgetRemaining));
  const yMin = Math.min(0, ...drawn.map((point) => point.budgetRemaining));
  const span = period.toMs - period.fromMs;
  const x = (atMs: number): number => plotLeft + ((Math.min(Math.max(atMs, period.fromMs), period.toMs) - period.fromMs) / span) * (plotRight - plotLeft);
  const y = (value: number): number => plotBottom - ((value - yMin) / (yMax - yMin)) * (plotBottom - plotTop);
  const parts: string[] = [
    `<svg class="burn-down" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escape(title)}">`,
    `<title>${escape(title)}</title>`,
    `<rect class="plot" x="${plotLeft}" y="${plotTop}" width="${plotRight - plotLeft}" height="${plotBottom - plotTop}"/>`,
    `<line class="axis" x1="${plotLeft}" y1="${plotTop}" x2="${plotLeft}" y2="${plotBottom}"/>`,
    `<line class="axis" x1="${plotLeft}" y1="${plotBottom}" x2="${plotRight}" y2="${plotBottom}"/>`,
    `<line class="zero" x1="${plotLeft}" y1="${fixed(y(0))}" x2="${plotRight}" y2="${fixed(y(0))}"/>`,
  ];
  const yLabels = yMin < 0 ? [yMax, 0, yMin] : [yMax, 0];
  for (const value of yLabels) {
    parts.push(`<text class="y-label" x="${plotLeft - 4}" y="${fixed(y(value) + 4)}" text-anchor="end">${formatPercent(value, 0)}</text>`);
  }
  parts.push(
    `<text class="x-label" x="${plotLeft}" y="${height - 8}" text-anchor="start">${formatDate(period.fromMs)}</text>`,
    `<text class="x-label" x="${plotRight}" y="${height - 8}" text-anchor="end">${formatDate(period.toMs)}</text>`,
  );
  if (drawn.length === 0) {
    parts.push(`<text class="empty" x="${fixed((plotLeft + plotRight) / 2)}" y="${fixed((plotTop + plotBottom) / 2)}" text-anchor="middle">no burn-down data</text>`);
  } else {
    const vertices = drawn.map((point) => `${fixed(x(point.atMs))},${fixed(y(point.budgetRemaining))}`).join(' ');
    parts.push(`<polyline class="budget" points="${vertices}"/>`);
  }
  parts.push('</svg>');
  return parts.join('\n');
}
