import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/parse-config';
import { Service } from '../../src/service/service';
import { builtInRuntimes } from '../../src/service/builtin-runtimes';
import { ManualClock } from '../../src/clock';
import { OtlpSpanKind, OtlpStatusCode, SpanSample } from '../../src/engine/span-sample';
import { startCaptureServer } from '../exporters/alertmanager/helpers';

describe('Service: SLO alerts reach the alert exporters', () => {
  it('service connects slo engines to the alertmanager exporter', async () => {
    const server = await startCaptureServer();
    const clock = new ManualClock(Date.now());
    const config = parseConfigText(`
processors:
  slo:
    objectives:
      - name: checkout-availability
        service: checkout
        sli: { availability: {} }
        objective: 99.9
exporters:
  alertmanager:
    endpoint: ${server.url}
service:
  pipelines:
    traces: { processors: [slo], exporters: [alertmanager] }
`, { file: 'x.yaml', env: {} });
    const logs: string[] = [];
    const logger = { error: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), info: (m: string) => logs.push(m), debug: () => undefined };
    const service = new Service(config, { logger, clock, runtimes: builtInRuntimes });
    await service.start();
    const engine = [...service.sloEngines.values()][0]!;
    const span = Object.assign(new SpanSample(), { service: 'checkout', kind: OtlpSpanKind.SERVER, name: 'x', statusCode: OtlpStatusCode.ERROR });
    for (let i = 0; i < 100; i++) engine.record(span);
    clock.advance(60_000);
    engine.evaluate();
    await server.waitFor(2);
    const labels = server.requests.map((r) => (r.body as { labels: Record<string, string> }[])[0]!.labels.severity).sort();
    expect(labels).toEqual(['critical', 'warning']);
    expect(logs.some((l) => l.includes('SLO alert firing'))).toBe(true);
    await service.shutdown();
    await server.close();
  });
});
