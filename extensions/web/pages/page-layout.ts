import { escapeHtml } from '../../../src/report/render-html';
import { formatStatus } from '../../../src/report/report-format';
import type { SloReportStatus } from '../../../src/report/slo-report';
import { htmlReply } from '../web-route';
import type { WebReply } from '../web-route';

/*
 * The frame every report page shares: one inline stylesheet (about 2 KB,
 * so a page is one request), a navigation bar, the title. No script: the
 * pages are plain documents, readable in any browser and with curl. Every
 * text that comes from data goes through `escapeHtml`; callers pass the
 * body already escaped.
 */

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
nav{background:#24292f;padding:.5rem 1rem}nav a{color:#fff;margin-right:1rem;text-decoration:none;font-weight:600}
main{max-width:72rem;margin:1rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
.status{font-weight:600;padding:0 .4rem;border-radius:.25rem;white-space:nowrap}
.status-ok{background:#dafbe1;color:#116329}.status-at-risk{background:#fff8c5;color:#7d4e00}.status-exhausted{background:#ffebe9;color:#a40e26}
tr.status-ok td:first-child{border-left:4px solid #1a7f37}tr.status-at-risk td:first-child{border-left:4px solid #bf8700}tr.status-exhausted td:first-child{border-left:4px solid #cf222e}
.firing{background:#ffebe9;color:#a40e26;font-weight:600}.quiet{color:#57606a}
.notice{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem 1rem;border-radius:.25rem}
svg{display:block;max-width:100%;height:auto;font-size:11px}svg .plot{fill:#f6f8fa}svg .axis{stroke:#57606a}svg text{fill:#57606a}
svg.burn-down .zero{stroke:#cf222e;stroke-dasharray:4 3}svg.burn-down .budget{fill:none;stroke:#0969da;stroke-width:2}
svg.latency .band{fill:#0969da;fill-opacity:.15;stroke:none}svg.latency .p95{fill:none;stroke:#8250df;stroke-width:1.5}
code{background:#f6f8fa;padding:0 .2rem}dl.evidence{display:grid;grid-template-columns:max-content auto;gap:0 1rem;margin:0}dl.evidence dt{color:#57606a}dl.evidence dd{margin:0}
.muted{color:#57606a}`;

/** A whole page: `title` is escaped here, `body` must already be HTML. */
export function renderPage(title: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)} · slowatch</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<nav><a href="/slos">SLOs</a><a href="/recommendations">Recommendations</a><a href="/api/v1/slos">JSON</a></nav>',
    '<main>',
    `<h1>${escapeHtml(title)}</h1>`,
    body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A page answering `status` with one message (400, 404, 503): `message` is escaped here. */
export function messagePage(status: number, title: string, message: string): WebReply {
  return htmlReply(status, renderPage(title, `<p class="notice" id="message">${escapeHtml(message)}</p>`));
}

export function statusBadge(status: SloReportStatus): string {
  return `<span class="status status-${status}">${formatStatus(status)}</span>`;
}

/** `/slos/{name}`-style link target with the name percent-encoded. */
export function pageLink(prefix: string, name: string): string {
  return `${prefix}${encodeURIComponent(name)}`;
}
