import { readFileSync } from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/** `slowatch/<version>`, the User-Agent (and gRPC primary user agent) of our OTLP requests. */
export function userAgent(): string {
  cached ??= `slowatch/${packageVersion()}`;
  return cached;
}

/** The version in slowatch's package.json, or `unknown`. */
export function packageVersion(): string {
  // exporters/otlp/*.ts from source has package.json two levels up; dist/exporters/otlp/*.js three.
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(__dirname, candidate), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'slowatch' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}
