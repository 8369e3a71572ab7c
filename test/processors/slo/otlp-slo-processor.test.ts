import { describe, it, expect } from 'vitest';
import { ManualClock } from '../../../src/clock';
import { SloEngine } from '../../../src/engine/slo-engine';
import { OtlpSloProcessor } from '../../../processors/slo/otlp-slo-processor';
import { BackpressureError } from '../../../src/pipeline/pipeline-errors';
import type { Consumer } from '../../../src/pipeline/consumer';
import type { TelemetryBatch } from '../../../src/pipeline/telemetry-batch';
import type { ExportTraceServiceRequest } from '../../../src/otlp/model/trace';
import type { Logger } from '../../../src/logging/logger';
import { objectiveSpec } from '../../helpers/objectives';

const silent: Logger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const NOW = Date.UTC(2026, 10, 1, 12);

function batch(spans: { kind?: number; status?: number; code?: number; ms?: number; route?: string }[]): TelemetryBatch {
  const end = BigInt(NOW) * 1_000_000n;
  const request: ExportTraceServiceRequest = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }, { key: '__proto__', value: { stringValue: 'x' } }] },
        scopeSpans: [
          {
            spans: spans.map((s) => ({
              name: 'GET',
              kind: s.kind ?? 2,
              startTimeUnixNano: end - BigInt(Math.round((s.ms ?? 10) * 1e6)),
              endTimeUnixNano: end,
              ...(s.code !== undefined && { status: { code: s.code } }),
              attributes: [
                { key: 'http.route', value: { stringValue: s.route ?? '/cart' } },
                { key: 'http.response.status_code', value: { intValue: BigInt(s.status ?? 200) } },
              ],
            })),
          },
        ],
      },
    ],
  };
  return { signal: 'traces', request, itemCount: spans.length };
}

function counts(engine: SloEngine): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  engine.collect((series, status) => (out[`${series.objective.name}/${Object.values(series.labels).join('/')}`] = [status.goodEvents, status.badEvents]));
  return out;
}

describe('OtlpSloProcessor', () => {
  it('classifies OTLP spans: OTLP kinds, ERROR status, 5xx, durations from nanoseconds', async () => {
    const engine = new SloEngine(
      [objectiveSpec(), objectiveSpec({ name: 'latency', sli: { kind: 'latency', thresholdMs: 100 }, objective: 0.95, groupBy: ['http.route'] })],
      { clock: new ManualClock(NOW) },
    );
    const next: Consumer = { consume: () => Promise.resolve() };
    const processor = new OtlpSloProcessor(engine, next, silent);
    await processor.consume(batch([{ status: 200 }, { status: 503 }, { code: 2 }, { kind: 3, status: 500 }, { ms: 100.5, route: '/slow' }, { ms: 99.9, route: '/slow' }]));
    expect(counts(engine)).toEqual({
      'availability/cart': [3, 2], // the client span (kind 3) is not a server span
      'latency/cart//cart': [3, 0],
      'latency/cart//slow': [1, 1],
    });
  });

  it('counts a batch only once it is accepted downstream, so a client retry after 503 is not counted twice', async () => {
    const engine = new SloEngine([objectiveSpec()], { clock: new ManualClock(NOW) });
    let refuse = 2;
    const next: Consumer = {
      consume: () => (refuse-- > 0 ? Promise.reject(new BackpressureError('queue full')) : Promise.resolve()),
    };
    const processor = new OtlpSloProcessor(engine, next, silent);
    const sent = batch([{ status: 200 }, { status: 500 }]);
    await expect(processor.consume(sent)).rejects.toBeInstanceOf(BackpressureError);
    await expect(processor.consume(sent)).rejects.toBeInstanceOf(BackpressureError);
    await processor.consume(sent);
    expect(counts(engine)).toEqual({ 'availability/cart': [1, 1] });
  });
});
