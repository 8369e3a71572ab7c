/** Hex, base64 and UTF-8 helpers shared by the readers and writers. */
import { isUtf8 } from 'node:buffer';

const HEX_PAIRS: string[] = [];
for (let i = 0; i < 256; i++) HEX_PAIRS.push(i.toString(16).padStart(2, '0'));

/** Nibble value of an ASCII code, -1 when not a hex digit (either case). */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[65 + i] = 10 + i;
  HEX_VALUE[97 + i] = 10 + i;
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_PAIRS[bytes[i] as number] as string;
  return s;
}

/** Bytes of a hex string (either case); undefined when it is not hex of even length. */
export function fromHex(hex: string): Uint8Array | undefined {
  const n = hex.length;
  if ((n & 1) !== 0) return undefined;
  const out = new Uint8Array(n >>> 1);
  for (let i = 0, j = 0; i < n; i += 2, j++) {
    const a = hex.charCodeAt(i);
    const b = hex.charCodeAt(i + 1);
    const hi = a < 128 ? (HEX_VALUE[a] as number) : -1;
    const lo = b < 128 ? (HEX_VALUE[b] as number) : -1;
    if (hi < 0 || lo < 0) return undefined;
    out[j] = (hi << 4) | lo;
  }
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9\-_]*={0,2}$/;

/** Standard base64 with padding (the proto3 JSON mapping's output form). */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * Bytes of a base64 string, standard or URL-safe alphabet, padded or not (as
 * the proto3 JSON mapping accepts); undefined when it is not base64.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  if ((text.length & 3) === 1) return undefined;
  if (!BASE64.test(text) && !BASE64URL.test(text)) return undefined;
  if (text.endsWith('=') && (text.length & 3) !== 0) return undefined;
  const b = Buffer.from(text, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** True when bytes[start, end) is valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array, start: number, end: number): boolean {
  return isUtf8(bytes.subarray(start, end));
}
