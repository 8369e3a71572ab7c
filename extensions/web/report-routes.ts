import type { Recommendation } from '../../src/recommend/recommendation';
import { tryParseDuration } from '../../src/config/duration';
import { DAY_MS, HOUR_MS } from '../../src/slo/durations';
import type { ObjectiveSpec } from '../../src/slo/objective';
import type { ReportStore } from '../../src/storage/report-store';
import { eventViewOf, parseEventQuery } from './pages/event-query';
import type { EVENT_PARAMETERS } from './pages/event-query';
import type { EventView } from './pages/event-query';
import { messagePage } from './pages/page-layout';
import { renderRecommendationsPage } from './pages/recommendations-page';
import { NO_STORE_MESSAGE } from './pages/report-context';
import type { ReportPagesContext } from './pages/report-context';
import { parsePeriodParameter } from './pages/report-period';
import { readServiceView } from './pages/service-view';
import type { ServiceView } from './pages/service-view';
import { renderServicePage } from './pages/service-page';
import { readSloDetail } from './pages/slo-detail';
import type { SloDetail } from './pages/slo-detail';
import { renderSloDetailPage } from './pages/slo-detail-page';
import { readSloList } from './pages/slo-list';
import type { SloList } from './pages/slo-list';
import { renderSloListPage } from './pages/slo-list-page';
import { readQueryParameters } from './query-parameters';
import { mergeRecommendations, parseRecommendationQuery } from './recommendations-api';
import { errorReply, htmlReply, jsonReply } from './web-route';
import type { WebReply, WebRoute, WebRouteRequest } from './web-route';

/*
 * The report pages and their JSON twins. Each view is read once by a
 * `read…` function and rendered twice: as an HTML page (errors as pages)
 * and under /api/v1/ (errors as `{"error": …}`), so the page and the API
 * always agree. Every request reads the store afresh through bounded
 * aggregate queries (see the views' modules) and keeps nothing.
 *
 *   page                  JSON
 *   /slos  (and / for a   /api/v1/slos              ?period=
 *   browser)
 *   /slos/{name}          /api/v1/slos/{name}       ?period=
 *   /services/{service}   /api/v1/services/{service} ?window=
 *   /recommendations      /api/v1/recommendations   (recommendations-api.ts)
 *                         /api/v1/events            ?kind=&service=&slo=&operation=&from=&to=&limit=
 */

export const SLOS_PAGE = '/slos';
export const SLOS_API = '/api/v1/slos';
export const EVENTS_API = '/api/v1/events';
export const RECOMMENDATIONS_PAGE = '/recommendations';

/** The service pages' window when `?window=` is left out, and its bounds. */
export const DEFAULT_SERVICE_WINDOW_MS = DAY_MS;
const MIN_SERVICE_WINDOW_MS = HOUR_MS;
const MAX_SERVICE_WINDOW_MS = 30 * DAY_MS;

/** What reading a view gave: the view, or the status and one-line message to answer instead. */
type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: number; readonly message: string };

const fail = (status: number, message: string): { ok: false; status: number; message: string } => ({ ok: false, status, message });

/** The `{name}` after `prefix`, decoded; an error for a nested path or bad percent-encoding. */
export function pathSegment(pathname: string, prefix: string): Outcome<string> {
  const raw = pathname.slice(prefix.length);
  if (raw.includes('/')) return fail(404, `no page at ${pathname}`);
  try {
    return { ok: true, value: decodeURIComponent(raw) };
  } catch {
    return fail(400, `the name in ${pathname} is not valid percent-encoding`);
  }
}

function withStore<T>(context: ReportPagesContext, read: (store: ReportStore) => Outcome<T>): Outcome<T> {
  const store = context.store();
  return store === undefined ? fail(503, NO_STORE_MESSAGE) : read(store);
}

function readPeriod(query: URLSearchParams): Outcome<{ ms: number | undefined; text: string | null }> {
  const read = readQueryParameters(query, ['period']);
  if (!read.ok) return fail(400, read.error);
  const text = read.values.get('period');
  const parsed = parsePeriodParameter(text);
  return parsed.ok ? { ok: true, value: { ms: parsed.durationMs, text: text ?? null } } : fail(400, parsed.error);
}

function findObjective(store: ReportStore, name: string): ObjectiveSpec | undefined {
  return store.objectives().find((objective) => objective.spec.name === name)?.spec;
}

function readList(context: ReportPagesContext, request: WebRouteRequest): Outcome<SloList> {
  const period = readPeriod(request.query);
  if (!period.ok) return period;
  return withStore(context, (store) => ({ ok: true, value: readSloList(store, context.loadReport, period.value.ms, period.value.text, context.clock.now()) }));
}

function readDetail(context: ReportPagesContext, request: WebRouteRequest, prefix: string): Outcome<SloDetail> {
  const name = pathSegment(request.pathname, prefix);
  if (!name.ok) return name;
  const period = readPeriod(request.query);
  if (!period.ok) return period;
  return withStore(context, (store) => {
    const spec = findObjective(store, name.value);
    const detail = spec === undefined ? undefined : readSloDetail(store, context.loadReport, spec, period.value.ms, context.clock.now());
    return detail === undefined ? fail(404, `no SLO named ${JSON.stringify(name.value)}; ${SLOS_PAGE} lists them`) : { ok: true, value: detail };
  });
}

function readService(context: ReportPagesContext, request: WebRouteRequest, prefix: string): Outcome<ServiceView> {
  const service = pathSegment(request.pathname, prefix);
  if (!service.ok) return service;
  const read = readQueryParameters(request.query, ['window']);
  if (!read.ok) return fail(400, read.error);
  const text = read.values.get('window');
  let windowMs = DEFAULT_SERVICE_WINDOW_MS;
  if (text !== undefined) {
    const parsed = tryParseDuration(text);
    if (!parsed.ok || parsed.ms < MIN_SERVICE_WINDOW_MS || parsed.ms > MAX_SERVICE_WINDOW_MS) {
      return fail(400, `query parameter "window" must be a duration from 1h to 30d such as 24h, got ${JSON.stringify(text)}`);
    }
    windowMs = parsed.ms;
  }
  return withStore(context, (store) => {
    const nowMs = context.clock.now();
    const view = readServiceView(store, service.value, nowMs - windowMs, nowMs);
    return view === undefined ? fail(404, `no service named ${JSON.stringify(service.value)} in the store`) : { ok: true, value: view };
  });
}

function readEvents(context: ReportPagesContext, request: WebRouteRequest): Outcome<{ events: EventView[] }> {
  const parsed = parseEventQuery(request.query, context.clock.now());
  if (!parsed.ok) return fail(400, parsed.error);
  return withStore(context, (store) => ({ ok: true, value: { events: store.events(parsed.query).map(eventViewOf) } }));
}

function readRecommendations(context: ReportPagesContext, request: WebRouteRequest): Outcome<Recommendation[]> {
  const parsed = parseRecommendationQuery(request.query);
  return parsed.ok ? { ok: true, value: mergeRecommendations(context.recommendations(), parsed.filter) } : fail(400, parsed.error);
}

const PAGE_TITLES: Readonly<Record<number, string>> = { 400: 'Bad request', 404: 'Not found', 503: 'No store' };

function asPage<T>(outcome: Outcome<T>, render: (value: T) => string): WebReply {
  return outcome.ok ? htmlReply(200, render(outcome.value)) : messagePage(outcome.status, PAGE_TITLES[outcome.status] ?? 'Error', outcome.message);
}

function asJson<T>(outcome: Outcome<T>): WebReply {
  return outcome.ok ? jsonReply(200, outcome.value) : errorReply(outcome.status, outcome.message);
}

const EVENT_PARAMETER_DOCS: Readonly<Record<(typeof EVENT_PARAMETERS)[number], string>> = {
  kind: 'slo_alert, anomaly, regression or recommendation; comma-separated for several',
  service: 'only this service',
  slo: 'only this SLO',
  operation: 'only this operation',
  from: 'Unix ms or ISO 8601 time, inclusive; the beginning when left out',
  to: 'Unix ms or ISO 8601 time, exclusive; now when left out',
  limit: 'most events, 1 to 1000; 100 when left out',
};

const PERIOD_PARAMETER = { period: "a duration such as 7d: every SLO over the last 7 days; each SLO's own period when left out" };

/** The SLO list page, which is also the home page a browser gets at `/`. */
export function sloListPage(context: ReportPagesContext): (request: WebRouteRequest) => WebReply {
  return (request) => asPage(readList(context, request), renderSloListPage);
}

/** Every report page and /api/v1 report route, for the `web` extension's table. */
export function reportRoutes(context: ReportPagesContext): WebRoute[] {
  return [
    { path: SLOS_PAGE, description: 'page: the SLOs, least budget remaining first', parameters: PERIOD_PARAMETER, respond: sloListPage(context) },
    {
      path: `${SLOS_PAGE}/`,
      prefix: true,
      description: 'page /slos/{name}: one SLO: burn-down, burn rates against the alert thresholds, incidents',
      parameters: PERIOD_PARAMETER,
      respond: (request) => asPage(readDetail(context, request, `${SLOS_PAGE}/`), renderSloDetailPage),
    },
    {
      path: '/services/',
      prefix: true,
      description: 'page /services/{service}: p95 latency against the baseline band per operation, anomalies, regressions',
      parameters: { window: 'a duration from 1h to 30d; 24h when left out' },
      respond: (request) => asPage(readService(context, request, '/services/'), renderServicePage),
    },
    {
      path: RECOMMENDATIONS_PAGE,
      description: 'page: the recommendations with their evidence and impact',
      parameters: { service: 'only this service', type: 'only this type', status: 'open or resolved' },
      respond: (request) => asPage(readRecommendations(context, request), renderRecommendationsPage),
    },
    { path: SLOS_API, description: 'the SLOs with their figures, least budget remaining first', parameters: PERIOD_PARAMETER, respond: (request) => asJson(readList(context, request)) },
    {
      path: `${SLOS_API}/`,
      prefix: true,
      description: '/api/v1/slos/{name}: one SLO with its burn-down, burn-rate table and incidents',
      parameters: PERIOD_PARAMETER,
      respond: (request) => asJson(readDetail(context, request, `${SLOS_API}/`)),
    },
    {
      path: '/api/v1/services/',
      prefix: true,
      description: '/api/v1/services/{service}: p95 latency and baseline band per operation, anomalies, regressions',
      parameters: { window: 'a duration from 1h to 30d; 24h when left out' },
      respond: (request) => asJson(readService(context, request, '/api/v1/services/')),
    },
    {
      path: EVENTS_API,
      description: 'stored events (alerts, anomalies, regressions, recommendations), newest first',
      parameters: EVENT_PARAMETER_DOCS,
      respond: (request) => asJson(readEvents(context, request)),
    },
  ];
}
