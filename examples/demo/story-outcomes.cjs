'use strict';
/**
 * Reads what the story should have produced from the gateway, as a visitor
 * of the report page would: the page alert, the regression of the slower
 * version and the N+1 recommendation. The demo prints each once it shows.
 *
 *   const outcomes = await readOutcomes('http://127.0.0.1:8888', { service: 'shop', version: '1.1.0' });
 *   // { alert: { summary, source }, regression: undefined, recommendation: { summary, source } }
 *
 * Sources: the alert and the regression from `GET /api/v1/events` (newest
 * first; each row `{ id, atMs, kind, slo, service, operation, severity,
 * state, event }`, `event` being the engine's own event object), the
 * recommendation from `GET /api/v1/recommendations`.
 *
 * Every request is bounded by REQUEST_TIMEOUT_MS; an unreachable gateway or
 * an error answer reads as "nothing yet".
 */

const REQUEST_TIMEOUT_MS = 3_000;
/** Events asked for (alerts and regressions only): the story makes a few dozen at most. */
const EVENT_LIMIT = 200;

/** The parsed answer, or undefined for anything but a 200. */
async function getJson(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  if (response.status !== 200) {
    await response.arrayBuffer();
    return undefined;
  }
  return response.json();
}

const round = (ms) => (ms >= 10 ? Math.round(ms) : Math.round(ms * 10) / 10);

/**
 * @param {string} webUrl the web extension's base URL, e.g. `http://127.0.0.1:8888`
 * @param {{ service: string, version: string }} expected the shop's service.name and the slower release
 * @returns {Promise<{ alert?: Outcome, regression?: Outcome, recommendation?: Outcome }>} with Outcome = { summary: string, source: string }
 */
async function readOutcomes(webUrl, expected) {
  const outcomes = {};
  const rows = (await getJson(`${webUrl}/api/v1/events?kind=slo_alert,regression&limit=${EVENT_LIMIT}`).catch(() => undefined))?.events ?? [];
  const alert = rows.find((e) => e.kind === 'slo_alert' && e.service === expected.service && e.severity === 'page' && e.state === 'firing');
  if (alert !== undefined) outcomes.alert = { summary: `page alert firing: SLO ${alert.slo} of ${alert.service}`, source: '/api/v1/events' };
  const regression = rows.find((e) => e.kind === 'regression' && e.service === expected.service && e.event?.version === expected.version && e.event?.outcome === 'regression');
  if (regression !== undefined) {
    const d = regression.event;
    outcomes.regression = {
      summary: `regression of ${regression.operation}: ${d.baselineVersion} → ${d.version}, mean ${round(d.controlMeanMs)} ms → ${round(d.experimentMeanMs)} ms`,
      source: '/api/v1/events',
    };
  }
  const query = `service=${encodeURIComponent(expected.service)}&type=n_plus_one_db&status=open`;
  const found = (await getJson(`${webUrl}/api/v1/recommendations?${query}`).catch(() => undefined))?.recommendations?.[0];
  if (found !== undefined) outcomes.recommendation = { summary: `recommendation: ${found.title}`, source: '/api/v1/recommendations' };
  return outcomes;
}

module.exports = { readOutcomes };
