import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, readCsvRows } from '../../src/ci/csv-rows';
import { thrownBy } from '../helpers/thrown';

const syntaxErrorOf = (action: () => unknown): CsvSyntaxError => thrownBy(CsvSyntaxError, action);

describe('readCsvRows', () => {
  it('splits rows and fields, with quoted delimiters, newlines and "" for a quote', () => {
    const rows = readCsvRows('a,"b, c"\r\n"say ""hi""","two\nlines"\r3,4');
    expect(rows).toEqual([
      { line: 1, fields: ['a', 'b, c'] },
      { line: 2, fields: ['say "hi"', 'two\nlines'] },
      { line: 4, fields: ['3', '4'] },
    ]);
  });

  it('skips blank rows but keeps a row of empty fields and an empty quoted field', () => {
    expect(readCsvRows('a\n\n  \n,\n""\n')).toEqual([
      { line: 1, fields: ['a'] },
      { line: 4, fields: ['', ''] },
      { line: 5, fields: [''] },
    ]);
  });

  it('splits on another delimiter', () => {
    expect(readCsvRows('a;b\t1\n"x;y";2', { delimiter: ';' })).toEqual([
      { line: 1, fields: ['a', 'b\t1'] },
      { line: 2, fields: ['x;y', '2'] },
    ]);
  });

  it('refuses text after a closing quote, unless told to keep it', () => {
    const error = syntaxErrorOf(() => readCsvRows('a\n"1"2\n'));
    expect([error.line, error.problem]).toEqual([2, 'text-after-quote']);
    expect(readCsvRows('a\n"1"2 ,3\n', { strictQuotes: false })).toEqual([
      { line: 1, fields: ['a'] },
      { line: 2, fields: ['12 ', '3'] },
    ]);
  });

  it('names the line of a quote that is never closed', () => {
    const error = syntaxErrorOf(() => readCsvRows('a\nb\n"1\n2\n'));
    expect([error.line, error.problem]).toEqual([3, 'unclosed-quote']);
  });
});
