import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { burnRateFactor, googleAlertWindows, windowIndex } from '../../src/slo/alert-windows';
import { DAY_MS, HOUR_MS, MINUTE_MS, SLO_WINDOWS } from '../../src/slo/durations';
import type { AlertWindow } from '../../src/slo/objective';

const slothDir = path.resolve(__dirname, '../../../shared/anchors/sloth');
const windowsDir = path.join(slothDir, 'default-windows');
const haveAnchors = existsSync(windowsDir);
if (!haveAnchors) {
  console.warn(`[alert-windows] Sloth reference windows not found at ${windowsDir}; skipping the Sloth comparison tests.`);
}

/** Sloth/Prometheus duration strings as used in its window files: 5m, 1h, 24h, 3d. */
function durationMs(text: string): number {
  const m = /^(\d+)(m|h|d)$/.exec(text);
  if (m === null) throw new Error(`unexpected duration ${text}`);
  const unit = m[2] === 'm' ? MINUTE_MS : m[2] === 'h' ? HOUR_MS : DAY_MS;
  return Number(m[1]) * unit;
}

interface SlothWindowSpec {
  errorBudgetPercent: number;
  shortWindow: string;
  longWindow: string;
}
interface SlothWindowsFile {
  spec: {
    sloPeriod: string;
    page: { quick: SlothWindowSpec; slow: SlothWindowSpec };
    ticket: { quick: SlothWindowSpec; slow: SlothWindowSpec };
  };
}

function loadWindows(file: string): { periodMs: number; windows: AlertWindow[] } {
  const doc = parse(readFileSync(file, 'utf8')) as SlothWindowsFile;
  const windows: AlertWindow[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    for (const speed of ['quick', 'slow'] as const) {
      const w = doc.spec[severity][speed];
      windows.push({
        severity,
        speed,
        shortWindowMs: durationMs(w.shortWindow),
        longWindowMs: durationMs(w.longWindow),
        errorBudgetPercent: w.errorBudgetPercent,
      });
    }
  }
  return { periodMs: durationMs(doc.spec.sloPeriod), windows };
}

/** The factors Sloth printed into the page and ticket alert expressions of a generated rules file. */
function printedFactors(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const factors: string[] = [];
  for (const m of text.matchAll(/ratio_rate(\w+)\{[^}]*\} > \(([0-9.e+-]+) \* /g)) factors.push(`${m[1]}:${m[2]}`);
  return factors;
}

describe('googleAlertWindows', () => {
  it("is Sloth's default rule set, with windows among SLO_WINDOWS", () => {
    const rules = googleAlertWindows();
    expect(rules.map((r) => [r.severity, r.speed, r.errorBudgetPercent, r.shortWindowMs, r.longWindowMs])).toEqual([
      ['page', 'quick', 2, 5 * MINUTE_MS, HOUR_MS],
      ['page', 'slow', 5, 30 * MINUTE_MS, 6 * HOUR_MS],
      ['ticket', 'quick', 10, 2 * HOUR_MS, DAY_MS],
      ['ticket', 'slow', 10, 6 * HOUR_MS, 3 * DAY_MS],
    ]);
    for (const r of rules) {
      expect(windowIndex(r.shortWindowMs)).toBeGreaterThanOrEqual(0);
      expect(windowIndex(r.longWindowMs)).toBeGreaterThanOrEqual(0);
    }
    expect(Object.isFrozen(rules)).toBe(true);
    expect(googleAlertWindows()).toBe(rules);
  });
});

describe('burnRateFactor', () => {
  it('gives 14.4 / 6 / 3 / 1 at 30d and 13.44 / 5.6 / 2.8 / 0.9333 at 28d', () => {
    const f = (periodMs: number) => googleAlertWindows().map((w) => burnRateFactor(w, periodMs));
    expect(f(30 * DAY_MS)).toEqual([14.4, 6, 3, 1]);
    const f28 = f(28 * DAY_MS);
    [13.44, 5.6, 2.8, 14 / 15].forEach((v, i) => expect(f28[i]).toBeCloseTo(v, 12));
  });
});

describe('windowIndex', () => {
  it('finds each SLO window and nothing else', () => {
    SLO_WINDOWS.forEach((w, i) => expect(windowIndex(w.ms)).toBe(i));
    expect(windowIndex(10 * MINUTE_MS)).toBe(-1);
    expect(windowIndex(7 * DAY_MS)).toBe(-1);
    expect(windowIndex(NaN)).toBe(-1);
  });
});

describe.skipIf(!haveAnchors)('Sloth reference windows (shared/anchors/sloth)', () => {
  for (const [file, days] of [
    ['google-30d.yaml', 30],
    ['google-28d.yaml', 28],
  ] as const) {
    it(`${file}: same rules as ours, and the published factor table`, () => {
      const { periodMs, windows } = loadWindows(path.join(windowsDir, file));
      expect(periodMs).toBe(days * DAY_MS);
      // The default set is the same for every period length.
      expect(googleAlertWindows()).toEqual(windows);
      // The SRE Workbook's table (page 14.4/6, ticket 3/1 at 30d) and Sloth's 28d figures.
      const published = days === 30 ? [14.4, 6, 3, 1] : [13.44, 5.6, 2.8, 0.9333];
      expect(windows.map((w) => burnRateFactor(w, periodMs))).toEqual(published.map((f): unknown => expect.closeTo(f, 4)));
    });
  }

  // Sloth prints its float64 factors into the rules; our doubles must print the same.
  for (const [dir, days, windowsFile] of [
    ['02-base-30d', 30, undefined],
    ['03-base-28d', 28, undefined],
    ['04-base-custom-7d', 7, 'windows-7d.yaml'],
  ] as const) {
    it(`${dir}: factors printed by sloth generate equal ours digit for digit`, () => {
      const rules = windowsFile === undefined ? googleAlertWindows() : loadWindows(path.join(slothDir, dir, windowsFile)).windows;
      const ours = rules.flatMap((w) => {
        const factor = String(burnRateFactor(w, days * DAY_MS));
        const label = (ms: number) => SLO_WINDOWS.find((s) => s.ms === ms)?.label;
        return [`${label(w.shortWindowMs)}:${factor}`, `${label(w.longWindowMs)}:${factor}`];
      });
      expect(printedFactors(path.join(slothDir, dir, 'expected.yaml.tpl'))).toEqual(ours);
    });
  }
});
