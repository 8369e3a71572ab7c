import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlertEvent } from '../../../src/alerts/alert-event';
import type { AlertmanagerExporterSettings } from '../../../exporters/alertmanager/config';
import { resolveAlertmanagerExporterSettings } from '../../../exporters/alertmanager/config';
import type { AlertmanagerExporterConfig } from '../../../exporters/alertmanager/config';

/** One request the capture server received. */
export interface CapturedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

export interface CaptureServer {
  readonly url: string;
  readonly requests: CapturedRequest[];
  /** Status (and optional headers) of the next answers, in order; 200 once they run out. */
  readonly answers: { status: number; headers?: Record<string, string>; body?: string }[];
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number): Promise<void>;
  close(): Promise<void>;
}

/** A loopback HTTP server that records every request's JSON body and answers as told. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  const answers: CaptureServer['answers'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: text === '' ? undefined : (JSON.parse(text) as unknown) });
      const answer = answers.shift() ?? { status: 200 };
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
      res.end(answer.body ?? '');
      for (const waiter of waiters.filter((w) => requests.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answers,
    waitFor: (count) => (requests.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Settings as the config would resolve them, with fast retries for tests. */
export function alertmanagerSettings(endpoint: string, overrides: AlertmanagerExporterConfig = {}): AlertmanagerExporterSettings {
  return resolveAlertmanagerExporterSettings({
    endpoint,
    retry_on_failure: { initial_interval: '10ms', max_interval: '40ms', randomization_factor: 0, max_elapsed_time: '10s' },
    ...overrides,
  });
}

/** A re-send timer the test fires by hand. */
export class ManualTimer {
  private ticks: (() => void)[] = [];
  intervalMs: number | undefined;

  readonly every = (ms: number, tick: () => void): (() => void) => {
    this.intervalMs = ms;
    this.ticks.push(tick);
    return () => {
      this.ticks = this.ticks.filter((t) => t !== tick);
    };
  };

  get armed(): boolean {
    return this.ticks.length > 0;
  }

  fire(): void {
    for (const tick of this.ticks) tick();
  }
}

/** An SLO page alert as alertEventFromSlo shapes it, for exporter tests that do not care about the mapping. */
export function sloEvent(state: AlertEvent['state'], atMs: number, slo = 'checkout-availability'): AlertEvent {
  return {
    source: 'slo',
    state,
    labels: { alertname: 'SloErrorBudgetBurn', slo, service: 'checkout', severity: 'critical' },
    annotations: { summary: `SLO ${slo} burns`, description: 'burn rate 20× over 1h' },
    atMs,
  };
}
