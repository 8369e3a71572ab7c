import type { ComponentContext } from '../../src/pipeline/component';
import { AlertNotifier } from '../alertmanager/alert-notifier';
import type { AlertNotifierOptions } from '../alertmanager/alert-notifier';
import type { WebhookExporterSettings } from './config';
import { encodeSlackText, encodeWebhookJson } from './webhook-payload';

/**
 * The `webhook` exporter: POSTs each alert transition (fired, resolved) to
 * `url` as JSON (`format: json`) or as a Slack-compatible `{"text": …}`
 * (`format: slack`). No re-sends. Queue, retries and metrics: AlertNotifier.
 */
export class WebhookExporter extends AlertNotifier {
  constructor(settings: WebhookExporterSettings, ctx: ComponentContext, options: AlertNotifierOptions = {}) {
    super({ ...settings, resendIntervalMs: 0 }, ctx, settings.format === 'slack' ? encodeSlackText : encodeWebhookJson, options);
  }
}
