import type { Recommendation } from '../../../src/recommend/recommendation';
import { escapeHtml } from '../../../src/report/render-html';
import { formatMs, formatPercent, formatTime } from '../../../src/report/report-format';
import { pageLink, renderPage } from './page-layout';

/*
 * The recommendations page: the live list of `GET /api/v1/recommendations`
 * (same filters), one `article[data-recommendation=<id>]` each with its
 * impact, evidence and example traces.
 */

function evidenceList(evidence: Recommendation['evidence']): string {
  const entries = Object.entries(evidence);
  if (entries.length === 0) return '';
  const items = entries.map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(Array.isArray(value) ? value.join(' | ') : String(value))}</dd>`);
  return `<dl class="evidence">${items.join('')}</dl>`;
}

function impactLine(recommendation: Recommendation): string {
  const { impact } = recommendation;
  const parts = [
    `saves <span data-field="per-request-ms" data-value="${impact.perRequestMs}">${formatMs(impact.perRequestMs)}</span> per affected request`,
    `${formatPercent(impact.latencyShare, 0)} of its latency`,
    `${formatPercent(impact.affectedShare, 0)} of requests affected`,
  ];
  if (impact.errorBudgetShare !== undefined) {
    parts.push(`${formatPercent(impact.errorBudgetShare, 0)} of the error budget of ${impact.slo === undefined ? 'its latency SLO' : `<a href="${escapeHtml(pageLink('/slos/', impact.slo))}">${escapeHtml(impact.slo)}</a>`}`);
  }
  return parts.join(', ');
}

function article(recommendation: Recommendation, rank: number): string {
  const where = recommendation.operation === '' ? '' : ` <code>${escapeHtml(recommendation.operation)}</code>`;
  const traces = recommendation.exampleTraceIds.length === 0 ? '' : `<p>Example traces: ${recommendation.exampleTraceIds.map((id) => `<code>${escapeHtml(id)}</code>`).join(' ')}</p>`;
  return [
    `<article data-recommendation="${escapeHtml(recommendation.id)}" data-severity="${escapeHtml(recommendation.severity)}" data-status="${escapeHtml(recommendation.status)}">`,
    `<h2>${rank}. ${escapeHtml(recommendation.title)}</h2>`,
    `<p><strong>${escapeHtml(recommendation.severity)}</strong> · <code>${escapeHtml(recommendation.type)}</code> · ` +
      `<a href="${escapeHtml(pageLink('/services/', recommendation.service))}">${escapeHtml(recommendation.service)}</a>${where} · ${escapeHtml(recommendation.status)} · ` +
      `seen ${recommendation.occurrences} times, last ${formatTime(recommendation.lastSeenMs)} · effort ${escapeHtml(recommendation.effort)}, risk ${escapeHtml(recommendation.risk)}</p>`,
    `<p>${impactLine(recommendation)}.</p>`,
    `<p>${escapeHtml(recommendation.advice)}</p>`,
    evidenceList(recommendation.evidence),
    traces,
    '</article>',
  ].join('\n');
}

export function renderRecommendationsPage(recommendations: readonly Recommendation[]): string {
  const body =
    recommendations.length === 0
      ? '<p id="empty">No recommendations: the <code>recommend</code> processors have found nothing, or none is configured.</p>'
      : [`<p id="summary">${recommendations.length} recommendations, highest priority first.</p>`, ...recommendations.map((r, index) => article(r, index + 1))].join('\n');
  return renderPage('Recommendations', body);
}
