import type { AlertEvent, AlertSource, AlertState } from '../../src/alerts/alert-event';
import { alertIdentity } from '../../src/alerts/alert-event';
import type { AlertEventSink } from '../../src/alerts/alert-event-sink';
import { expandUrlTemplate, parseUrlTemplate } from '../../src/alerts/runbook-url';
import type { UrlTemplatePart } from '../../src/alerts/runbook-url';
import type { Component, ComponentContext } from '../../src/pipeline/component';
import type { Consumer } from '../../src/pipeline/consumer';
import { ExponentialBackoff } from '../otlp/backoff';
import { FailureLog } from '../otlp/exporter-metrics';
import type { AlertDeliverySettings } from './alert-delivery-config';
import { AlertExporterMetrics } from './alert-exporter-metrics';
import { AlertHttpClient } from './alert-http-client';
import type { AlertRequest } from './alert-http-client';
import { InterruptibleSleeps } from '../otlp/interruptible-sleeps';

/** One alert as it goes out: the event with its labels, annotations and times settled. */
export interface OutgoingAlert {
  readonly source: AlertSource;
  readonly state: AlertState;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAtMs: number;
  /** Resolved: when; firing: when the receiver should consider it over unless re-sent; absent: no end known. */
  readonly endsAtMs?: number;
  readonly generatorUrl?: string;
}

/** Turns the alerts of one notification into the request body (Alertmanager's v2 array, a webhook's JSON, Slack's text). */
export type AlertEncoder = (alerts: readonly OutgoingAlert[]) => Buffer;

export interface AlertNotifierSettings extends AlertDeliverySettings {
  /** Where notifications are POSTed. */
  readonly url: string;
  /**
   * Firing alerts are re-sent this often while they fire, and carry
   * endsAt = now + 3 × this. 0: sent once per transition, without endsAt.
   */
  readonly resendIntervalMs: number;
  /** Each alert's generator URL: a template with `{label}` placeholders. */
  readonly generatorUrl?: string;
}

export interface AlertNotifierOptions {
  /** Uniform in [0, 1), for the backoff's jitter (tests). @default Math.random */
  readonly random?: () => number;
  /** How long shutdown keeps sending what is queued. @default max(2 × timeout, 5 s) */
  readonly drainTimeoutMs?: number;
  /**
   * Runs `tick` every `ms` until the returned function is called; the
   * re-send timer. Tests pass their own to drive it with a manual clock.
   * @default setInterval, unref'd (it never holds the process open)
   */
  readonly every?: (ms: number, tick: () => void) => () => void;
  /** Alerts per request; re-sends of many alerts are split. @default 64 */
  readonly maxAlertsPerRequest?: number;
  /**
   * Firing alerts remembered for re-sends and for the startsAt of their
   * resolve, about 1 KB each. An alert past the cap is still sent once;
   * the receiver then resolves it at its endsAt. @default 10 000 (about 10 MB)
   */
  readonly maxActiveAlerts?: number;
}

/** A firing alert being re-sent. */
interface ActiveAlert {
  readonly source: AlertSource;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAtMs: number;
}

/** How many endsAt lies ahead of a re-send, in re-send intervals: two re-sends may be lost before the receiver resolves it. */
export const ENDS_AT_RESEND_INTERVALS = 3;

const defaultEvery = (ms: number, tick: () => void): (() => void) => {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * The delivery half of the `alertmanager` and `webhook` exporters: takes
 * alert events from the engines (AlertEventSink), turns them into outgoing
 * alerts, and POSTs them from a bounded queue by one sender with retries.
 *
 * - Never blocks the caller: `onAlertEvent` only queues. The engines call it
 *   on their evaluation path.
 * - Bounded: the queue holds at most `queueSize` alerts; when a new
 *   notification does not fit, the oldest are dropped and counted
 *   (slowatch_exporter_enqueue_failed_alerts_total), since an alert's latest
 *   state matters more than an old one. Firing alerts tracked for re-sends
 *   are capped by `maxActiveAlerts`.
 * - Retries: 429, 5xx, network errors and time-outs, with the otlp
 *   exporter's exponential backoff, until max_elapsed_time; then the
 *   notification is given up and counted. Notifications go out in order,
 *   so a resolve never overtakes its firing.
 * - Re-sends: every `resendIntervalMs`, every firing alert again with a
 *   fresh endsAt (Alertmanager forgets alerts not re-sent before endsAt).
 * - Timers are unref'd; shutdown sends what is queued within its bound
 *   and does not resolve firing alerts (a restarting gateway must not
 *   flap them; the receiver resolves them at endsAt if it never returns).
 */
export class AlertNotifier implements Component, Consumer, AlertEventSink {
  readonly metrics: AlertExporterMetrics;
  private readonly client: AlertHttpClient;
  private readonly failures: FailureLog;
  private readonly random: () => number;
  private readonly drainTimeoutMs: number;
  private readonly every: (ms: number, tick: () => void) => () => void;
  private readonly maxAlertsPerRequest: number;
  private readonly maxActiveAlerts: number;
  private readonly runbook?: readonly UrlTemplatePart[];
  private readonly generator?: readonly UrlTemplatePart[];
  private readonly sources: ReadonlySet<AlertSource>;
  /** Firing alerts by label identity, for re-sends and resolves. */
  private readonly active = new Map<string, ActiveAlert>();
  /** Notifications waiting, oldest first. */
  private queue: (readonly OutgoingAlert[])[] = [];
  private queuedAlerts = 0;
  private wakeSender?: () => void;
  private sender?: Promise<void>;
  private cancelResend?: () => void;
  private readonly sleeps = new InterruptibleSleeps();
  private sending = false;
  private idleWaiters: (() => void)[] = [];
  private started = false;
  private stopping = false;
  private abandoned = false;
  private shutdownPromise?: Promise<void>;

  constructor(
    private readonly settings: AlertNotifierSettings,
    protected readonly ctx: ComponentContext,
    private readonly encode: AlertEncoder,
    options: AlertNotifierOptions = {},
  ) {
    this.client = new AlertHttpClient(settings.url, settings.headers, settings.timeoutMs, ctx.clock);
    this.failures = new FailureLog(ctx.logger, `exporter ${ctx.id}`);
    this.metrics = new AlertExporterMetrics(ctx.meter, ctx.id);
    this.random = options.random ?? Math.random;
    this.drainTimeoutMs = options.drainTimeoutMs ?? Math.max(2 * settings.timeoutMs, 5_000);
    this.every = options.every ?? defaultEvery;
    this.maxAlertsPerRequest = Math.max(1, Math.min(options.maxAlertsPerRequest ?? 64, settings.queueSize));
    this.maxActiveAlerts = options.maxActiveAlerts ?? 10_000;
    this.sources = new Set(settings.events);
    if (settings.runbookUrl !== undefined) this.runbook = templateParts(settings.runbookUrl);
    if (settings.generatorUrl !== undefined) this.generator = templateParts(settings.generatorUrl);
  }

  /** Firing alerts being re-sent. */
  get activeAlertCount(): number {
    return this.active.size;
  }

  /** Alerts waiting in the queue (not counting the notification being sent). */
  get queuedAlertCount(): number {
    return this.queuedAlerts;
  }

  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    this.sender = this.runSender();
    if (this.settings.resendIntervalMs > 0) this.cancelResend = this.every(this.settings.resendIntervalMs, () => this.resendFiring());
    return Promise.resolve();
  }

  /** The exporter sits in a pipeline but sends what the engines raise, not telemetry: batches are accepted and let go. */
  consume(): Promise<void> {
    return Promise.resolve();
  }

  onAlertEvent(event: AlertEvent): void {
    try {
      if (!this.sources.has(event.source)) return;
      if (this.stopping) {
        this.metrics.enqueueFailed(1);
        return;
      }
      this.enqueue([this.outgoing(event)]);
    } catch (error) {
      // The engines' evaluation must go on whatever happens here.
      this.failures.record('internal', 'queueing an alert', error);
    }
  }

  /** Queues every firing alert again with a fresh endsAt; the re-send timer calls it. */
  resendFiring(): void {
    if (this.stopping || this.active.size === 0) return;
    const endsAtMs = this.firingEndsAt();
    let chunk: OutgoingAlert[] = [];
    for (const alert of this.active.values()) {
      chunk.push({ ...alert, state: 'firing', ...(endsAtMs !== undefined && { endsAtMs }), ...this.generatorFor(alert.labels) });
      if (chunk.length === this.maxAlertsPerRequest) {
        this.enqueue(chunk);
        chunk = [];
      }
    }
    if (chunk.length > 0) this.enqueue(chunk);
  }

  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.drainAndClose();
    return this.shutdownPromise;
  }

  // -------------------------------------------------------------------------

  private outgoing(event: AlertEvent): OutgoingAlert {
    const labels: Record<string, string> = { ...this.settings.externalLabels, ...event.labels };
    const annotations: Record<string, string> = { ...event.annotations };
    if (this.runbook !== undefined) annotations.runbook_url = expandUrlTemplate(this.runbook, labels);
    const base = { source: event.source, labels, annotations, ...this.generatorFor(labels) };
    if (event.expiresAfterMs !== undefined) {
      // One verdict, no resolve to follow: it ends on its own, and is not re-sent.
      return { ...base, state: event.state, startsAtMs: event.atMs, endsAtMs: event.state === 'firing' ? event.atMs + event.expiresAfterMs : event.atMs };
    }
    const identity = alertIdentity(labels);
    const known = this.active.get(identity);
    const startsAtMs = known?.startsAtMs ?? event.atMs;
    if (event.state === 'resolved') {
      this.active.delete(identity);
      return { ...base, state: 'resolved', startsAtMs, endsAtMs: event.atMs };
    }
    if (known !== undefined || this.active.size < this.maxActiveAlerts) {
      this.active.set(identity, { source: event.source, labels, annotations, startsAtMs });
    } else {
      this.failures.warnOnce('active cap', `more than ${this.maxActiveAlerts} alerts firing at once; the newest are sent once and not re-sent`);
    }
    const endsAtMs = this.firingEndsAt();
    return { ...base, state: 'firing', startsAtMs, ...(endsAtMs !== undefined && { endsAtMs }) };
  }

  /** The request for `alerts`, firing ones that are re-sent while they fire getting a fresh endsAt. */
  private requestFor(alerts: readonly OutgoingAlert[]): AlertRequest {
    const endsAtMs = this.firingEndsAt();
    if (endsAtMs === undefined) return { body: this.encode(alerts) };
    return { body: this.encode(alerts.map((a) => (a.state === 'firing' && this.active.has(alertIdentity(a.labels)) ? { ...a, endsAtMs } : a))) };
  }

  private firingEndsAt(): number | undefined {
    const interval = this.settings.resendIntervalMs;
    return interval > 0 ? this.ctx.clock.now() + ENDS_AT_RESEND_INTERVALS * interval : undefined;
  }

  private generatorFor(labels: Readonly<Record<string, string>>): { generatorUrl?: string } {
    return this.generator === undefined ? {} : { generatorUrl: expandUrlTemplate(this.generator, labels) };
  }

  private enqueue(alerts: readonly OutgoingAlert[]): void {
    this.queue.push(alerts);
    this.queuedAlerts += alerts.length;
    // Oldest first out: the latest state of an alert is what matters.
    while (this.queuedAlerts > this.settings.queueSize && this.queue.length > 1) {
      const dropped = this.queue.shift() ?? [];
      this.queuedAlerts -= dropped.length;
      this.metrics.enqueueFailed(dropped.length);
      this.failures.warnOnce('queue full', `the queue is full (${this.settings.queueSize} alerts); dropping the oldest notifications`);
    }
    const wake = this.wakeSender;
    this.wakeSender = undefined;
    wake?.();
  }

  private async runSender(): Promise<void> {
    for (;;) {
      const alerts = this.queue.shift();
      if (alerts === undefined) {
        this.notifyIfIdle();
        if (this.stopping) return;
        await new Promise<void>((resolve) => (this.wakeSender = resolve));
        continue;
      }
      this.queuedAlerts -= alerts.length;
      this.sending = true;
      try {
        await this.deliver(alerts);
      } catch (error) {
        // deliver counts every outcome itself; a guard so the sender never dies.
        this.metrics.sendFailed(alerts.length);
        this.failures.record('internal', 'sending alerts', error);
      } finally {
        this.sending = false;
      }
    }
  }

  private async deliver(alerts: readonly OutgoingAlert[]): Promise<void> {
    if (this.abandoned) return this.metrics.sendFailed(alerts.length);
    const { retry } = this.settings;
    const backoff = new ExponentialBackoff(retry, this.random);
    const startedAt = this.ctx.clock.now();
    for (;;) {
      // endsAt of a firing alert is set when it is sent, not when it was queued: after an outage, an
      // alert queued minutes ago must not reach Alertmanager already expired (it would show resolved).
      const result = await this.client.post(this.requestFor(alerts));
      switch (result.kind) {
        case 'ok':
          this.metrics.sent(alerts.length);
          return;
        case 'aborted':
          this.metrics.sendFailed(alerts.length);
          return;
        case 'permanent':
          this.metrics.sendFailed(alerts.length);
          this.failures.record(result.failureKind, `sending alerts (${result.failureKind}, not retryable)`, new Error(result.reason));
          return;
        case 'retryable': {
          const delay = Math.max(backoff.nextDelayMs(), result.retryAfterMs ?? 0);
          const elapsed = this.ctx.clock.now() - startedAt;
          const givingUp = !retry.enabled || this.abandoned || (retry.maxElapsedTimeMs > 0 && elapsed + delay > retry.maxElapsedTimeMs);
          if (givingUp) {
            this.metrics.sendFailed(alerts.length);
            const why = retry.enabled ? `gave up after retrying for max_elapsed_time ${retry.maxElapsedTimeMs} ms` : 'retry_on_failure disabled';
            this.failures.record(result.failureKind, `sending alerts (${why})`, new Error(result.reason));
            return;
          }
          this.ctx.logger.debug(`exporter ${this.ctx.id}: ${result.reason}; retrying in ${delay} ms`);
          await this.sleeps.sleep(delay);
          // Shutdown gave up while this one slept: no new request after that.
          if (this.abandoned) {
            this.metrics.sendFailed(alerts.length);
            return;
          }
          break;
        }
      }
    }
  }

  private notifyIfIdle(): void {
    if (!this.sending && this.queue.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Resolves once the queue is empty and nothing is being sent. */
  whenIdle(): Promise<void> {
    if (!this.sending && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drainAndClose(): Promise<void> {
    this.stopping = true;
    this.cancelResend?.();
    if (this.sender === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), this.drainTimeoutMs);
      timer.unref();
    });
    const outcome = await Promise.race([this.whenIdle().then(() => 'drained' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'deadline') {
      this.abandoned = true;
      const left = this.queue.splice(0).reduce((n, alerts) => n + alerts.length, 0);
      this.queuedAlerts = 0;
      this.metrics.sendFailed(left);
      this.client.abortAll(`exporter ${this.ctx.id} is shutting down`);
      this.sleeps.wakeAll();
      this.ctx.logger.error(`exporter ${this.ctx.id}: shutdown gave up ${left} queued alerts (and any being sent) not sent within ${this.drainTimeoutMs} ms`);
    }
    // Let the sender see `stopping` and leave.
    const wake = this.wakeSender;
    this.wakeSender = undefined;
    wake?.();
    await this.sender;
  }
}

function templateParts(template: string): readonly UrlTemplatePart[] {
  const parsed = parseUrlTemplate(template);
  if (!parsed.ok) throw new Error(`URL template ${JSON.stringify(template)}: ${parsed.reason}`);
  return parsed.parts;
}
