/**
 * The CSV tokenizer of the CI commands (`slowatch compare` samples,
 * `slowatch regress` histories). RFC 4180 rows: fields split on a
 * delimiter; a field that starts with `"` (after blanks) may hold
 * delimiters, newlines and `""` for a quote; CRLF, LF or CR line ends.
 * Rows holding nothing but blanks are skipped. Memory: the rows' strings.
 */

export interface CsvRow {
  /** 1-based line the row starts on (newlines inside quoted fields count). */
  readonly line: number;
  readonly fields: readonly string[];
}

export interface CsvReadOptions {
  /** The field separator, one character. @default ',' */
  readonly delimiter?: string;
  /**
   * Text between a closing quote and the next delimiter or line end is an
   * error (RFC 4180) when true; when false it is kept in the field
   * (`"12.5" ` reads `12.5 `), for inputs that are trimmed afterwards anyway.
   * @default true
   */
  readonly strictQuotes?: boolean;
}

/** What is wrong with the text, for the caller to word in its own error. */
export type CsvProblem = 'unclosed-quote' | 'text-after-quote';

/** Thrown by readCsvRows; callers turn it into their own error with their file name. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';

  constructor(
    /** 1-based line of the opening quote (`unclosed-quote`) or of the stray text. */
    readonly line: number,
    readonly problem: CsvProblem,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

/** The rows of `text`, blank ones skipped. @throws CsvSyntaxError */
export function readCsvRows(text: string, options: CsvReadOptions = {}): CsvRow[] {
  const delimiter = options.delimiter ?? ',';
  const strictQuotes = options.strictQuotes ?? true;
  const rows: CsvRow[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let rowLine = 1;
  let rowHasContent = false;
  let i = 0;
  const endRow = (): void => {
    fields.push(field);
    if (rowHasContent || fields.length > 1) rows.push({ line: rowLine, fields });
    fields = [];
    field = '';
    rowHasContent = false;
  };
  while (i < text.length) {
    const char = text[i] as string;
    if (char === '"' && field.trim() === '') {
      // A quoted field: read to the closing quote.
      const quoteLine = line;
      field = '';
      rowHasContent = true;
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvSyntaxError(quoteLine, 'unclosed-quote');
        const inner = text[i] as string;
        if (inner === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (inner === '\n') line++;
        field += inner;
        i++;
      }
      const after = text[i];
      if (strictQuotes && after !== undefined && after !== delimiter && after !== '\n' && after !== '\r') throw new CsvSyntaxError(line, 'text-after-quote');
      continue;
    }
    if (char === delimiter) {
      fields.push(field);
      field = '';
      rowHasContent = true;
      i++;
      continue;
    }
    if (char === '\n' || char === '\r') {
      endRow();
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
      continue;
    }
    if (char.trim() !== '') rowHasContent = true;
    field += char;
    i++;
  }
  if (rowHasContent || fields.length > 0 || field.trim() !== '') endRow();
  return rows;
}
