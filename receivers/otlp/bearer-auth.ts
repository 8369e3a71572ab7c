import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Checks `Authorization: Bearer <token>` values against the configured token
 * in constant time: both sides are hashed first, so neither the token's
 * length nor the position of the first differing byte shows in the timing.
 */
export class BearerTokenCheck {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  /** The header value as received (HTTP header or gRPC metadata); the scheme is case-insensitive. */
  accepts(authorization: string | undefined): boolean {
    if (authorization === undefined) return false;
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
    // Hash something even without a token, so a missing header costs the same.
    const presented = digest(match?.[1] ?? '');
    return timingSafeEqual(presented, this.expected) && match !== null;
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The `WWW-Authenticate` challenge of a 401 (RFC 6750). */
export const BEARER_CHALLENGE = 'Bearer realm="slowatch"';

/** What the client is told, whatever was wrong: no hint which part failed. */
export const UNAUTHENTICATED_MESSAGE = 'missing or invalid bearer token: send "Authorization: Bearer <token>"';
