// Types of postgres.cjs, for the TypeScript tests.

export interface TemporaryPostgresOptions {
  /**
   * TCP port on 127.0.0.1.
   * @default a free port (retried if another process takes it first)
   */
  readonly port?: number;
  /**
   * Receives every line initdb and postgres print.
   * @default none: the last 16 KiB are kept for error messages only
   */
  readonly log?: (line: string) => void;
  /**
   * Directory holding `initdb` and `postgres`.
   * @default `pg_config --bindir`, else the newest /usr/lib/postgresql/<major>/bin, else PATH
   */
  readonly binDir?: string;
}

export interface TemporaryPostgres {
  /** Connection string to the `shop` database: `postgres://slowatch@127.0.0.1:<port>/shop`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The cluster's data directory (inside a temporary directory that stop() deletes). */
  readonly dataDir: string;
  /** Fast shutdown (SIGINT), bounded wait, then deletes the temporary directory. Idempotent. */
  stop(): Promise<void>;
}

export declare class TemporaryPostgresError extends Error {
  /** Set when postgres could not bind its port. */
  portInUse?: boolean;
}

export declare function startTemporaryPostgres(options?: TemporaryPostgresOptions): Promise<TemporaryPostgres>;

/** @throws TemporaryPostgresError naming what to install when no directory holds the binaries. */
export declare function findPostgresBinDir(binDir?: string): string;
