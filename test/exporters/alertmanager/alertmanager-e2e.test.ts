import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerExporter } from '../../../exporters/alertmanager/alertmanager-exporter';
import { resolveAlertmanagerExporterSettings } from '../../../exporters/alertmanager/config';
import { alertEventFromSlo, sloAlertObjectiveOf } from '../../../src/alerts/slo-alert';
import { ManualClock, systemClock } from '../../../src/clock';
import { SloEngine } from '../../../src/engine/slo-engine';
import type { SloAlertEvent } from '../../../src/engine/slo-alert-event';
import { OtlpSpanKind, OtlpStatusCode, SpanSample } from '../../../src/engine/span-sample';
import { waitUntil } from '../../helpers/processes';
import { objectiveSpec } from '../../helpers/objectives';
import { testContext } from '../otlp/helpers';
import { findAlertmanager, startAlertmanager } from './alertmanager-server';
import type { GettableAlert, RunningAlertmanager } from './alertmanager-server';

/*
 * End to end with a real Alertmanager (Debian's prometheus-alertmanager): a
 * real SloEngine on a manual clock sees a fast burn, its page alert goes out
 * through the exporter, shows up in Alertmanager as an active alert with the
 * right labels and annotations, and disappears once the engine resolves it.
 *
 * The engine's clock starts 8 hours back so that it can live through the
 * burn and its recovery while the exporter stamps endsAt on the real clock:
 * Alertmanager compares endsAt with its own time.
 */

const binary = findAlertmanager();
const runs = binary !== undefined || process.env.CI === 'true';
if (!runs) console.warn('prometheus-alertmanager not found (apt-get install prometheus-alertmanager): skipping the Alertmanager end-to-end test');

const MINUTE = 60_000;

describe.skipIf(!runs)('alertmanager exporter against a real Alertmanager', () => {
  let alertmanager: RunningAlertmanager;

  beforeAll(async () => {
    alertmanager = await startAlertmanager(binary ?? 'prometheus-alertmanager');
  }, 20_000);

  afterAll(async () => {
    await alertmanager?.close();
  });

  it('shows an induced fast burn as a firing alert with the right labels and annotations, then resolves it', async () => {
    const spec = objectiveSpec({ name: 'checkout-availability', service: 'checkout', minEvents: 10 });
    const engineClock = new ManualClock(Date.now() - 8 * 60 * MINUTE);
    const exporter = new AlertmanagerExporter(
      resolveAlertmanagerExporterSettings({
        endpoint: alertmanager.url,
        resend_interval: '1m',
        runbook_url: 'https://runbooks.example.com/slo/{slo}',
        generator_url: 'https://grafana.example.com/d/slo-detail?var-slo={slo}',
        external_labels: { cluster: 'e2e' },
      }),
      testContext('alertmanager', systemClock).ctx,
    );
    const transitions: SloAlertEvent[] = [];
    const engine = new SloEngine([spec], {
      clock: engineClock,
      onAlert: (event) => {
        transitions.push(event);
        exporter.onAlertEvent(alertEventFromSlo(event, sloAlertObjectiveOf(spec)));
      },
    });
    const span = Object.assign(new SpanSample(), { service: 'checkout', kind: OtlpSpanKind.SERVER, name: 'POST /checkout', durationMs: 20 });
    const traffic = (requests: number, errors: number): void => {
      for (let i = 0; i < requests; i++) {
        span.statusCode = i < errors ? OtlpStatusCode.ERROR : OtlpStatusCode.UNSET;
        engine.record(span);
      }
    };
    await exporter.start();
    try {
      // A fast burn: 20% errors against a 0.1% budget, 200× the sustainable rate.
      for (let minute = 0; minute < 5; minute++) {
        traffic(100, 20);
        engineClock.advance(MINUTE);
      }
      engine.evaluate();
      expect(transitions.map((t) => `${t.severity} ${t.state}`)).toEqual(['page firing', 'ticket firing']);

      const isPage = (a: GettableAlert): boolean => a.labels.slo === 'checkout-availability' && a.labels.severity === 'critical';
      const page = await waitUntil(async () => (await alertmanager.alerts()).find(isPage), 10_000);
      expect(page.status.state).toBe('active');
      expect(page.labels).toEqual({
        alertname: 'SloErrorBudgetBurn',
        slo: 'checkout-availability',
        service: 'checkout',
        severity: 'critical',
        sloth_id: 'checkout-availability', // the objective's name without the repeated service, as in the rules
        sloth_service: 'checkout',
        sloth_slo: 'availability',
        sloth_severity: 'page',
        cluster: 'e2e',
      });
      expect(page.annotations.summary).toBe('SLO checkout-availability of checkout is burning its error budget too fast (page)');
      expect(page.annotations.description).toMatch(
        /^SLO checkout-availability of checkout \(objective 99\.9% over 30d\): burn rate 200× over 1h and 200× over 5m \(alert threshold 14\.4×\); error budget remaining -?[\d.]+%; .*$/,
      );
      expect(page.annotations.runbook_url).toBe('https://runbooks.example.com/slo/checkout-availability');
      expect(page.generatorURL).toBe('https://grafana.example.com/d/slo-detail?var-slo=checkout-availability');
      expect(Date.parse(page.startsAt)).toBe(transitions[0]?.atMs);
      // endsAt three resend intervals ahead on the real clock.
      expect(Date.parse(page.endsAt)).toBeGreaterThan(Date.now() + 2 * MINUTE);
      // The ticket follows the page in the exporter's queue: wait for it as well.
      const tickets = await waitUntil(async () => {
        const found = (await alertmanager.alerts()).filter((a) => a.labels.severity === 'warning');
        return found.length > 0 ? found : undefined;
      }, 10_000);
      expect(tickets).toHaveLength(1);

      // Recovery: clean traffic until every short window has forgotten the errors.
      for (let minute = 0; minute < 7 * 60; minute += 10) {
        traffic(100, 0);
        engineClock.advance(10 * MINUTE);
        engine.evaluate();
      }
      expect(transitions.map((t) => `${t.severity} ${t.state}`)).toEqual(['page firing', 'ticket firing', 'page resolved', 'ticket resolved']);
      expect(engineClock.now()).toBeLessThan(Date.now());
      await waitUntil(async () => ((await alertmanager.alerts()).some((a) => a.labels.slo === 'checkout-availability') ? undefined : true), 10_000);
      await exporter.whenIdle();
      expect(exporter.metrics.totals).toEqual({ sent: 4, sendFailed: 0, enqueueFailed: 0 });
    } finally {
      await exporter.shutdown();
    }
  }, 30_000);
});
