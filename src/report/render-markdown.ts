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
 * The SLO report as GitHub-flavoured Markdown, the form teams paste into a
 * review: a summary table (least budget first), then one section per SLO
 * with its incidents, anomalies, regressions and recommendations.
 * Deterministic (fixed digits, UTC times), so it can be compared byte for byte.
 */
export function renderSloReportMarkdown(report: SloReport): string {
  const { period, summary } = report;
  const lines: string[] = [
    `# SLO report: ${inline(period.label)}`,
    '',
    `${formatTime(period.fromMs)} to ${formatTime(period.toMs)} (${formatDuration(period.toMs - period.fromMs)}). ` +
      `${report.slos.length} SLOs: ${summary.ok} ok, ${summary.atRisk} at risk, ${summary.exhausted} exhausted ` +
      `(at risk: ${formatPercent(report.atRiskBelow, 0)} of the budget or less remaining).`,
    '',
    ...report.notes.flatMap((note) => [`> Note: ${inline(note)}`, '']),
  ];
  if (report.slos.length === 0) {
    lines.push('No SLOs in this report.', '');
    return lines.join('\n');
  }
  lines.push(
    row(['SLO', 'service', 'SLI', 'objective', 'attained', 'events', 'budget consumed', 'budget remaining', 'status']),
    '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const slo of report.slos) {
    lines.push(
      row([
        slo.name,
        slo.service ?? '(all)',
        formatSli(slo.sli),
        formatObjective(slo.objective),
        formatPercent(slo.attainedSli, 3),
        String(slo.totalEvents),
        formatPercent(slo.budgetConsumed, 1),
        formatPercent(slo.budgetRemaining, 1),
        formatStatus(slo.status),
      ]),
    );
  }
  lines.push('');
  for (const slo of report.slos) lines.push(...section(slo));
  return lines.join('\n');
}

function section(slo: SloReportEntry): string[] {
  const lines = [
    `## ${inline(slo.name)}`,
    '',
    `${inline(formatSli(slo.sli))} of ${slo.service === null ? 'every service' : `\`${code(slo.service)}\``}, objective ${formatObjective(slo.objective)}: ` +
      `attained ${formatPercent(slo.attainedSli, 3)} over ${slo.totalEvents} events (${slo.badEvents} bad); ` +
      `budget consumed ${formatPercent(slo.budgetConsumed, 1)}, remaining ${formatPercent(slo.budgetRemaining, 1)}: **${formatStatus(slo.status)}**.`,
    '',
  ];
  const last = slo.burnDown.at(-1);
  if (last !== undefined) {
    const lowest = slo.burnDown.reduce((low, point) => (point.budgetRemaining < low.budgetRemaining ? point : low));
    lines.push(
      `Burn-down: ${slo.burnDown.length} points, lowest ${formatPercent(lowest.budgetRemaining, 1)} at ${formatTime(lowest.atMs)}, ` +
        `last ${formatPercent(last.budgetRemaining, 1)} at ${formatTime(last.atMs)}.`,
      '',
    );
  }
  lines.push('### Incidents', '');
  if (slo.incidents.length === 0) lines.push('None.', '');
  else {
    lines.push(row(['severity', 'start', 'end', 'duration', 'budget spent']), '| --- | --- | --- | ---: | ---: |');
    for (const incident of slo.incidents) {
      lines.push(
        row([
          incident.severity,
          formatTime(incident.startMs),
          incident.endMs === null ? 'still firing' : formatTime(incident.endMs),
          incident.endMs === null ? 'n/a' : formatDuration(incident.endMs - incident.startMs),
          formatPercent(incident.budgetSpent, 1),
        ]),
      );
    }
    lines.push('');
  }
  lines.push('### Anomalies', '');
  if (slo.anomalies.length === 0) lines.push('None.', '');
  else {
    for (const anomaly of slo.anomalies) lines.push(`- ${formatTime(anomaly.atMs)} \`${code(anomaly.operation)}\`: ${inline(describeReportAnomaly(anomaly))}`);
    lines.push('');
  }
  lines.push('### Regressions', '');
  if (slo.regressions.length === 0) lines.push('None.', '');
  else {
    for (const regression of slo.regressions) {
      lines.push(`- ${formatTime(regression.atMs)} \`${code(regression.operation)}\` ${regression.outcome}: ${inline(describeReportRegression(regression))}`);
    }
    lines.push('');
  }
  lines.push('### Recommendations', '');
  if (slo.recommendations.length === 0) lines.push('None.', '');
  else {
    lines.push(row(['severity', 'recommendation', 'type', 'saves per request', 'id']), '| --- | --- | --- | ---: | --- |');
    for (const recommendation of slo.recommendations) {
      lines.push(row([recommendation.severity, recommendation.title, recommendation.type, formatMs(recommendation.impact.perRequestMs), recommendation.id]));
    }
    lines.push('');
  }
  return lines;
}

/** Text on one line with Markdown's inline markup characters escaped. */
function inline(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

/** Text inside a code span: backticks cannot be escaped there, so they become quotes. */
function code(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/`/g, "'");
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(inline).join(' | ')} |`;
}
