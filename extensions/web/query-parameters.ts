/*
 * Strict reading of a route's query string. A misspelt parameter
 * (`?servce=checkout`) must not silently return everything, so unknown
 * names, repeats and empty values are errors that name the parameter and
 * what is valid.
 */

export type QueryParametersResult =
  | { readonly ok: true; readonly values: ReadonlyMap<string, string> }
  | { readonly ok: false; readonly error: string };

/** Every parameter of `query` once, non-empty, and among `allowed`. */
export function readQueryParameters(query: URLSearchParams, allowed: readonly string[]): QueryParametersResult {
  const values = new Map<string, string>();
  const valid = allowed.length === 0 ? 'this endpoint takes none' : `valid parameters: ${allowed.join(', ')}`;
  for (const [name, value] of query) {
    if (!allowed.includes(name)) return { ok: false, error: `unknown query parameter ${JSON.stringify(name)}; ${valid}` };
    if (values.has(name)) return { ok: false, error: `query parameter ${JSON.stringify(name)} is given more than once; give it once` };
    if (value === '') return { ok: false, error: `query parameter ${JSON.stringify(name)} is empty; leave it out to match everything` };
    values.set(name, value);
  }
  return { ok: true, values };
}
