/**
 * A benchmark history that cannot be read. The message is one line naming
 * the file, where in it (line, record or field), what is wrong and what
 * would be valid, e.g.
 * `bench.csv:7: column "p99": "12ms" is not a number (use a plain number; an empty cell is a missing value)`.
 */
export class HistoryInputError extends Error {
  override readonly name = 'HistoryInputError';

  /**
   * @param file the file as the user named it.
   * @param where `7` (a line), `[3].p99` (a JSON path), or '' for the whole file.
   * @param problem what is wrong and what would be valid.
   */
  constructor(
    readonly file: string,
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${file}${where === '' ? '' : where.startsWith('[') ? ` ${where}` : `:${where}`}: ${problem}`);
  }
}
