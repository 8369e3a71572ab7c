import { isAlias, isMap, isNode, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter } from 'yaml';
import type { YamlPathSegment } from './yaml-path';

/** Maps a path in the parsed data to a 1-based line of the YAML text. */
export type LineLocator = (path: readonly YamlPathSegment[]) => number | undefined;

/**
 * Walks the document along `path` and returns the line of the deepest part
 * that exists: the key's line for a mapping entry (so an unknown key points
 * at itself), the item's line for a sequence entry, and for a missing key
 * the line of the parent that lacks it.
 */
export function createLineLocator(doc: Document.Parsed, lineCounter: LineCounter): LineLocator {
  const lineOf = (node: unknown): number | undefined => {
    const range: unknown = isNode(node) ? node.range : undefined;
    return Array.isArray(range) && typeof range[0] === 'number' ? lineCounter.linePos(range[0]).line : undefined;
  };

  return (path) => {
    let node: unknown = doc.contents;
    let line = lineOf(doc.contents);
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (pair === undefined) break;
        line = lineOf(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined || item === null) break;
        line = lineOf(item) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  };
}
