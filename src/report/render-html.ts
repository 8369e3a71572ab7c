import { renderBurnDownSvg } from './burn-down-chart';
import type { BurnDownChartOptions } from './burn-down-chart';
import {
  describeReportAnomaly,
  describeReportRegression,
  formatDuration,
  formatMs,
  formatObjective,
  formatPercent,
  formatSli,
  formatStatus,
  formatTime,
} from './report-format';
import type { SloReport, SloReportEntry } from './slo-report';

/**
 * The SLO report as one self-contained HTML page: inline CSS, an inline SVG
 * burn-down chart per SLO, no script, no external asset, so the file can be
 * mailed or attached to a review as is. Every text from the input is
 * escaped. Deterministic (fixed digits, UTC times), so it can be compared
 * byte for byte.
 */

export interface HtmlReportOptions {
  /** Size and resolution of the burn-down charts. */
  readonly chart?: BurnDownChartOptions;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in HTML element content and in double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600;padding:0 .4rem;border-radius:.25rem}
.status-ok{background:#dafbe1;color:#116329}.status-at-risk{background:#fff8c5;color:#7d4e00}.status-exhausted{background:#ffebe9;color:#a40e26}
svg.burn-down{display:block;max-width:100%;height:auto;font-size:11px}
svg.burn-down .plot{fill:#f6f8fa}svg.burn-down .axis{stroke:#57606a}svg.burn-down .zero{stroke:#cf222e;stroke-dasharray:4 3}
svg.burn-down .budget{fill:none;stroke:#0969da;stroke-width:2}svg.burn-down text{fill:#57606a}
code{background:#f6f8fa;padding:0 .2rem}`;

export function renderSloReportHtml(report: SloReport, options: HtmlReportOptions = {}): string {
  const { period, summary } = report;
  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>SLO report: ${escapeHtml(period.label)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    `<h1>SLO report: ${escapeHtml(period.label)}</h1>`,
    `<p><time datetime="${formatTime(period.fromMs)}">${formatTime(period.fromMs)}</time> to <time datetime="${formatTime(period.toMs)}">${formatTime(period.toMs)}</time> ` +
      `(${formatDuration(period.toMs - period.fromMs)}). ${report.slos.length} SLOs: ${summary.ok} ok, ${summary.atRisk} at risk, ${summary.exhausted} exhausted ` +
      `(at risk: ${formatPercent(report.atRiskBelow, 0)} of the budget or less remaining).</p>`,
    ...report.notes.map((note) => `<p class="note">Note: ${escapeHtml(note)}</p>`),
  ];
  if (report.slos.length === 0) parts.push('<p>No SLOs in this report.</p>');
  else {
    parts.push(
      '<table class="summary">',
      '<thead><tr><th>SLO</th><th>service</th><th>SLI</th><th>objective</th><th>attained</th><th>events</th><th>budget consumed</th><th>budget remaining</th><th>status</th></tr></thead>',
      '<tbody>',
    );
    for (const slo of report.slos) {
      parts.push(
        `<tr><td><a href="#${anchor(slo.name)}">${escapeHtml(slo.name)}</a></td><td>${escapeHtml(slo.service ?? '(all)')}</td><td>${escapeHtml(formatSli(slo.sli))}</td>` +
          `<td class="num">${formatObjective(slo.objective)}</td><td class="num">${formatPercent(slo.attainedSli, 3)}</td><td class="num">${slo.totalEvents}</td>` +
          `<td class="num">${formatPercent(slo.budgetConsumed, 1)}</td><td class="num">${formatPercent(slo.budgetRemaining, 1)}</td><td>${statusBadge(slo)}</td></tr>`,
      );
    }
    parts.push('</tbody>', '</table>');
    for (const slo of report.slos) parts.push(...section(slo, report, options));
  }
  parts.push('</body>', '</html>', '');
  return parts.join('\n');
}

function statusBadge(slo: SloReportEntry): string {
  return `<span class="status status-${slo.status}">${formatStatus(slo.status)}</span>`;
}

/** A fragment id from an SLO name: names are [a-z0-9-]+ by config, but the input is not trusted. */
function anchor(name: string): string {
  return `slo-${escapeHtml(name.replace(/[^A-Za-z0-9_-]/g, '_'))}`;
}

function section(slo: SloReportEntry, report: SloReport, options: HtmlReportOptions): string[] {
  const parts = [
    `<section id="${anchor(slo.name)}">`,
    `<h2>${escapeHtml(slo.name)} ${statusBadge(slo)}</h2>`,
    `<p>${escapeHtml(formatSli(slo.sli))} of ${slo.service === null ? 'every service' : `<code>${escapeHtml(slo.service)}</code>`}, objective ${formatObjective(slo.objective)}: ` +
      `attained ${formatPercent(slo.attainedSli, 3)} over ${slo.totalEvents} events (${slo.badEvents} bad); ` +
      `budget consumed ${formatPercent(slo.budgetConsumed, 1)}, remaining ${formatPercent(slo.budgetRemaining, 1)}.</p>`,
    renderBurnDownSvg(slo.burnDown, report.period, `Error budget remaining of ${slo.name}`, escapeHtml, options.chart),
    '<h3>Incidents</h3>',
  ];
  if (slo.incidents.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push('<table class="incidents">', '<thead><tr><th>severity</th><th>start</th><th>end</th><th>duration</th><th>budget spent</th></tr></thead>', '<tbody>');
    for (const incident of slo.incidents) {
      parts.push(
        `<tr><td>${incident.severity}</td><td>${formatTime(incident.startMs)}</td><td>${incident.endMs === null ? 'still firing' : formatTime(incident.endMs)}</td>` +
          `<td class="num">${incident.endMs === null ? 'n/a' : formatDuration(incident.endMs - incident.startMs)}</td><td class="num">${formatPercent(incident.budgetSpent, 1)}</td></tr>`,
      );
    }
    parts.push('</tbody>', '</table>');
  }
  parts.push('<h3>Anomalies</h3>');
  if (slo.anomalies.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push('<ul class="anomalies">');
    for (const anomaly of slo.anomalies) {
      parts.push(`<li>${formatTime(anomaly.atMs)} <code>${escapeHtml(anomaly.operation)}</code>: ${escapeHtml(describeReportAnomaly(anomaly))}</li>`);
    }
    parts.push('</ul>');
  }
  parts.push('<h3>Regressions</h3>');
  if (slo.regressions.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push('<ul class="regressions">');
    for (const regression of slo.regressions) {
      parts.push(
        `<li>${formatTime(regression.atMs)} <code>${escapeHtml(regression.operation)}</code> ${regression.outcome}: ${escapeHtml(describeReportRegression(regression))}</li>`,
      );
    }
    parts.push('</ul>');
  }
  parts.push('<h3>Recommendations</h3>');
  if (slo.recommendations.length === 0) parts.push('<p>None.</p>');
  else {
    parts.push('<table class="recommendations">', '<thead><tr><th>severity</th><th>recommendation</th><th>type</th><th>saves per request</th><th>id</th></tr></thead>', '<tbody>');
    for (const recommendation of slo.recommendations) {
      parts.push(
        `<tr><td>${escapeHtml(recommendation.severity)}</td><td>${escapeHtml(recommendation.title)}</td><td><code>${escapeHtml(recommendation.type)}</code></td>` +
          `<td class="num">${formatMs(recommendation.impact.perRequestMs)}</td><td><code>${escapeHtml(recommendation.id)}</code></td></tr>`,
      );
    }
    parts.push('</tbody>', '</table>');
  }
  parts.push('</section>');
  return parts;
}
