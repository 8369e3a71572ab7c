import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SQL_MAX_LENGTH,
  TRUNCATION_MARKER,
  backslashEscapesFor,
  dbStatementOf,
  dbSystemOf,
  isTruncatedStatement,
  normalizeSqlStatement,
  sqlOperation,
} from '../../src/recommend/sql-normalizer';

const cases: ReadonlyArray<readonly [string, string, string]> = [
  ['string literal', "SELECT * FROM users WHERE name = 'bob'", 'SELECT * FROM users WHERE name = ?'],
  ['escaped quote', "SELECT 1 FROM t WHERE name = 'O''Brien' AND x = 'it''s'", 'SELECT ? FROM t WHERE name = ? AND x = ?'],
  ['identifiers with digits stay', 'SELECT t1.col_2, a1b FROM t1 WHERE col_2 = 42', 'SELECT t1.col_2, a1b FROM t1 WHERE col_2 = ?'],
  ['decimals and exponents', 'SELECT 1.5, .25, 3e10, 2.5E-3, 7. FROM t', 'SELECT ?, ?, ?, ?, ? FROM t'],
  ['hex, binary, underscores', 'SELECT 0xFF, 0b101, 1_000_000 FROM t', 'SELECT ?, ?, ? FROM t'],
  ['negative number after operator', 'SELECT a FROM t WHERE x = -1 AND y > -2.5', 'SELECT a FROM t WHERE x = ? AND y > ?'],
  ['minus operator stays', 'SELECT a - 1, a-1, b -1, (c)-1 FROM t', 'SELECT a - ?, a-?, b -?, (c)-? FROM t'],
  ['sign after keyword', 'SELECT -1 LIMIT -5', 'SELECT ? LIMIT ?'],
  ['line comment with quote', "SELECT a -- don't do this\nFROM t", 'SELECT a FROM t'],
  ['block comment with quote', "SELECT /* it's 'x */ a FROM t", 'SELECT a FROM t'],
  ['nested block comment', 'SELECT /* a /* b */ c */ x FROM t', 'SELECT x FROM t'],
  ['comment markers inside string', "SELECT '-- not a comment', '/* nor */' FROM t", 'SELECT ?, ? FROM t'],
  ['comment joins tokens with a space', 'SELECT a/**/FROM t', 'SELECT a FROM t'],
  ['dollar quotes', "SELECT $$it's 'x'$$, $fn$ a $$ b $fn$ FROM t", 'SELECT ?, ? FROM t'],
  ['positional parameters map to ?', 'SELECT a FROM t WHERE x = $1 AND y = $12 AND z = ?', 'SELECT a FROM t WHERE x = ? AND y = ? AND z = ?'],
  ['named parameters map to ?', 'SELECT a FROM t WHERE x = :id AND y = :2', 'SELECT a FROM t WHERE x = ? AND y = ?'],
  ['casts are not parameters', 'SELECT a::int, $1::text FROM t', 'SELECT a::int, ?::text FROM t'],
  ['IN list collapses', 'SELECT a FROM t WHERE id IN (1, 2, 3) AND b NOT IN (?, ?)', 'SELECT a FROM t WHERE id IN (?) AND b NOT IN (?)'],
  ['IN of tuples collapses', 'SELECT a FROM t WHERE (a, b) IN ((1, 2), (3, 4))', 'SELECT a FROM t WHERE (a, b) IN (?)'],
  ['IN with subquery stays', 'SELECT a FROM t WHERE id IN (SELECT id FROM u WHERE k = 3)', 'SELECT a FROM t WHERE id IN (SELECT id FROM u WHERE k = ?)'],
  ['ARRAY collapses', 'SELECT a FROM t WHERE id = ANY(ARRAY[1, 2, 3])', 'SELECT a FROM t WHERE id = ANY(ARRAY[?])'],
  ['multi-row VALUES', "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", 'INSERT INTO t (a, b) VALUES (?)'],
  ['VALUES with functions keeps one row', 'INSERT INTO t VALUES (1, now()), (2, now())', 'INSERT INTO t VALUES (?, now())'],
  ['function arity kept', 'SELECT substr(a, 1, 2) FROM t', 'SELECT substr(a, ?, ?) FROM t'],
  ['booleans replaced, NULL kept', 'SELECT a FROM t WHERE b = TRUE AND c = false AND d IS NULL', 'SELECT a FROM t WHERE b = ? AND c = ? AND d IS NULL'],
  ['quoted identifiers unchanged', 'SELECT "Col 1", `x``y` FROM "T""2" WHERE "id" = 5', 'SELECT "Col 1", `x``y` FROM "T""2" WHERE "id" = ?'],
  ['prefixed strings', "SELECT E'a\\'b', N'x', X'ff', B'01', U&'d\\0061' FROM t", 'SELECT ?, ?, ?, ?, ? FROM t'],
  ['whitespace collapsed, case kept', '  select\n\ta\r\n  from   T  ', 'select a from T'],
  ['backslash is literal by default', "SELECT 'a\\' FROM t WHERE x = 'b'", 'SELECT ? FROM t WHERE x = ?'],
  ['unterminated string runs to the end', "SELECT 'abc FROM t", 'SELECT ?'],
  ['digit-leading identifier (MySQL)', 'SELECT 1col FROM t', 'SELECT 1col FROM t'],
  ['empty input', '   ', ''],
];

describe('normalizeSqlStatement', () => {
  it.each(cases)('%s', (_name, input, expected) => {
    expect(normalizeSqlStatement(input)).toBe(expected);
    expect(normalizeSqlStatement(expected)).toBe(expected);
  });

  it('honours backslash escapes when asked (MySQL)', () => {
    const sql = "SELECT a FROM t WHERE x = 'it\\'s' AND y = 2";
    expect(normalizeSqlStatement(sql, { backslashEscapes: true })).toBe('SELECT a FROM t WHERE x = ? AND y = ?');
    expect(backslashEscapesFor('mysql')).toBe(true);
    expect(backslashEscapesFor('postgresql')).toBe(false);
  });

  it('IN lists of any length normalise the same', () => {
    expect(normalizeSqlStatement('SELECT a FROM t WHERE id IN (1,2,3)')).toBe(normalizeSqlStatement('SELECT a FROM t WHERE id IN (4,5)'));
  });

  it('truncates long input with a marker and stays idempotent', () => {
    const long = `SELECT ${Array.from({ length: 2000 }, (_, i) => `c${i}`).join(', ')} FROM t WHERE id = 7`;
    const out = normalizeSqlStatement(long);
    expect(isTruncatedStatement(out)).toBe(true);
    expect(out.endsWith(` ${TRUNCATION_MARKER}`)).toBe(true);
    expect(out.length).toBeLessThanOrEqual(DEFAULT_SQL_MAX_LENGTH + TRUNCATION_MARKER.length + 1);
    expect(normalizeSqlStatement(out)).toBe(out);
    expect(isTruncatedStatement(normalizeSqlStatement('SELECT 1'))).toBe(false);
    expect(normalizeSqlStatement('SELECT 123456789', { maxLength: 10 })).toBe(`SELECT ? ${TRUNCATION_MARKER}`);
  });

  it('handles pathological input in linear time (no backtracking)', () => {
    const inputs = ["'".repeat(100_000), '$a$'.repeat(30_000), '('.repeat(4096), '/*'.repeat(50_000), '-1'.repeat(50_000)];
    for (const input of inputs) {
      const out = normalizeSqlStatement(input, { maxLength: 200_000 });
      expect(typeof out).toBe('string');
      expect(normalizeSqlStatement(out, { maxLength: 200_000 })).toBe(out);
    }
  });
});

describe('sqlOperation', () => {
  it.each([
    ['SELECT a FROM t', 'SELECT'],
    ['insert into t VALUES (?)', 'INSERT'],
    ['  (SELECT ?) UNION (SELECT ?)', 'SELECT'],
    ['WITH x AS (SELECT ? FROM t), y AS (DELETE FROM u RETURNING *) UPDATE v SET a = ?', 'UPDATE'],
    ['BEGIN', 'BEGIN'],
    ['?', ''],
  ])('%s → %s', (sql, verb) => {
    expect(sqlOperation(sql)).toBe(verb);
  });
});

describe('attribute helpers', () => {
  it('read stable names first, then the deprecated ones', () => {
    expect(dbStatementOf({ 'db.query.text': 'SELECT 1', 'db.statement': 'SELECT 2' })).toBe('SELECT 1');
    expect(dbStatementOf({ 'db.statement': 'SELECT 2' })).toBe('SELECT 2');
    expect(dbStatementOf({ 'db.query.text': '  ', 'db.statement': 3 })).toBeUndefined();
    expect(dbSystemOf({ 'db.system.name': 'postgresql', 'db.system': 'mysql' })).toBe('postgresql');
    expect(dbSystemOf({ 'db.system': 'mysql' })).toBe('mysql');
    expect(dbSystemOf({})).toBeUndefined();
  });
});

/** Statement templates with holes for literals; holes sit where either a number or a string is valid. */
const templates = [
  'SELECT a, b FROM t1 WHERE id = # AND name = # ORDER BY a LIMIT #',
  'UPDATE t SET x = #, y = # WHERE id IN (#, #, #)',
  'INSERT INTO t (a, b) VALUES (#, #), (#, #)',
  'SELECT * FROM t WHERE a - # > # /* c */ AND b IN (#)',
  'DELETE FROM "T" WHERE k = # -- trailing',
];
const literal = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map((x) => (Object.is(x, -0) ? '0' : String(x))),
  fc.string({ maxLength: 20 }).map((s) => `'${s.replace(/'/g, "''")}'`),
  fc.constantFrom('TRUE', 'false', '$1', ':id', '?', '$$x$$', '0xBEEF'),
);
const fill = (template: string, values: readonly string[]): string => {
  let i = 0;
  return template.replace(/#/g, () => values[i++ % values.length]!);
};

describe('normalizeSqlStatement properties', () => {
  it('is idempotent on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300, unit: fc.constantFrom(..."sELECT a1_ ,;()[]'\"`$:?-+*/.0123456789eEx\n\tINVALUES".split('')) }), (s) => {
        const once = normalizeSqlStatement(s, { maxLength: 120 });
        expect(normalizeSqlStatement(once, { maxLength: 120 })).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on full-unicode text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: 'grapheme' }), (s) => {
        const once = normalizeSqlStatement(s);
        expect(normalizeSqlStatement(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('statements differing only in literal values normalise equal', () => {
    fc.assert(
      fc.property(fc.constantFrom(...templates), fc.array(literal, { minLength: 1, maxLength: 6 }), fc.array(literal, { minLength: 1, maxLength: 6 }), (t, a, b) => {
        expect(normalizeSqlStatement(fill(t, a))).toBe(normalizeSqlStatement(fill(t, b)));
      }),
      { numRuns: 1000 },
    );
  });

  it('output length is bounded', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.integer({ min: 1, max: 300 }), (s, maxLength) => {
        const out = normalizeSqlStatement(s, { maxLength });
        expect(out.length).toBeLessThanOrEqual(maxLength + TRUNCATION_MARKER.length + 1);
      }),
      { numRuns: 1000 },
    );
  });
});
