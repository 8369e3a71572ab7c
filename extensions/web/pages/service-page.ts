import { escapeHtml } from '../../../src/report/render-html';
import { formatDuration, formatTime } from '../../../src/report/report-format';
import type { EventView } from './event-query';
import { renderLatencyBandSvg } from './latency-band-chart';
import { renderPage } from './page-layout';
import type { OperationLatency, ServiceView } from './service-view';

/*
 * The service page: one section per operation (`section[data-operation]`)
 * with its p95 against the baseline band (`svg.latency`), then the
 * service's anomalies (`table#anomalies`) and regressions
 * (`table#regressions`). Event details are the stored events' own words
 * (their summary fields), escaped.
 */

function latest(operation: OperationLatency): string {
  const last = [...operation.points].reverse().find((point) => point.p95Ms !== null);
  if (last === undefined || last.p95Ms === null) return 'no spans in the window';
  const band = last.expectedLowMs !== null && last.expectedHighMs !== null ? `, expected ${last.expectedLowMs.toFixed(1)}..${last.expectedHighMs.toFixed(1)} ms` : ', no baseline yet';
  return `latest p95 ${last.p95Ms.toFixed(1)} ms${band}`;
}

function operationSection(operation: OperationLatency, view: ServiceView): string {
  const title = `${operation.operation} (${operation.spanKind}) p95 latency`;
  return [
    `<section data-operation="${escapeHtml(operation.operation)}" data-span-kind="${escapeHtml(operation.spanKind)}">`,
    `<h3><code>${escapeHtml(operation.operation)}</code> <span class="muted">${escapeHtml(operation.spanKind)}</span></h3>`,
    `<p>${operation.count} spans, ${operation.errors} errors; ${escapeHtml(latest(operation))}.</p>`,
    renderLatencyBandSvg(operation.points, view.fromMs, view.toMs, title, escapeHtml),
    '</section>',
  ].join('\n');
}

/** A text field of an event's payload, when it is a string or a number. */
function field(event: EventView, name: string): string | undefined {
  const payload = event.event;
  if (typeof payload !== 'object' || payload === null) return undefined;
  const value = (payload as Record<string, unknown>)[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function eventTable(id: string, events: readonly EventView[], describe: (event: EventView) => string): string {
  if (events.length === 0) return `<p id="${id}-none">None in the window.</p>`;
  return [
    `<table id="${id}">`,
    '<thead><tr><th>time</th><th>operation</th><th>state</th><th>detail</th></tr></thead>',
    '<tbody>',
    ...events.map(
      (event) =>
        `<tr><td>${formatTime(event.atMs)}</td><td><code>${escapeHtml(event.operation ?? '')}</code></td><td>${escapeHtml(event.state ?? event.severity ?? '')}</td>` +
        `<td>${escapeHtml(describe(event))}</td></tr>`,
    ),
    '</tbody>',
    '</table>',
  ].join('\n');
}

const describeAnomaly = (event: EventView): string => {
  const observed = field(event, 'observed');
  return `${field(event, 'signal') ?? 'signal'} observed ${observed ?? 'none'}, score ${field(event, 'score') ?? '?'}`;
};

const describeRegression = (event: EventView): string =>
  `${field(event, 'outcome') ?? 'verdict'}: ${field(event, 'baselineVersion') ?? '?'} → ${field(event, 'version') ?? '?'}, shift ${field(event, 'estimateMs') ?? '?'} ms, ` +
  `effect ×${field(event, 'effectSize') ?? '?'}, p ${field(event, 'pValue') ?? '?'}`;

export function renderServicePage(view: ServiceView): string {
  const parts = [
    `<p id="window">The last ${formatDuration(view.toMs - view.fromMs)}: <time datetime="${formatTime(view.fromMs)}">${formatTime(view.fromMs)}</time> to ` +
      `<time datetime="${formatTime(view.toMs)}">${formatTime(view.toMs)}</time>. The band is the range the baseline expected for p95; the line is the observed p95.</p>`,
    '<h2>Latency</h2>',
    ...view.operations.map((operation) => operationSection(operation, view)),
  ];
  if (view.operationsOmitted > 0) parts.push(`<p class="muted">${view.operationsOmitted} more operations not shown.</p>`);
  parts.push('<h2>Anomalies</h2>', eventTable('anomalies', view.anomalies, describeAnomaly), '<h2>Regressions</h2>', eventTable('regressions', view.regressions, describeRegression));
  return renderPage(`Service ${view.service}`, parts.join('\n'));
}
