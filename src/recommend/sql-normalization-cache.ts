import { normalizeSqlStatement } from './sql-normalizer';

/**
 * Normalised statements by raw text, shared across traces. Instrumented
 * drivers mostly send parameterised statements (`… WHERE id = $1`), so the
 * same raw text comes back on every execution of a code site and its
 * normalisation (a linear scan, a few microseconds) is done once.
 *
 * Bounded: at most `maxEntries` texts; when full it is cleared and refilled
 * (the hot statements come back at once), so memory stays below
 * maxEntries × (raw + normalised text), about 2 MB at 1 000 entries of 1 KB.
 * Default-length normalisation only (`DEFAULT_SQL_MAX_LENGTH`).
 */
export class SqlNormalizationCache {
  private readonly standard = new Map<string, string>();
  private readonly backslash = new Map<string, string>();

  constructor(private readonly maxEntries = 1000) {}

  normalize(text: string, backslashEscapes: boolean): string {
    const cache = backslashEscapes ? this.backslash : this.standard;
    let normalized = cache.get(text);
    if (normalized === undefined) {
      normalized = normalizeSqlStatement(text, { backslashEscapes });
      if (cache.size >= this.maxEntries) cache.clear();
      cache.set(text, normalized);
    }
    return normalized;
  }
}
