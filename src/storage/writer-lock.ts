import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { StoreOpenError } from './store-open-error';

/**
 * One writing process per store file. Two writers on one file would add
 * every rollup twice and overwrite each other's snapshots (a gateway and an
 * agent started from one directory, both on `./data/slowatch.db`), and
 * SQLite itself cannot tell: both connections are legitimate. So the writer
 * holds `<file>.lock`, which names its pid; readers (`slowatch report`) take
 * no lock, WAL lets them read while the writer writes.
 *
 * A lock left by a process that is gone (`kill -9`, a crash) is taken over,
 * so a restart after a crash just works. A lock naming this very process is
 * taken over too: within one process the owner of both stores is the same
 * code, which must close one before opening the other (tests that simulate
 * a crash do exactly that). A pid reused by an unrelated process after a
 * reboot would look alive: the message says which file to delete then.
 */
export class WriterLock {
  private released = false;

  private constructor(readonly path: string) {}

  /**
   * @throws StoreOpenError when another live process holds the store.
   */
  static acquire(storeFile: string): WriterLock {
    const lockPath = `${storeFile}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lockPath, 'wx');
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        return new WriterLock(lockPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = lockHolder(lockPath);
      if (holder !== undefined && holder !== process.pid && isAlive(holder)) {
        throw new StoreOpenError(
          storeFile,
          `is in use by process ${holder} (its lock file ${lockPath})`,
          'give each slowatch process (gateway or agent) its own extensions.storage.path; if that process is not slowatch, delete the lock file',
        );
      }
      // Stale (its process is gone) or our own: take it over and try again once.
      rmSync(lockPath, { force: true });
    }
    throw new StoreOpenError(storeFile, `has a lock file ${lockPath} that keeps coming back`, 'another process is starting on the same store; give each its own extensions.storage.path');
  }

  /** Removes the lock file if it is still ours. Idempotent; never throws. */
  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (lockHolder(this.path) === process.pid) rmSync(this.path, { force: true });
    } catch {
      // A lock left behind is taken over by the next start (its process is gone).
    }
  }
}

function lockHolder(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
