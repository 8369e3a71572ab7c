import { formatDuration as formatConfigDuration } from '../../../src/config/duration';
import { renderBurnDownSvg } from '../../../src/report/burn-down-chart';
import { escapeHtml } from '../../../src/report/render-html';
import {
  describeReportAnomaly,
  describeReportRegression,
  formatDuration,
  formatMs,
  formatObjective,
  formatPercent,
  formatSli,
  formatTime,
} from '../../../src/report/report-format';
import { pageLink, renderPage, statusBadge } from './page-layout';
import type { BurnRateRow, SloDetail } from './slo-detail';

/*
 * The SLO detail page: the figures, the burn-down chart (the report's SVG,
 * `svg.burn-down` with `polyline.budget`), the burn-rate table
 * (`table#burn-rates`, a `tr[data-firing]` per rule), incidents
 * (`table#incidents`), anomalies, regressions and recommendations.
 */

function burnRateRow(row: BurnRateRow): string {
  const state = !row.enabled ? 'off' : row.firing ? 'firing' : 'ok';
  const rate = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '∞');
  return (
    `<tr data-severity="${row.severity}" data-speed="${row.speed}" data-firing="${row.firing}" class="${row.firing ? 'firing' : 'quiet'}">` +
    `<td>${row.severity}</td><td>${row.speed}</td><td>${formatConfigDuration(row.short.windowMs)} / ${formatConfigDuration(row.long.windowMs)}</td>` +
    `<td class="num">${row.errorBudgetPercent}%</td><td class="num" data-field="factor" data-value="${row.factor}">${rate(row.factor)}</td>` +
    `<td class="num" data-field="short-burn-rate" data-value="${row.short.burnRate}">${rate(row.short.burnRate)}</td>` +
    `<td class="num" data-field="long-burn-rate" data-value="${row.long.burnRate}">${rate(row.long.burnRate)}</td>` +
    `<td class="num">${row.short.goodEvents + row.short.badEvents}</td><td data-field="state">${state}</td></tr>`
  );
}

export function renderSloDetailPage(detail: SloDetail): string {
  const { slo, period } = detail;
  const parts: string[] = [
    `<p id="figures" data-slo="${escapeHtml(slo.name)}" data-status="${slo.status}">${statusBadge(slo.status)} ${escapeHtml(formatSli(slo.sli))} of ` +
      `${slo.service === null ? 'every service' : `<a href="${escapeHtml(pageLink('/services/', slo.service))}"><code>${escapeHtml(slo.service)}</code></a>`}, ` +
      `objective ${formatObjective(slo.objective)} over ${escapeHtml(period.label)} ` +
      `(<time datetime="${formatTime(period.fromMs)}">${formatTime(period.fromMs)}</time> to <time datetime="${formatTime(period.toMs)}">${formatTime(period.toMs)}</time>): ` +
      `attained <span data-field="attained-sli" data-value="${slo.attainedSli ?? ''}">${formatPercent(slo.attainedSli, 3)}</span> over ` +
      `<span data-field="events" data-value="${slo.totalEvents}">${slo.totalEvents}</span> events (${slo.badEvents} bad); budget consumed ${formatPercent(slo.budgetConsumed, 1)}, ` +
      `remaining <span data-field="budget-remaining" data-value="${slo.budgetRemaining}">${formatPercent(slo.budgetRemaining, 1)}</span>.</p>`,
    '<h2>Error budget burn-down</h2>',
    `<figure id="burn-down">${renderBurnDownSvg(slo.burnDown, period, `Error budget remaining of ${slo.name}`, escapeHtml)}</figure>`,
    '<h2>Burn rates</h2>',
  ];
  if (detail.burnRates.length === 0) parts.push('<p>No alert rules.</p>');
  else {
    parts.push(
      '<table id="burn-rates">',
      '<thead><tr><th>severity</th><th>speed</th><th>windows (short / long)</th><th>budget</th><th>threshold</th><th>short burn rate</th><th>long burn rate</th><th>short events</th><th>state</th></tr></thead>',
      '<tbody>',
      ...detail.burnRates.map(burnRateRow),
      '</tbody>',
      '</table>',
      `<p class="muted">A rule fires while both burn rates exceed its threshold${detail.minEvents > 0 ? ` and the short window counted at least ${detail.minEvents} events` : ''}; ` +
        'computed from the stored rollups of all the SLO\'s series together (the engine alerts per series, so with group_by one series can fire ' +
        'while the sum stays quiet), and it can trail the live alert by one rollup interval.</p>',
    );
  }
  parts.push('<h2>Incidents</h2>');
  if (slo.incidents.length === 0) parts.push('<p id="no-incidents">None in this period.</p>');
  else {
    parts.push('<table id="incidents">', '<thead><tr><th>severity</th><th>start</th><th>end</th><th>duration</th><th>budget spent</th></tr></thead>', '<tbody>');
    for (const incident of slo.incidents) {
      parts.push(
        `<tr data-severity="${incident.severity}"><td>${incident.severity}</td><td>${formatTime(incident.startMs)}</td><td>${incident.endMs === null ? 'still firing' : formatTime(incident.endMs)}</td>` +
          `<td class="num">${incident.endMs === null ? 'n/a' : formatDuration(incident.endMs - incident.startMs)}</td><td class="num">${formatPercent(incident.budgetSpent, 1)}</td></tr>`,
      );
    }
    parts.push('</tbody>', '</table>');
  }
  parts.push('<h2>Anomalies</h2>');
  if (slo.anomalies.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push(
      '<ul id="anomalies">',
      ...slo.anomalies.map((a) => `<li>${formatTime(a.atMs)} <code>${escapeHtml(a.operation)}</code>: ${escapeHtml(describeReportAnomaly(a))}</li>`),
      '</ul>',
    );
  }
  parts.push('<h2>Regressions</h2>');
  if (slo.regressions.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push(
      '<ul id="regressions">',
      ...slo.regressions.map((r) => `<li>${formatTime(r.atMs)} <code>${escapeHtml(r.operation)}</code> ${escapeHtml(r.outcome)}: ${escapeHtml(describeReportRegression(r))}</li>`),
      '</ul>',
    );
  }
  parts.push('<h2>Recommendations</h2>');
  if (slo.recommendations.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push(
      '<ul id="slo-recommendations">',
      ...slo.recommendations.map(
        (r) => `<li>${escapeHtml(r.severity)}: ${escapeHtml(r.title)} (<code>${escapeHtml(r.type)}</code>, saves ${formatMs(r.impact.perRequestMs)} per request)</li>`,
      ),
      '</ul>',
      '<p><a href="/recommendations">Every recommendation, with its evidence</a></p>',
    );
  }
  return renderPage(`SLO ${slo.name}`, parts.join('\n'));
}
