import { describe, expect, it } from 'vitest';
import { readPrometheusReportInput } from '../../src/report/prometheus-report-reader';
import { ReportInputError } from '../../src/report/report-input-error';
import { objectiveSpec } from '../helpers/objectives';

/**
 * The Prometheus reader against a fake API (the real server is in
 * test/gateway/report-prometheus.test.ts): which queries it sends, how it
 * turns the answers into counts, a burn-down and incidents, and its errors.
 */
const FROM_S = 1_700_000_000;
const TO_S = FROM_S + 100;
const SPEC = objectiveSpec({ name: 'availability', service: 'shop', objective: 0.99 });

interface Call {
  readonly endpoint: string;
  readonly params: URLSearchParams;
}

function fakePrometheus(answer: (call: Call) => unknown, calls: Call[] = []): typeof fetch {
  const fake: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const call = { endpoint: url.pathname, params: new URLSearchParams(typeof init?.body === 'string' ? init.body : '') };
    calls.push(call);
    return Promise.resolve(new Response(JSON.stringify(answer(call)), { status: 200, headers: { 'content-type': 'application/json' } }));
  };
  return fake;
}

const success = (result: unknown[]): unknown => ({ status: 'success', data: { resultType: 'vector', result } });

/** 900 good and 100 bad events; alerts: a ticket at steps 10–30 s and again from 80 s to the end. */
function shopAnswers(call: Call): unknown {
  const query = call.params.get('query') ?? '';
  if (call.endpoint.endsWith('/query_range') && query.startsWith('ALERTS')) {
    const steps = (from: number, to: number): [number, string][] => Array.from({ length: (to - from) / 10 + 1 }, (_, i) => [FROM_S + from + i * 10, '1']);
    return success([{ metric: { alertname: 'SloErrorBudgetBurn', slo: 'availability', service: 'shop', sloth_severity: 'ticket', sloth_id: 'shop-availability' }, values: [...steps(10, 30), ...steps(80, 100)] }]);
  }
  if (call.endpoint.endsWith('/query_range')) {
    return success([
      { metric: { outcome: 'good' }, values: [[FROM_S, '0'], [FROM_S + 50, '450'], [TO_S, '900']] },
      { metric: { outcome: 'bad' }, values: [[FROM_S, '0'], [FROM_S + 50, '0'], [TO_S, '100']] },
    ]);
  }
  if (query.startsWith('sum by (outcome)')) return success([{ metric: { outcome: 'good' }, value: [TO_S, '900'] }, { metric: { outcome: 'bad' }, value: [TO_S, '100'] }]);
  return success([{ metric: {}, value: [TO_S, '20'] }]);
}

async function errorOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReportInputError);
    return (error as Error).message;
  }
  throw new Error('expected a ReportInputError');
}

const base = { objectives: [SPEC], fromMs: FROM_S * 1000, toMs: TO_S * 1000, label: 'test', maxBurnDownPoints: 11 };

describe('readPrometheusReportInput', () => {
  it('reads counts, burn-down and incidents with bounded queries', async () => {
    const calls: Call[] = [];
    const input = await readPrometheusReportInput({ ...base, url: 'http://prometheus.test:9090/prefix', fetch: fakePrometheus(shopAnswers, calls) });
    const [slo] = input.slos;
    expect(slo).toMatchObject({ name: 'availability', service: 'shop', goodEvents: 900, badEvents: 100, anomalies: [], regressions: [], recommendations: [] });
    expect(slo?.burnDown).toEqual([
      { atMs: FROM_S * 1000, budgetRemaining: 1 },
      { atMs: (FROM_S + 50) * 1000, budgetRemaining: 1 },
      { atMs: TO_S * 1000, budgetRemaining: expect.closeTo(1 - 0.1 / 0.01, 9) as number },
    ]);
    // Runs of steps: 10..30 s ends at the step after its last (40 s); 80..100 s reaches the end: still firing.
    // Budget: 20 bad events over (1000 events × 1 %).
    expect(slo?.incidents).toEqual([
      { severity: 'ticket', startMs: (FROM_S + 10) * 1000, endMs: (FROM_S + 40) * 1000, budgetSpent: expect.closeTo(2, 9) as number },
      { severity: 'ticket', startMs: (FROM_S + 80) * 1000, endMs: undefined, budgetSpent: expect.closeTo(2, 9) as number },
    ]);
    expect(calls.every((call) => call.endpoint.startsWith('/prefix/api/v1/'))).toBe(true);
    // 100 s in at most 11 points: a 10 s step.
    expect(calls.filter((call) => call.endpoint.endsWith('/query_range')).map((call) => call.params.get('step'))).toEqual(['10', '10']);
    const counts = calls[0];
    expect(counts?.params.get('time')).toBe(`${TO_S}.000`);
    expect(counts?.params.get('query')).toBe(
      'sum by (outcome) (((last_over_time(slowatch_slo_events_total{slo="availability"}[100000ms]) - (slowatch_slo_events_total{slo="availability"} offset 100000ms or ' +
        'last_over_time(slowatch_slo_events_total{slo="availability"}[100000ms]) * 0)) unless resets(slowatch_slo_events_total{slo="availability"}[100000ms]) > 0) or ' +
        'increase(slowatch_slo_events_total{slo="availability"}[100000ms]))',
    );
    // The incident's bad events: its own series, over its own range, at its end.
    const incident = calls.find((call) => call.params.get('query')?.startsWith('sum(') === true);
    expect(incident?.params.get('query')).toContain('slowatch_slo_events_total{slo="availability", outcome="bad", service="shop"}[30000ms]');
    expect(incident?.params.get('time')).toBe(`${FROM_S + 40}.000`);
  });

  it('reports progress once per SLO and rejects an unknown --slo with the known ones', async () => {
    const progress: [number, number][] = [];
    await readPrometheusReportInput({ ...base, url: 'http://p.test', fetch: fakePrometheus(shopAnswers), onProgress: (done, total) => progress.push([done, total]) });
    expect(progress).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(await errorOf(() => readPrometheusReportInput({ ...base, url: 'http://p.test', slos: ['latency'], fetch: fakePrometheus(shopAnswers) }))).toBe(
      'unknown SLO "latency"; known: availability',
    );
  });

  it('has no burn-down for an SLO Prometheus has no series of', async () => {
    const input = await readPrometheusReportInput({ ...base, url: 'http://p.test', fetch: fakePrometheus(() => success([])) });
    expect(input.slos[0]).toMatchObject({ goodEvents: 0, badEvents: 0, burnDown: [], incidents: [] });
  });

  it('says what went wrong: a bad URL, no server, an error answer, not the API', async () => {
    expect(await errorOf(() => readPrometheusReportInput({ ...base, url: 'prometheus:9090' }))).toBe(
      '--prometheus "prometheus:9090": expected an http:// or https:// URL, e.g. http://127.0.0.1:9090',
    );
    const refused: typeof fetch = () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    expect(await errorOf(() => readPrometheusReportInput({ ...base, url: 'http://127.0.0.1:1', fetch: refused }))).toBe(
      'prometheus http://127.0.0.1:1/: cannot query (ECONNREFUSED); is a Prometheus server listening there? (see --prometheus)',
    );
    const failing = fakePrometheus(() => ({ status: 'error', errorType: 'bad_data', error: 'parse error' }));
    expect(await errorOf(() => readPrometheusReportInput({ ...base, url: 'http://p.test', fetch: failing }))).toMatch(/^prometheus http:\/\/p\.test\/api\/v1\/query: HTTP 200: parse error \(query: sum by/);
    const html: typeof fetch = () => Promise.resolve(new Response('<html>hello</html>', { status: 404 }));
    expect(await errorOf(() => readPrometheusReportInput({ ...base, url: 'http://p.test', fetch: html }))).toBe(
      "prometheus http://p.test/api/v1/query: HTTP 404, not the Prometheus API's JSON (<html>hello</html>)",
    );
  });
});
