/**
 * Finding an OpenSLO object by `metadata.name` (indicatorRef,
 * metricSourceRef, alertPolicyRef, conditionRef). References resolve across
 * every file one `openslo:` list names, one namespace per kind.
 */
export type LookupResult<T> =
  /** `value` undefined: the object exists but could not be mapped, and its own problems are reported already. */
  | { readonly found: true; readonly value: T | undefined }
  /** `known`: the names of that kind that do exist, for the message. */
  | { readonly found: false; readonly known: readonly string[] };

export type Lookup<T> = (name: string) => LookupResult<T>;
