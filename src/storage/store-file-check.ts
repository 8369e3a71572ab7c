import { existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describeError } from '../logging/logger';
import { MOVE_ASIDE_REMEDY, StoreOpenError } from './store-open-error';
import { SLOWATCH_APPLICATION_ID } from './store-migrations';

/** What an existing store file holds, once it passed the checks. */
export type StoreFileState =
  /** No file there: it will be created. */
  | { readonly kind: 'absent' }
  /** An empty SQLite database (a 0-byte file, or no tables and no application id): slowatch may initialise it. */
  | { readonly kind: 'empty' }
  /** A slowatch store at schema `version` (≤ the version this build knows). */
  | { readonly kind: 'slowatch'; readonly version: number };

/** SQLite's companion files of a WAL-mode database. */
const COMPANION_SUFFIXES = ['-wal', '-shm'] as const;

/**
 * Decides whether `file` may be opened for writing, WITHOUT writing to it:
 * everything is read through a read-only connection that is closed before
 * the caller opens a read-write one. Refuses (StoreOpenError) a file that is
 * not SQLite, fails `PRAGMA quick_check` (corrupt, truncated), carries
 * another application's id, has tables but no application id, or was
 * written by a newer schema than `latestVersion`.
 *
 * A read-only connection to a WAL-mode database creates `-wal` and `-shm`
 * files beside it (and cannot remove them); on refusal the ones that were
 * not there before are removed, so a refused file is left exactly as found.
 *
 * quick_check reads every page once: O(file size), a few hundred ms per
 * 100 MB, paid once per start.
 */
export function inspectStoreFile(file: string, latestVersion: number): StoreFileState {
  if (!existsSync(file)) return { kind: 'absent' };
  const companionsBefore = existingCompanions(file);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    return classify(db, file, latestVersion);
  } catch (error) {
    closeQuietly(db);
    db = undefined;
    removeCheckLitter(file, companionsBefore);
    throw error instanceof StoreOpenError ? error : describeSqliteFailure(file, error);
  } finally {
    closeQuietly(db);
  }
}

function closeQuietly(db: Database.Database | undefined): void {
  try {
    db?.close();
  } catch {
    // Closing a connection to an unreadable file may fail too; nothing was written either way.
  }
}

/**
 * Removes the -wal/-shm files a read-only check created beside a refused
 * file (those in `before` were there already and stay).
 */
function removeCheckLitter(file: string, before: readonly string[]): void {
  for (const suffix of COMPANION_SUFFIXES) {
    if (before.includes(suffix)) continue;
    rmSync(file + suffix, { force: true });
  }
}

/** Which companion files exist now. */
function existingCompanions(file: string): string[] {
  return COMPANION_SUFFIXES.filter((suffix) => existsSync(file + suffix));
}

function classify(db: Database.Database, file: string, latestVersion: number): StoreFileState {
  const problems = (db.pragma('quick_check(5)') as { quick_check: string }[]).map((row) => row.quick_check);
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new StoreOpenError(file, `is a corrupt SQLite database (quick_check: ${problems.join('; ')})`, MOVE_ASIDE_REMEDY);
  }
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const userVersion = db.pragma('user_version', { simple: true }) as number;
  const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n;
  if (applicationId === SLOWATCH_APPLICATION_ID) {
    if (userVersion > latestVersion) {
      throw new StoreOpenError(
        file,
        `was written by a newer slowatch (schema version ${userVersion}; this slowatch knows up to ${latestVersion})`,
        'run that newer slowatch, or point extensions.storage.path at another file; slowatch leaves this one untouched',
      );
    }
    return userVersion === 0 ? { kind: 'empty' } : { kind: 'slowatch', version: userVersion };
  }
  if (applicationId !== 0) {
    throw new StoreOpenError(
      file,
      `is another application's SQLite database (application_id 0x${(applicationId >>> 0).toString(16)}, slowatch's is 0x${SLOWATCH_APPLICATION_ID.toString(16)})`,
      MOVE_ASIDE_REMEDY,
    );
  }
  if (tables > 0) {
    throw new StoreOpenError(file, "is a SQLite database with tables but no application_id: not a slowatch store", MOVE_ASIDE_REMEDY);
  }
  return { kind: 'empty' };
}

function describeSqliteFailure(file: string, error: unknown): StoreOpenError {
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_NOTADB') return new StoreOpenError(file, 'is not a SQLite database', MOVE_ASIDE_REMEDY);
  if (code === 'SQLITE_CORRUPT') return new StoreOpenError(file, `is a corrupt or truncated SQLite database (${describeError(error)})`, MOVE_ASIDE_REMEDY);
  return new StoreOpenError(
    file,
    `cannot be read (${typeof code === 'string' ? `${code}: ` : ''}${describeError(error)})`,
    'check its permissions, or point extensions.storage.path at another file',
  );
}
