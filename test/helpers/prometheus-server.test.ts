import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPrometheus, startPrometheus } from './prometheus-server';
import type { RunningPrometheus } from './prometheus-server';

const available = hasPrometheus();
if (!available && process.env.CI !== 'true') console.warn('prometheus not found (apt-get install prometheus): skipping the Prometheus server helper test');

describe.skipIf(!available && process.env.CI !== 'true')('startPrometheus (test helper)', () => {
  let prometheus: RunningPrometheus;
  beforeAll(async () => {
    prometheus = await startPrometheus({ targets: [], rules: ['groups:\n  - name: t\n    rules:\n      - record: answer:constant\n        expr: vector(42)\n'] });
  });
  afterAll(async () => {
    await prometheus?.close();
  });

  it('serves the HTTP API and evaluates the given rules', async () => {
    let result: Awaited<ReturnType<RunningPrometheus['query']>> = [];
    for (let i = 0; i < 50 && result.length === 0; i++) {
      result = await prometheus.query('answer:constant');
      if (result.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(result.map((r) => r.value[1])).toEqual(['42']);
    await expect(prometheus.query('sum(')).rejects.toThrow(/parse error/);
  });
});
