/** A step into the YAML: a mapping key or a sequence index. */
export type YamlPathSegment = string | number;

/** Keys that can be written after a dot without ambiguity. */
const PLAIN_KEY = /^[^.[\]"\s]+$/;

/**
 * `['processors', 'slo', 'objectives', 2, 'objective']` → `processors.slo.objectives[2].objective`.
 * Keys with dots or spaces (span attribute names) are bracketed and quoted:
 * `selector.attributes["deployment.environment"]`.
 */
export function formatYamlPath(path: readonly YamlPathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}
