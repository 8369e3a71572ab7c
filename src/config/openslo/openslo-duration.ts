import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../slo/durations';

/**
 * OpenSLO's `duration-shorthand` (v1 specification, "Custom Data Types"): a
 * positive integer followed by one case-sensitive unit letter,
 *
 *   m minutes   h hours   d days   w weeks   M months   Q quarters   Y years
 *
 * e.g. `12h`, `4w`, `1M`. There is no seconds unit, and no combination
 * (`1h30m` is not a shorthand). The specification leaves the length of M, Q
 * and Y to implementations; slowatch gives them none: they are only accepted
 * where a calendar period is meant (see openslo-time-window.ts).
 */

export type ShorthandUnit = 'm' | 'h' | 'd' | 'w' | 'M' | 'Q' | 'Y';

export interface DurationShorthand {
  readonly count: number;
  readonly unit: ShorthandUnit;
  /** As written, for messages. */
  readonly text: string;
}

const UNIT_NAMES: Readonly<Record<ShorthandUnit, string>> = {
  m: 'minutes',
  h: 'hours',
  d: 'days',
  w: 'weeks',
  M: 'months',
  Q: 'quarters',
  Y: 'years',
};

const FIXED_UNIT_MS: Readonly<Partial<Record<ShorthandUnit, number>>> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS, w: 7 * DAY_MS };

const SHORTHAND = /^(\d+)([mhdwMQY])$/;

export const SHORTHAND_RULE = 'a duration shorthand: a whole number followed by m (minutes), h, d, w, M (months), Q or Y, e.g. 1h, 4w, 1M';

export type ShorthandParseResult = { readonly ok: true; readonly value: DurationShorthand } | { readonly ok: false; readonly reason: string };

/** Parses a shorthand; `allowZero` for the one field whose default is `0m` (alertAfter). */
export function parseDurationShorthand(text: string, allowZero = false): ShorthandParseResult {
  const match = SHORTHAND.exec(text);
  if (match === null) {
    if (/^\d+(ms|s)$/.test(text)) return { ok: false, reason: 'OpenSLO durations have no seconds; the smallest unit is m (minutes)' };
    return { ok: false, reason: `not ${SHORTHAND_RULE}` };
  }
  const count = Number(match[1]);
  const unit = match[2] as ShorthandUnit;
  if (!Number.isSafeInteger(count) || (count === 0 && !allowZero)) return { ok: false, reason: 'the number must be a positive whole number' };
  return { ok: true, value: { count, unit, text } };
}

/** Milliseconds of a shorthand in a fixed-length unit (m, h, d, w); undefined for M, Q and Y, whose length varies. */
export function shorthandMs(duration: DurationShorthand): number | undefined {
  const unitMs = FIXED_UNIT_MS[duration.unit];
  return unitMs === undefined ? undefined : duration.count * unitMs;
}

/** `"minutes"` for m, `"months"` for M, … */
export function unitName(unit: ShorthandUnit): string {
  return UNIT_NAMES[unit];
}
