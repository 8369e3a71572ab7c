import { createHash } from 'node:crypto';

/**
 * Backslashes and line feeds of a part escaped (`\\`, `\n`), so that a part
 * holding a line feed (a span name can) cannot shift the separators: the
 * encoding stays injective. Parts without either character are unchanged,
 * so their ids are the same as with the plain join.
 */
function escapeSeparators(part: string): string {
  return part.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/**
 * The stable id of a recommendation: the first 16 hex digits (64 bits) of
 * SHA-256 over its type, service, operation and group key (the normalised
 * statement, the call target, …), separated by line feeds. The first three
 * parts are escaped (see `escapeSeparators`); the group key comes last and
 * may hold line feeds as it is (sequential_calls joins its targets with
 * them). It depends on nothing else, so the agent and the gateway, and a
 * process before and after a restart, give the same problem the same id.
 * At 64 bits, a collision among even a million recommendations has a
 * probability near 3·10⁻⁸.
 */
export function recommendationId(type: string, service: string, operation: string, groupKey: string): string {
  return createHash('sha256')
    .update(`${escapeSeparators(type)}\n${escapeSeparators(service)}\n${escapeSeparators(operation)}\n${groupKey}`)
    .digest('hex')
    .slice(0, 16);
}
