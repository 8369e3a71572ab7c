/**
 * The OTLP codec functions the exporters use, in one place: the exporters
 * import them from here, so where the codec keeps them matters in this file only.
 */
export {
  countItems,
  decodeJsonResponse,
  decodeJsonStatus,
  decodeProtobufResponse,
  decodeProtobufStatus,
  encodeJsonRequest,
  encodeProtobufRequest,
} from '../../src/otlp/codec';

/** Bytes for the wire, whether an encoder gives text or bytes. */
export function toBuffer(encoded: string | Uint8Array): Buffer {
  if (typeof encoded === 'string') return Buffer.from(encoded, 'utf8');
  return Buffer.isBuffer(encoded) ? encoded : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}
