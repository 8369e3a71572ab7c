/**
 * The rule every objective name follows, wherever it is defined (our YAML,
 * OpenSLO, Sloth specs): it becomes the `slo` label, so lower-case letters,
 * digits and `-`, not first or last, at most OBJECTIVE_NAME_MAX_LENGTH
 * characters.
 */
export const OBJECTIVE_NAME_PATTERN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const OBJECTIVE_NAME_MAX_LENGTH = 63;

export function isObjectiveName(name: string): boolean {
  return OBJECTIVE_NAME_PATTERN.test(name) && name.length <= OBJECTIVE_NAME_MAX_LENGTH;
}

/**
 * A group_by attribute key as the label name of the SLO series (dots and
 * other characters become `_`: `http.route` → `http_route`), as the SLO
 * metrics and the generated rules name it.
 */
export function groupByLabelName(key: string): string {
  return key.replace(/[^a-zA-Z0-9_]/g, '_');
}
