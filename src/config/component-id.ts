/**
 * Component ids, as in the Collector: `type` or `type/name`, so that several
 * instances of one type can coexist (`slo`, `slo/checkout`).
 */
export interface ComponentId {
  readonly type: string;
  /** Undefined for a bare `type`. */
  readonly name?: string;
}

/** The Collector's rule for types. */
const TYPE = /^[a-zA-Z][0-9a-zA-Z_]{0,62}$/;
/** Names may hold anything visible except whitespace (the Collector forbids spaces, control and symbol-only runes). */
const NAME = /^[^\s\p{C}]+$/u;

export const COMPONENT_ID_RULE =
  'use "type" or "type/name"; type is a letter followed by up to 62 letters, digits or _, name is non-empty without spaces';

export type ComponentIdParseResult = { readonly ok: true; readonly id: ComponentId } | { readonly ok: false; readonly reason: string };

export function parseComponentId(text: string): ComponentIdParseResult {
  const slash = text.indexOf('/');
  const type = slash < 0 ? text : text.slice(0, slash);
  const name = slash < 0 ? undefined : text.slice(slash + 1);
  if (!TYPE.test(type) || (name !== undefined && !NAME.test(name))) {
    return { ok: false, reason: `invalid component id ${JSON.stringify(text)}; ${COMPONENT_ID_RULE}` };
  }
  return { ok: true, id: name === undefined ? { type } : { type, name } };
}
