import { readFileSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { TlsSettings } from './config';

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Reads and checks a server's certificate and key (PEM), so a bad file is a
 * startup error that names it, in one line: not found, not PEM, or a key
 * that does not belong to the certificate. Throws Error.
 */
export function loadTlsMaterial(tls: TlsSettings): TlsMaterial {
  const cert = readPem(tls.certFile, 'cert_file');
  const key = readPem(tls.keyFile, 'key_file');
  try {
    new X509Certificate(cert);
  } catch (error) {
    throw new Error(`TLS cert_file ${tls.certFile} is not a PEM certificate: ${reason(error)}`);
  }
  try {
    createPrivateKey(key);
  } catch (error) {
    throw new Error(`TLS key_file ${tls.keyFile} is not a PEM private key (or it is encrypted): ${reason(error)}`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new Error(`TLS key_file ${tls.keyFile} does not match cert_file ${tls.certFile}: ${reason(error)}`);
  }
  return { cert, key };
}

function readPem(file: string, key: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read TLS ${key} ${file}: ${(error as NodeJS.ErrnoException).code ?? reason(error)}`);
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
