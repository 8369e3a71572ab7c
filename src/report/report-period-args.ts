import { DURATION_EXAMPLES, tryParseDuration } from '../config/duration';
import type { ReportPeriod } from './slo-report';

/**
 * The report's period from the command line: `--period 30d` (ending now) or
 * `--from T [--to T]` (T in RFC 3339 or `YYYY-MM-DD`, which is UTC
 * midnight). Pure: "now" is a parameter. The period is [from, to): a date
 * given as `--to` is excluded, so `--from 2024-05-01 --to 2024-06-01` is May.
 */

export interface ReportPeriodArgs {
  /** `--period`: a duration ending at `nowMs`. */
  readonly period?: string | undefined;
  /** `--from`: the period's start. */
  readonly from?: string | undefined;
  /** `--to`: the period's end (exclusive). @default nowMs */
  readonly to?: string | undefined;
}

/** The default period when no flag is given. */
export const DEFAULT_REPORT_PERIOD = '30d';

/** A bad --period, --from or --to; the message names the flag and what is valid. */
export class ReportPeriodError extends Error {
  override readonly name = 'ReportPeriodError';
}

const TIME_EXAMPLES = 'RFC 3339 (2024-05-01T00:00:00Z, 2024-05-01T02:00:00+02:00) or a UTC date (2024-05-01)';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses one time flag's value to Unix ms. Rejects impossible dates
 * (2024-02-30) that `Date.parse` would roll over.
 */
export function parseReportTime(flag: string, text: string): number {
  const fail = (): never => {
    throw new ReportPeriodError(`${flag} ${JSON.stringify(text)}: expected ${TIME_EXAMPLES}`);
  };
  const date = DATE_ONLY.exec(text);
  const full = date === null ? RFC_3339.exec(text) : null;
  const parts = date ?? full;
  if (parts === null) return fail();
  const [year, month, day] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const midnight = Date.UTC(year, month - 1, day);
  const check = new Date(midnight);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return fail();
  if (full === null) return midnight;
  const [hour, minute, second] = [Number(full[4]), Number(full[5]), Number(full[6])];
  // 60 would be a leap second, which Unix time has no room for.
  if (hour > 23 || minute > 59 || second > 59) return fail();
  // Date.parse wants the T separator and an upper-case Z.
  const ms = Date.parse(text.replace(/[t ]/, 'T').replace(/z$/, 'Z'));
  return Number.isFinite(ms) ? ms : fail();
}

/** The period the flags describe, with its label (`30d`, or `2024-05-01 to 2024-06-01`). */
export function parseReportPeriod(args: ReportPeriodArgs, nowMs: number): ReportPeriod {
  const { period, from, to } = args;
  if (period !== undefined && (from !== undefined || to !== undefined)) {
    throw new ReportPeriodError('--period cannot be combined with --from/--to: give a duration ending now (--period 30d) or a range (--from T --to T)');
  }
  if (from === undefined) {
    if (to !== undefined) throw new ReportPeriodError(`--to needs --from (the period's start), in ${TIME_EXAMPLES}`);
    const text = period ?? DEFAULT_REPORT_PERIOD;
    const parsed = tryParseDuration(text);
    if (!parsed.ok) throw new ReportPeriodError(`--period ${JSON.stringify(text)}: ${parsed.reason}`);
    if (parsed.ms <= 0) throw new ReportPeriodError(`--period ${JSON.stringify(text)}: must be longer than 0, e.g. ${DURATION_EXAMPLES}`);
    return { fromMs: nowMs - parsed.ms, toMs: nowMs, label: text };
  }
  const fromMs = parseReportTime('--from', from);
  const toMs = to === undefined ? nowMs : parseReportTime('--to', to);
  if (!(toMs > fromMs)) {
    throw new ReportPeriodError(`--to must be after --from (got ${to ?? 'now'} for --to and ${from} for --from)`);
  }
  return { fromMs, toMs, label: `${from} to ${to ?? 'now'}` };
}
