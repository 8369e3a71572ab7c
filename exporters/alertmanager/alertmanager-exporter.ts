import type { ComponentContext } from '../../src/pipeline/component';
import { AlertNotifier } from './alert-notifier';
import type { AlertNotifierOptions } from './alert-notifier';
import { encodeAlertmanagerAlerts } from './alertmanager-payload';
import type { AlertmanagerExporterSettings } from './config';

/**
 * The `alertmanager` exporter: pushes the engines' alerts (SLO burn-rate
 * alerts; anomalies and deploy regressions when `events` lists them) to
 * Alertmanager's v2 API, re-sending firing alerts every resend_interval with
 * endsAt three intervals ahead, and sending the resolve (endsAt = when it
 * resolved). Delivery, queue and retries: AlertNotifier.
 */
export class AlertmanagerExporter extends AlertNotifier {
  constructor(settings: AlertmanagerExporterSettings, ctx: ComponentContext, options: AlertNotifierOptions = {}) {
    super(settings, ctx, encodeAlertmanagerAlerts, options);
  }
}
