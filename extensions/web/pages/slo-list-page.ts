import { escapeHtml } from '../../../src/report/render-html';
import { formatDuration, formatObjective, formatPercent, formatSli, formatTime } from '../../../src/report/report-format';
import { pageLink, renderPage, statusBadge } from './page-layout';
import type { SloList, SloListRow } from './slo-list';

/*
 * The SLO list page. Hooks for tests and scripts: `table#slo-table`, one
 * `tr[data-slo=<name>]` per SLO with `data-status`, and one
 * `td[data-field=<field>]` per figure whose `data-value` holds the exact
 * number of `GET /api/v1/slos` (the cell shows it rounded).
 */

function numberCell(field: string, value: number | null, text: string): string {
  return `<td class="num" data-field="${field}" data-value="${value === null ? '' : String(value)}">${escapeHtml(text)}</td>`;
}

function row(slo: SloListRow, showPeriod: boolean): string {
  const cells = [
    `<td data-field="name"><a href="${escapeHtml(pageLink('/slos/', slo.name))}">${escapeHtml(slo.name)}</a></td>`,
    `<td data-field="service">${escapeHtml(slo.service ?? '(every service)')}</td>`,
    `<td data-field="sli">${escapeHtml(formatSli(slo.sli))}</td>`,
    numberCell('objective', slo.objective, formatObjective(slo.objective)),
    numberCell('attained-sli', slo.attainedSli, formatPercent(slo.attainedSli, 3)),
    numberCell('budget-remaining', slo.budgetRemaining, formatPercent(slo.budgetRemaining, 1)),
    numberCell('events', slo.totalEvents, String(slo.totalEvents)),
    numberCell('bad-events', slo.badEvents, String(slo.badEvents)),
    numberCell('open-incidents', slo.openIncidents, String(slo.openIncidents)),
    `<td data-field="status">${statusBadge(slo.status)}</td>`,
  ];
  if (showPeriod) cells.push(`<td data-field="period">${escapeHtml(slo.period.label)}</td>`);
  return `<tr class="status-${slo.status}" data-slo="${escapeHtml(slo.name)}" data-status="${slo.status}">${cells.join('')}</tr>`;
}

export function renderSloListPage(list: SloList): string {
  const { summary } = list;
  const parts: string[] = [];
  const periods = new Set(list.slos.map((slo) => slo.period.label));
  const over =
    list.period !== null
      ? `over the last ${escapeHtml(list.period)}`
      : periods.size === 1
        ? `over ${escapeHtml([...periods][0] ?? '')}, each SLO's period`
        : 'each over its own period';
  parts.push(
    `<p id="summary">${list.slos.length} SLOs ${over}: <span data-count="ok">${summary.ok}</span> ok, <span data-count="at-risk">${summary.atRisk}</span> at risk, ` +
      `<span data-count="exhausted">${summary.exhausted}</span> exhausted. Read at <time datetime="${formatTime(list.generatedAtMs)}">${formatTime(list.generatedAtMs)}</time>.</p>`,
    '<p id="periods">Period: <a href="/slos">each SLO\'s own</a> · <a href="/slos?period=1d">1d</a> · <a href="/slos?period=7d">7d</a> · <a href="/slos?period=30d">30d</a></p>',
  );
  if (list.slos.length === 0) {
    parts.push('<p id="empty">The store has no SLOs yet: they appear once the gateway has run with an <code>slo</code> processor and written its first snapshot.</p>');
    return renderPage('SLOs', parts.join('\n'));
  }
  const showPeriod = periods.size > 1;
  parts.push(
    '<table id="slo-table">',
    '<thead><tr><th>SLO</th><th>service</th><th>SLI</th><th>objective</th><th>attained</th><th>budget remaining</th><th>events</th><th>bad</th><th>open incidents</th><th>status</th>' +
      `${showPeriod ? '<th>period</th>' : ''}</tr></thead>`,
    '<tbody>',
    ...list.slos.map((slo) => row(slo, showPeriod)),
    '</tbody>',
    '</table>',
  );
  const first = list.slos[0];
  if (first !== undefined) {
    parts.push(
      `<p class="muted">Periods end now; ${escapeHtml(first.period.label)} is ${formatDuration(first.period.toMs - first.period.fromMs)}. ` +
        `Least budget remaining first; at risk: ${formatPercent(list.atRiskBelow, 0)} of the budget or less remaining.</p>`,
    );
  }
  return renderPage('SLOs', parts.join('\n'));
}
