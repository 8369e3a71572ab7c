import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlowatchStore } from '../../src/storage/slowatch-store';
import { StoreOpenError } from '../../src/storage/store-open-error';
import { useTempDir } from './store-test-files';

describe('one writer per store (WriterLock)', () => {
  const tempDir = useTempDir('slowatch-lock-');
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('holds <file>.lock with its pid while open, and removes it on close', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    const store = SlowatchStore.open({ path: file });
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    store.close();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('refuses a second writer while another live process holds the store, naming it and the lock file', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    SlowatchStore.open({ path: file }).close();
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(holder);
    writeFileSync(`${file}.lock`, `${holder.pid}\n`);
    let error: unknown;
    try {
      SlowatchStore.open({ path: file }).close();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as Error).message).toBe(
      `store ${file} is in use by process ${holder.pid} (its lock file ${file}.lock); ` +
        'give each slowatch process (gateway or agent) its own extensions.storage.path; if that process is not slowatch, delete the lock file',
    );
    // The holder's lock is left as it was; a reader needs no lock.
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${holder.pid}\n`);
    const reader = SlowatchStore.open({ path: file, readonly: true });
    expect(reader.objectives()).toEqual([]);
    reader.close();
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${holder.pid}\n`);
  });

  it('takes over the lock of a process that is gone (a restart after kill -9)', () => {
    const file = path.join(tempDir(), 'slowatch.db');
    SlowatchStore.open({ path: file }).close();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${file}.lock`, `${gone.stdout}\n`);
    const store = SlowatchStore.open({ path: file });
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    store.close();
  });
});
