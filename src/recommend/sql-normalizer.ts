/**
 * SQL statement normalisation: the grouping key of the `n_plus_one_db` and
 * `slow_db_statement` analyzers ("the same normalised statement, literals
 * stripped").
 *
 * Two executions of one code site must map to the same text whatever values
 * they carry, so that the analyzers can count them together; this is the idea
 * behind Sentry's grouping of database spans "with similar descriptions" and
 * Percona's pt-query-digest fingerprints (which also collapse `IN (...)` lists
 * of any length to a single placeholder). The rules, written here from those
 * ideas:
 *
 * - Literals become `?`: single-quoted strings (`''` escapes; prefixed forms
 *   `E'…'`, `N'…'`, `B'…'`, `X'…'`, `U&'…'`), dollar-quoted strings (`$$…$$`,
 *   `$tag$…$tag$`, PostgreSQL), numbers (integers, decimals, exponents,
 *   `0x`/`0b`/`0o` prefixes, `_` digit separators) with a unary sign when the
 *   sign cannot be a binary minus (`x = -1` → `x = ?`, but `a - 1` → `a - ?`),
 *   and the booleans `TRUE`/`FALSE` (ORMs inline them; `= true` and `= false`
 *   are one query shape). `NULL` stays: `IS NULL` is structure, not a value.
 * - Bind parameters also become `?`: `$1`, `?`, `:name`, `:1`. A statement run
 *   once with inlined literals and once with parameters then groups together,
 *   and `$1`/`$2` numbering (positional noise) disappears. `@name` (SQL
 *   Server, MySQL user variables) is left alone.
 * - `IN (?, ?, …)`, `ARRAY[?, …]` and tuples of placeholders in them collapse
 *   to `IN (?)` / `ARRAY[?]`; `VALUES` rows made only of placeholders collapse
 *   to `(?)`, and consecutive identical rows are kept once, so a multi-row
 *   insert of any size reads `VALUES (?)`. `(?)` therefore means "one or more
 *   values or rows". Function calls (`f(1, 2)` → `f(?, ?)`) keep their arity.
 * - Comments (`-- …`, nested `/* … *\/`) are removed; each run of whitespace
 *   and comments becomes one space, and leading/trailing space is trimmed.
 *   Spacing is otherwise kept as written (`a=1` → `a=?`), and the case of
 *   keywords and identifiers is kept: one code site always sends the same
 *   text, so only values need erasing, and the output stays readable.
 *   Quoted identifiers (`"…"`, `` `…` ``) are kept verbatim.
 * - Backslash escapes inside '…' are off by default (SQL standard, PostgreSQL
 *   with `standard_conforming_strings`, the default since 9.1); MySQL and
 *   MariaDB honour them: see {@link backslashEscapesFor}. `E'…'` always does.
 *
 * Bounds: the scan reads at most `maxLength` UTF-16 code units of the input
 * (default 4 KiB). A longer input is cut there and the output ends with
 * {@link TRUNCATION_MARKER}; the output never exceeds
 * `maxLength + TRUNCATION_MARKER.length + 1` characters. Work is one linear
 * hand-written scan (no regular expressions, so no backtracking) plus one
 * linear render; transient memory is at most 15 bytes per input character (typed
 * token and bracket arrays), at most 60 KiB at the default limit.
 *
 * Invariants (property-tested): idempotent (`normalize(normalize(x)) ===
 * normalize(x)`), literal values do not change the output, output bounded.
 */

/** Marker ending a normalised statement whose input was cut at `maxLength`. A comment, so that a normal output can never end with it (comments are stripped). */
export const TRUNCATION_MARKER = '/* truncated */';

export interface SqlNormalizerOptions {
  /**
   * Longest input read, in UTF-16 code units; the rest is dropped and the
   * output ends with {@link TRUNCATION_MARKER}.
   * @default 4096
   */
  readonly maxLength?: number;
  /**
   * Treat `\` as an escape inside '…' strings (MySQL, MariaDB).
   * @default false
   */
  readonly backslashEscapes?: boolean;
}

export const DEFAULT_SQL_MAX_LENGTH = 4096;

/** Longest PostgreSQL identifier (NAMEDATALEN - 1); bounds dollar-quote tags so the closing-tag search stays linear. */
const MAX_DOLLAR_TAG = 63;

// Token kinds.
const WORD = 1;
const PARAM = 2; // a literal or a bind parameter, rendered `?`
const OPEN = 3; // ( or [
const CLOSE = 4; // ) or ]
const COMMA = 5;
const QUOTED = 6; // quoted identifier, verbatim
const OTHER = 7; // any other single character (operators, dots, semicolons…)

/** Keywords after which `-`/`+` directly before a number is a sign, not a binary operator. */
const SIGN_KEYWORDS: ReadonlySet<string> = new Set([
  'SELECT', 'WHERE', 'AND', 'OR', 'NOT', 'ON', 'WHEN', 'THEN', 'ELSE', 'CASE', 'LIMIT', 'OFFSET',
  'HAVING', 'BETWEEN', 'LIKE', 'ILIKE', 'IS', 'RETURN', 'RETURNING', 'DISTINCT', 'ALL', 'ANY',
  'SOME', 'DEFAULT', 'BY', 'TOP', 'IN', 'VALUES', 'SET', 'INTERVAL',
]);

/** Whether `\` escapes in '…' strings for this `db.system.name` / `db.system` value. */
export function backslashEscapesFor(dbSystem: string | undefined): boolean {
  return dbSystem === 'mysql' || dbSystem === 'mariadb';
}

/** Whether a normalised statement was cut (Sentry likewise skips truncated queries when detecting N+1). */
export function isTruncatedStatement(normalized: string): boolean {
  return normalized.endsWith(TRUNCATION_MARKER);
}

function isSpace(c: number): boolean {
  return (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0xfeff || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHexDigit(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || (c >= 128 && !isSpace(c));
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 36; // `$` is an identifier character in PostgreSQL
}

/** Token list as parallel typed arrays (no per-token objects). */
interface Tokens {
  count: number;
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** 1 when whitespace or a comment preceded the token. */
  readonly space: Uint8Array;
}

/** End (exclusive) of a quoted run opened at `i` by `quote`, where a doubled quote escapes it; `text.length` if unterminated. */
function endOfQuoted(text: string, i: number, quote: number, backslash: boolean): number {
  let j = i + 1;
  const n = text.length;
  while (j < n) {
    const c = text.charCodeAt(j);
    if (backslash && c === 92) {
      j += 2;
      continue;
    }
    if (c === quote) {
      if (text.charCodeAt(j + 1) === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return n;
}

/** End of the numeric literal starting at `i` (a digit or `.digit`), or -1 when the digits run into identifier characters (MySQL allows `1col`). */
function endOfNumber(text: string, i: number): number {
  const n = text.length;
  let j = i;
  const c0 = text.charCodeAt(i);
  const c1 = text.charCodeAt(i + 1) | 32;
  if (c0 === 48 && (c1 === 120 || c1 === 98 || c1 === 111) && isHexDigit(text.charCodeAt(i + 2))) {
    j = i + 2;
    while (j < n && (isHexDigit(text.charCodeAt(j)) || text.charCodeAt(j) === 95)) j++;
    return j;
  }
  const digits = (from: number): number => {
    let k = from;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (isDigit(c) || (c === 95 && isDigit(text.charCodeAt(k + 1)) && k > from)) k++;
      else break;
    }
    return k;
  };
  j = digits(j);
  let plain = true;
  if (text.charCodeAt(j) === 46) {
    plain = false;
    j = digits(j + 1);
  }
  if ((text.charCodeAt(j) | 32) === 101) {
    let k = j + 1;
    const s = text.charCodeAt(k);
    if (s === 43 || s === 45) k++;
    if (isDigit(text.charCodeAt(k))) {
      plain = false;
      j = digits(k);
    }
  }
  if (plain && j < n && isIdentPart(text.charCodeAt(j))) return -1;
  return j;
}

function endOfWord(text: string, i: number): number {
  let j = i;
  while (j < text.length && isIdentPart(text.charCodeAt(j))) j++;
  return j;
}

function signAllowed(text: string, t: Tokens): boolean {
  if (t.count === 0) return true;
  const k = t.count - 1;
  const kind = t.kind[k];
  if (kind === OPEN || kind === COMMA || kind === OTHER) return true;
  if (kind !== WORD) return false;
  return SIGN_KEYWORDS.has(text.slice(t.start[k], t.end[k]).toUpperCase());
}

/**
 * Token arrays reused across calls up to SCRATCH_LIMIT tokens: allocating
 * six typed arrays per statement was a fifth of the normaliser's time and
 * much of the recommend processor's garbage (bench:processors).
 * Normalisation is synchronous and never re-entered, so one set serves
 * every call; longer statements (a configured max length above the
 * default) get arrays of their own. At most 8 193 × 14 bytes ≈ 115 KB.
 */
const SCRATCH_LIMIT = 2 * DEFAULT_SQL_MAX_LENGTH + 1;
let scratch: { kind: Uint8Array; start: Int32Array; end: Int32Array; space: Uint8Array; match: Int32Array; placeholdersOnly: Uint8Array } | undefined;

function scratchFor(size: number): NonNullable<typeof scratch> {
  if (size > SCRATCH_LIMIT) {
    return {
      kind: new Uint8Array(size),
      start: new Int32Array(size),
      end: new Int32Array(size),
      space: new Uint8Array(size),
      match: new Int32Array(size),
      placeholdersOnly: new Uint8Array(size),
    };
  }
  if (scratch === undefined || scratch.kind.length < size) {
    const capacity = Math.min(SCRATCH_LIMIT, Math.max(size, 2 * (scratch?.kind.length ?? 256)));
    scratch = {
      kind: new Uint8Array(capacity),
      start: new Int32Array(capacity),
      end: new Int32Array(capacity),
      space: new Uint8Array(capacity),
      match: new Int32Array(capacity),
      placeholdersOnly: new Uint8Array(capacity),
    };
  }
  return scratch;
}

function scan(text: string, backslashDefault: boolean): Tokens {
  const n = text.length;
  const arrays = scratchFor(n + 1);
  // Only the first `count` slots are ever read; `space` is written before it is read (see push).
  const t: Tokens = { count: 0, kind: arrays.kind, start: arrays.start, end: arrays.end, space: arrays.space };
  let pendingSpace = 0;
  const push = (kind: number, start: number, end: number): void => {
    const k = t.count++;
    t.kind[k] = kind;
    t.start[k] = start;
    t.end[k] = end;
    t.space[k] = pendingSpace;
    pendingSpace = 0;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (isSpace(c)) {
      pendingSpace = 1;
      i++;
    } else if (c === 45 && next === 45) {
      // -- comment to end of line
      i += 2;
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      pendingSpace = 1;
    } else if (c === 47 && next === 42) {
      // /* comment */, nested as in PostgreSQL
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        const d = text.charCodeAt(i);
        if (d === 47 && text.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (d === 42 && text.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
      pendingSpace = 1;
    } else if (c === 39) {
      push(PARAM, i, (i = endOfQuoted(text, i, 39, backslashDefault)));
    } else if (next === 39 && (c | 32) === 101) {
      push(PARAM, i, (i = endOfQuoted(text, i + 1, 39, true))); // E'…' escape string
    } else if (next === 39 && ((c | 32) === 110 || (c | 32) === 98 || (c | 32) === 120) && !(i > 0 && isIdentPart(text.charCodeAt(i - 1)))) {
      push(PARAM, i, (i = endOfQuoted(text, i + 1, 39, backslashDefault))); // N'…', B'…', X'…'
    } else if ((c | 32) === 117 && next === 38 && text.charCodeAt(i + 2) === 39) {
      push(PARAM, i, (i = endOfQuoted(text, i + 2, 39, false))); // U&'…'
    } else if (c === 34 || c === 96) {
      push(QUOTED, i, (i = endOfQuoted(text, i, c, false)));
    } else if (c === 36 && isDigit(next)) {
      let j = i + 1;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
      push(PARAM, i, (i = j)); // $1
    } else if (c === 36) {
      // $tag$ … $tag$ (tag may be empty)
      let j = i + 1;
      while (j < n && j - i <= MAX_DOLLAR_TAG && isIdentPart(text.charCodeAt(j)) && text.charCodeAt(j) !== 36) j++;
      if (text.charCodeAt(j) === 36) {
        const tag = text.slice(i, j + 1);
        const close = text.indexOf(tag, j + 1);
        push(PARAM, i, (i = close < 0 ? n : close + tag.length));
      } else {
        push(OTHER, i, ++i);
      }
    } else if (c === 63) {
      push(PARAM, i, ++i);
    } else if (
      c === 58 && (isIdentStart(next) || isDigit(next)) &&
      !(i > 0 && (text.charCodeAt(i - 1) === 58 || text.charCodeAt(i - 1) === 63 || isIdentPart(text.charCodeAt(i - 1))))
    ) {
      push(PARAM, i, (i = endOfWord(text, i + 1))); // :name, :1
    } else if (isDigit(c) || (c === 46 && isDigit(next))) {
      const end = endOfNumber(text, i);
      if (end < 0) push(WORD, i, (i = endOfWord(text, i)));
      else push(PARAM, i, (i = end));
    } else if (
      (c === 45 || c === 43) && (isDigit(next) || (next === 46 && isDigit(text.charCodeAt(i + 2)))) &&
      signAllowed(text, t) && endOfNumber(text, i + 1) >= 0
    ) {
      push(PARAM, i, (i = endOfNumber(text, i + 1)));
    } else if (isIdentStart(c)) {
      const end = endOfWord(text, i);
      const len = end - i;
      const word = len === 4 || len === 5 ? text.slice(i, end).toUpperCase() : '';
      push(word === 'TRUE' || word === 'FALSE' ? PARAM : WORD, i, (i = end));
    } else if (c === 40 || c === 91) {
      push(OPEN, i, ++i);
    } else if (c === 41 || c === 93) {
      push(CLOSE, i, ++i);
    } else if (c === 44) {
      push(COMMA, i, ++i);
    } else {
      push(OTHER, i, ++i);
    }
  }
  return t;
}

/**
 * For each opening bracket: the index of its closing one (-1 when unmatched),
 * and whether its content is a non-empty comma list whose every item is one
 * placeholder or a nested bracket of the same kind (tuples of placeholders).
 */
function matchBrackets(text: string, t: Tokens): { match: Int32Array; placeholdersOnly: Uint8Array } {
  const arrays = scratchFor(t.count);
  const match = arrays.match.subarray(0, t.count).fill(-1);
  const placeholdersOnly = arrays.placeholdersOnly.subarray(0, t.count).fill(0);
  const stack: number[] = [];
  // Per open frame: items still valid, and elements seen in the current item.
  const ok: boolean[] = [];
  const elems: number[] = [];
  const spoil = (): void => {
    if (ok.length > 0) ok[ok.length - 1] = false;
  };
  for (let k = 0; k < t.count; k++) {
    const kind = t.kind[k];
    if (kind === OPEN) {
      stack.push(k);
      ok.push(true);
      elems.push(0);
    } else if (kind === CLOSE) {
      const top = stack.length - 1;
      const open = top >= 0 ? stack[top] : undefined;
      if (open === undefined || (text.charCodeAt(t.start[open]!) === 40) !== (text.charCodeAt(t.start[k]!) === 41)) {
        spoil();
        continue;
      }
      match[open] = k;
      const frameOk = ok.pop()!;
      const lastItemElems = elems.pop();
      const inner = frameOk && lastItemElems === 1;
      placeholdersOnly[open] = inner ? 1 : 0;
      stack.pop();
      if (ok.length > 0) {
        elems[elems.length - 1]!++;
        if (!inner) spoil();
      }
    } else if (ok.length > 0) {
      const f = ok.length - 1;
      if (kind === COMMA) {
        if (elems[f] !== 1) ok[f] = false;
        elems[f] = 0;
      } else if (kind === PARAM) {
        elems[f]!++;
      } else {
        ok[f] = false;
      }
    }
  }
  return { match, placeholdersOnly };
}

/**
 * Normalises one SQL statement (see the module comment for the rules).
 * Linear in `min(sql.length, maxLength)`.
 */
export function normalizeSqlStatement(sql: string, options: SqlNormalizerOptions = {}): string {
  const maxLength = Math.max(1, Math.floor(options.maxLength ?? DEFAULT_SQL_MAX_LENGTH));
  // An already-truncated output keeps its marker: needed for idempotence.
  const hadMarker = sql.endsWith(TRUNCATION_MARKER);
  let text = hadMarker ? sql.slice(0, sql.length - TRUNCATION_MARKER.length) : sql;
  let truncated = hadMarker;
  if (text.length > maxLength) {
    let cut = maxLength;
    const last = text.charCodeAt(cut - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut--; // never split a surrogate pair
    text = text.slice(0, cut);
    truncated = true;
  }
  const tokens = scan(text, options.backslashEscapes ?? false);
  const { match, placeholdersOnly } = matchBrackets(text, tokens);

  const tokenText = (k: number): string => (tokens.kind[k] === PARAM ? '?' : text.slice(tokens.start[k], tokens.end[k]));
  const wordBefore = (k: number): string =>
    k > 0 && tokens.kind[k - 1] === WORD ? text.slice(tokens.start[k - 1], tokens.end[k - 1]).toUpperCase() : '';
  const isParen = (k: number): boolean => text.charCodeAt(tokens.start[k]!) === 40;
  const groupEnd = (k: number, to: number): number => {
    const m = tokens.kind[k] === OPEN ? match[k]! : -1;
    return m >= 0 && m < to ? m + 1 : -1;
  };

  /** Renders tokens [from, to), dropping the space before the first one. */
  const render = (from: number, to: number): string => {
    let out = '';
    let k = from;
    while (k < to) {
      const sp = k > from && tokens.space[k] === 1 ? ' ' : '';
      const end = groupEnd(k, to);
      if (end >= 0) {
        const context = wordBefore(k);
        if (context === 'VALUES' && isParen(k)) {
          // A row renders its inside (rendering the row itself would see VALUES again and recurse forever).
          const row = (r: number, rEnd: number): string => {
            if (placeholdersOnly[r] === 1) return '(?)';
            const close = rEnd - 1;
            const lead = r + 1 < close && tokens.space[r + 1] === 1 ? ' ' : '';
            return `(${lead}${render(r + 1, close)}${tokens.space[close] === 1 ? ' ' : ''})`;
          };
          let previous = row(k, end);
          out += sp + previous;
          k = end;
          // Following rows: `, (…)`; identical consecutive rows are kept once.
          while (k + 1 < to && tokens.kind[k] === COMMA && isParen(k + 1)) {
            const rEnd = groupEnd(k + 1, to);
            if (rEnd < 0) break;
            const current = row(k + 1, rEnd);
            if (current !== previous) {
              out += (tokens.space[k] === 1 ? ' ,' : ',') + (tokens.space[k + 1] === 1 ? ' ' : '') + current;
              previous = current;
            }
            k = rEnd;
          }
          continue;
        }
        if (placeholdersOnly[k] === 1 && ((context === 'IN' && isParen(k)) || (context === 'ARRAY' && !isParen(k)))) {
          out += sp + (isParen(k) ? '(?)' : '[?]');
          k = end;
          continue;
        }
      }
      out += sp + tokenText(k);
      k++;
    }
    return out;
  };

  const body = render(0, tokens.count);
  if (!truncated) return body;
  return body.length > 0 ? `${body} ${TRUNCATION_MARKER}` : TRUNCATION_MARKER;
}

const MAIN_VERBS: ReadonlySet<string> = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'UPSERT', 'REPLACE', 'VALUES', 'TABLE']);

/**
 * The statement's verb in upper case (`SELECT`, `INSERT`, `UPDATE`,
 * `DELETE`, `CREATE`, `BEGIN`…), for titles. For `WITH … AS (…) <verb>` the
 * main verb after the common table expressions is returned (or `WITH` if none
 * is found). Leading `(` is skipped. `''` when the text has no leading word.
 * Expects a normalised statement (no comments or strings).
 */
export function sqlOperation(normalized: string): string {
  const n = normalized.length;
  let i = 0;
  while (i < n && (isSpace(normalized.charCodeAt(i)) || normalized.charCodeAt(i) === 40)) i++;
  if (i >= n || !isIdentStart(normalized.charCodeAt(i))) return '';
  const firstEnd = endOfWord(normalized, i);
  const first = normalized.slice(i, firstEnd).toUpperCase();
  if (first !== 'WITH') return first;
  let depth = 0;
  let j = firstEnd;
  while (j < n) {
    const c = normalized.charCodeAt(j);
    if (c === 40) depth++;
    else if (c === 41) depth--;
    else if (c === 34 || c === 96 || c === 39) {
      j = endOfQuoted(normalized, j, c, false);
      continue;
    } else if (isIdentStart(c)) {
      const end = endOfWord(normalized, j);
      if (depth <= 0) {
        const word = normalized.slice(j, end).toUpperCase();
        if (MAIN_VERBS.has(word)) return word;
      }
      j = end;
      continue;
    }
    j++;
  }
  return 'WITH';
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim().length > 0 ? value : undefined;
}

/**
 * The query text of a database client span: `db.query.text` (stable database
 * semantic conventions) or else `db.statement` (its deprecated predecessor,
 * still sent by many instrumentations).
 */
export function dbStatementOf(attributes: Readonly<Record<string, unknown>>): string | undefined {
  return nonEmptyString(attributes['db.query.text']) ?? nonEmptyString(attributes['db.statement']);
}

/** The database system: `db.system.name` (stable) or else `db.system` (deprecated), e.g. `postgresql`, `mysql`. */
export function dbSystemOf(attributes: Readonly<Record<string, unknown>>): string | undefined {
  return nonEmptyString(attributes['db.system.name']) ?? nonEmptyString(attributes['db.system']);
}
