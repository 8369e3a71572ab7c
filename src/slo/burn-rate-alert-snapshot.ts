import type { AlertWindow } from './objective';
import { fieldPath, readInteger, readNumber, readRecord, readStringArray } from './snapshot-reader';

/** One severity that was firing when the snapshot was taken. */
export interface FiringSnapshot {
  /** The `nowMs` of the evaluation at which it started firing. */
  readonly sinceMs: number;
  /** Index into `BurnRateAlertSnapshot.rules` of the rule holding at the latest evaluation. */
  readonly rule: number;
}

/**
 * A `BurnRateAlert`'s state as plain, structured-clone-able data: which
 * severities are firing, since when and on which rule. Restoring it means an
 * alert firing before a restart does not send a second 'firing' edge after
 * it, and its end is still reported as 'resolved'.
 *
 * Serialised size: about 150 B (the rule signatures dominate).
 */
export interface BurnRateAlertSnapshot {
  /** `alertRuleSignature` of each rule, in order; the firing rule indexes refer to these. */
  readonly rules: readonly string[];
  /** null when the page alert was not firing. */
  readonly page: FiringSnapshot | null;
  /** null when the ticket alert was not firing. */
  readonly ticket: FiringSnapshot | null;
}

/** A rule as a short stable string, e.g. `page quick 300000/3600000 ms 2%`: what a saved rule index means. */
export function alertRuleSignature(rule: AlertWindow): string {
  return `${rule.severity} ${rule.speed} ${rule.shortWindowMs}/${rule.longWindowMs} ms ${rule.errorBudgetPercent}%`;
}

function parseFiring(value: unknown, path: string, ruleCount: number): FiringSnapshot | null {
  if (value === null) return null;
  const record = readRecord(value, path);
  const sinceMs = readNumber(record, 'sinceMs', path);
  const rule = readInteger(record, 'rule', path, 0);
  if (rule >= ruleCount) {
    throw new TypeError(`${fieldPath(path, 'rule')}: rule ${rule} does not exist (${ruleCount} rules saved)`);
  }
  return { sinceMs, rule };
}

/**
 * Checks that `value` is a well-formed `BurnRateAlertSnapshot` and returns
 * it typed. Whether it fits a given alert (same rules) is
 * `BurnRateAlert.stateMismatch`'s question.
 *
 * @param path where the value sits in the whole state, for messages.
 * @throws TypeError naming the first malformed field.
 */
export function parseBurnRateAlertSnapshot(value: unknown, path: string): BurnRateAlertSnapshot {
  const record = readRecord(value, path);
  const rules = readStringArray(record, 'rules', path);
  const page = parseFiring(record.page, fieldPath(path, 'page'), rules.length);
  const ticket = parseFiring(record.ticket, fieldPath(path, 'ticket'), rules.length);
  return { rules, page, ticket };
}
