/**
 * Why a store file cannot be used: not SQLite, corrupt, another
 * application's database, or written by a newer slowatch. The message names
 * the file, what is wrong and what to do; the file itself is left exactly as
 * it was (slowatch never overwrites what it did not write).
 */
export class StoreOpenError extends Error {
  override readonly name = 'StoreOpenError';

  constructor(
    /** The store file, as given (absolute). */
    readonly file: string,
    /** What is wrong, a sentence fragment: "is not a SQLite database". */
    readonly problem: string,
    /** What to do about it, a sentence. */
    readonly remedy: string,
  ) {
    super(`store ${file} ${problem}; ${remedy}`);
  }
}

/** The remedy for any file slowatch will not touch. */
export const MOVE_ASIDE_REMEDY =
  'slowatch leaves it untouched: move the file aside (with its -wal and -shm files, if any) or point extensions.storage.path at another file';
