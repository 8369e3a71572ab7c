import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate } from 'node:zlib';
import type { Transform } from 'node:stream';
import { formatByteSize } from './byte-size';

/** Content codings an OTLP/HTTP request may use (`identity` = none). */
export const SUPPORTED_CONTENT_ENCODINGS = ['gzip', 'deflate', 'identity'] as const;
export type ContentEncoding = (typeof SUPPORTED_CONTENT_ENCODINGS)[number];

/**
 * The body's coding from `Content-Encoding`; undefined when it is one we do
 * not decode (several codings stacked, `br`, `zstd`, …). Absent or empty is identity.
 */
export function parseContentEncoding(header: string | undefined): ContentEncoding | undefined {
  const value = (header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate') return 'deflate';
  return undefined;
}

export type BodyResult =
  | { readonly ok: true; readonly body: Buffer }
  /** 413 (too large) or 400 (not valid for its coding). */
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string }
  /** The client went away (or the socket failed) before the body was complete: nobody to answer. */
  | { readonly ok: false; readonly status: 'aborted' };

/**
 * Reads a request body, decompressing as it streams, and stops as soon as
 * either the bytes on the wire or the decompressed bytes pass `limit`: a
 * gzip bomb costs at most `limit` bytes of memory and the time to inflate
 * them. Never rejects. When the result is not ok, the rest of the body is
 * left unread; the caller answers with `Connection: close`.
 */
export function readRequestBody(request: IncomingMessage, encoding: ContentEncoding, limit: number): Promise<BodyResult> {
  return new Promise<BodyResult>((resolve) => {
    let settled = false;
    const chunks: Buffer[] = [];
    let wireBytes = 0;
    let bodyBytes = 0;
    const decoder: Transform | undefined =
      encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : undefined;

    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('aborted', onAborted);
      request.off('error', onAborted);
      request.off('close', onClose);
      if (!result.ok) request.pause();
      if (decoder !== undefined) {
        decoder.off('data', onBodyData);
        decoder.off('end', onBodyEnd);
        // Keep a listener: a late zlib error after destroy must not become an uncaught exception.
        decoder.on('error', () => undefined);
        if (!result.ok) decoder.destroy();
      }
      resolve(result);
    };

    const tooLarge = (): void =>
      finish({
        ok: false,
        status: 413,
        message: `request body is larger than max_request_body_size (${formatByteSize(limit)})${encoding === 'identity' ? '' : ' after decompression'}`,
      });

    const onBodyData = (chunk: Buffer): void => {
      if (settled) return;
      bodyBytes += chunk.length;
      if (bodyBytes > limit) {
        tooLarge();
        return;
      }
      chunks.push(chunk);
    };
    const onBodyEnd = (): void => finish({ ok: true, body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, bodyBytes) });

    const onData = (chunk: Buffer): void => {
      if (settled) return;
      wireBytes += chunk.length;
      if (wireBytes > limit) {
        tooLarge();
        return;
      }
      if (decoder === undefined) onBodyData(chunk);
      else decoder.write(chunk);
    };
    const onEnd = (): void => {
      if (decoder === undefined) onBodyEnd();
      else decoder.end();
    };
    const onAborted = (): void => finish({ ok: false, status: 'aborted' });
    const onClose = (): void => {
      if (!request.complete) onAborted();
    };

    if (decoder !== undefined) {
      decoder.on('data', onBodyData);
      decoder.on('end', onBodyEnd);
      decoder.on('error', (error: NodeJS.ErrnoException) => {
        finish({ ok: false, status: 400, message: describeDecompressionError(encoding, error) });
      });
    }
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('aborted', onAborted);
    request.on('error', onAborted);
    request.on('close', onClose);
  });
}

function describeDecompressionError(encoding: ContentEncoding, error: NodeJS.ErrnoException): string {
  if (error.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(error.message)) {
    return `the ${encoding} body is truncated (unexpected end of the compressed data)`;
  }
  return `the body is not valid ${encoding} data: ${error.message}`;
}
