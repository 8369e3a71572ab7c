/**
 * Byte sizes as the config file writes them: a whole number of bytes
 * (`16777216`) or a number with a unit (`16MiB`, `512KiB`, `4MB`, `1.5MiB`).
 *
 *   B                 bytes
 *   kB, KB, MB, GB    powers of 1000
 *   KiB, MiB, GiB     powers of 1024
 *
 * The result must be a whole number of bytes.
 */

const UNIT_BYTES: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1_000,
  KB: 1_000,
  MB: 1_000_000,
  GB: 1_000_000_000,
  KiB: 1_024,
  MiB: 1_048_576,
  GiB: 1_073_741_824,
};

export const BYTE_SIZE_EXAMPLES = '16MiB, 512KiB, 4MB or 1048576';

const SIZE = /^(\d+)(?:\.(\d+))?\s*([A-Za-z]*)$/;

export type ByteSizeParseResult = { readonly ok: true; readonly bytes: number } | { readonly ok: false; readonly reason: string };

/** Parses without throwing; `reason` is a sentence fragment fit for "…: <reason>". */
export function tryParseByteSize(value: number | string): ByteSizeParseResult {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) return { ok: false, reason: 'a number of bytes must be a whole number >= 0' };
    return { ok: true, bytes: value };
  }
  const match = SIZE.exec(value.trim());
  if (match === null) return { ok: false, reason: `use a whole number of bytes or a number with a unit (B, KB, KiB, MB, MiB, GB, GiB), e.g. ${BYTE_SIZE_EXAMPLES}` };
  const [, whole = '0', fraction = '', unit = ''] = match;
  const unitBytes = unit === '' ? 1 : UNIT_BYTES[unit];
  if (unitBytes === undefined) return { ok: false, reason: `unknown unit "${unit}"; use B, KB, KiB, MB, MiB, GB or GiB` };
  // Exact decimal arithmetic so 1.5MiB is exactly 1572864.
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(whole + fraction) * BigInt(unitBytes);
  if (scaled % scale !== 0n) return { ok: false, reason: `"${value}" is not a whole number of bytes` };
  const bytes = scaled / scale;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, reason: 'the size is too large' };
  return { ok: true, bytes: Number(bytes) };
}

/** `16777216` → `16MiB`; sizes that are not a whole number of KiB/MiB/GiB stay in bytes. For messages. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [
    ['GiB', 1_073_741_824],
    ['MiB', 1_048_576],
    ['KiB', 1_024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return `${bytes} bytes`;
}
