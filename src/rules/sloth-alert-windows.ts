import { parseDocument } from 'yaml';
import { tryParseDuration } from '../config/duration';
import { googleAlertWindows } from '../slo/alert-windows';
import { DAY_MS } from '../slo/durations';
import type { AlertWindow, Severity } from '../slo/objective';
import { formatPrometheusDuration } from './prometheus-duration';
import { RulesInputError } from './rules-input-error';
import { SpecReader, join } from './spec-reader';

/**
 * Sloth's `AlertWindows` files (apiVersion `sloth.slok.dev/v1`): the four
 * multiwindow rules for one SLO period.
 *
 *   spec:
 *     sloPeriod: 7d
 *     page:   { quick: { errorBudgetPercent, shortWindow, longWindow }, slow: {...} }
 *     ticket: { quick: {...}, slow: {...} }
 */
export interface SlothAlertWindows {
  readonly periodMs: number;
  /** In Sloth's order: page quick, page slow, ticket quick, ticket slow. */
  readonly windows: readonly AlertWindow[];
}

const SEVERITIES: readonly Severity[] = ['page', 'ticket'];
const SPEEDS = ['quick', 'slow'] as const;

/** Parses one AlertWindows file; throws RulesInputError naming every bad field. */
export function parseSlothAlertWindows(text: string, file?: string): SlothAlertWindows {
  const document = parseDocument(text);
  if (document.errors.length > 0) throw new RulesInputError([{ path: '', message: `not valid YAML: ${document.errors[0]?.message ?? ''}` }], file);
  const reader = new SpecReader();
  const root = reader.mapping(document.toJS() as unknown, '', ['apiVersion', 'kind', 'spec']);
  if (root !== undefined) {
    if (root.apiVersion !== 'sloth.slok.dev/v1') reader.fail('apiVersion', `must be sloth.slok.dev/v1, got ${JSON.stringify(root.apiVersion) ?? 'nothing'}`);
    if (root.kind !== 'AlertWindows') reader.fail('kind', `must be AlertWindows, got ${JSON.stringify(root.kind) ?? 'nothing'}`);
  }
  const spec = root === undefined ? undefined : reader.mapping(root.spec, 'spec', ['sloPeriod', 'page', 'ticket']);
  const periodMs = spec === undefined ? undefined : duration(reader, spec.sloPeriod, 'spec.sloPeriod');
  const windows: AlertWindow[] = [];
  for (const severity of SEVERITIES) {
    const bySpeed = spec === undefined ? undefined : reader.mapping(spec[severity], join('spec', severity), SPEEDS);
    for (const speed of SPEEDS) {
      if (bySpeed === undefined) continue;
      const path = join(join('spec', severity), speed);
      const rule = reader.mapping(bySpeed[speed], path, ['errorBudgetPercent', 'shortWindow', 'longWindow']);
      if (rule === undefined) continue;
      const errorBudgetPercent = reader.number(rule.errorBudgetPercent, join(path, 'errorBudgetPercent'), (n) => n > 0 && n <= 100, 'a percentage > 0 and <= 100');
      const shortWindowMs = duration(reader, rule.shortWindow, join(path, 'shortWindow'));
      const longWindowMs = duration(reader, rule.longWindow, join(path, 'longWindow'));
      if (shortWindowMs !== undefined && longWindowMs !== undefined && shortWindowMs >= longWindowMs) {
        reader.fail(join(path, 'shortWindow'), `must be shorter than longWindow (${formatPrometheusDuration(longWindowMs)})`);
      }
      if (errorBudgetPercent !== undefined && shortWindowMs !== undefined && longWindowMs !== undefined) {
        windows.push({ severity, speed, shortWindowMs, longWindowMs, errorBudgetPercent });
      }
    }
  }
  if (reader.issues.length > 0 || periodMs === undefined) throw new RulesInputError(reader.issues, file);
  return { periodMs, windows };
}

/**
 * The windows Sloth uses for `periodMs` when no file gives them: its embedded
 * Google sets exist for 30d and 28d only (same shares of the budget, see
 * `googleAlertWindows`); any other period needs a windows file, as in Sloth.
 */
export function defaultSlothAlertWindows(): readonly SlothAlertWindows[] {
  return [
    { periodMs: 30 * DAY_MS, windows: googleAlertWindows() },
    { periodMs: 28 * DAY_MS, windows: googleAlertWindows() },
  ];
}

/** The first set for `periodMs` in `custom`, then in Sloth's defaults; undefined when none. */
export function alertWindowsForPeriod(periodMs: number, custom: readonly SlothAlertWindows[] = []): readonly AlertWindow[] | undefined {
  return [...custom, ...defaultSlothAlertWindows()].find((set) => set.periodMs === periodMs)?.windows;
}

function duration(reader: SpecReader, value: unknown, path: string): number | undefined {
  if (typeof value !== 'string') return reader.fail(path, `must be a duration such as 5m, 1h or 30d, got ${JSON.stringify(value) ?? 'nothing'}`);
  const parsed = tryParseDuration(value);
  if (!parsed.ok) return reader.fail(path, `${JSON.stringify(value)}: ${parsed.reason}`);
  if (parsed.ms <= 0) return reader.fail(path, 'must be longer than 0');
  return parsed.ms;
}
