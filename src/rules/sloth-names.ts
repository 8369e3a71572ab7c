/**
 * The SLO's name as Sloth labels show it (`sloth_slo`; `sloth_id` is
 * `<service>-<this>`): the objective's name without a leading
 * `<service>-`. Objectives imported from Sloth specs are named
 * `<service>-<name>` (names are unique across services), and a native one
 * may be too; either way the service is not repeated in the labels.
 */
export function slothSloName(objectiveName: string, service: string | undefined): string {
  const prefix = service === undefined ? '' : `${service}-`;
  return prefix !== '' && objectiveName.startsWith(prefix) && objectiveName.length > prefix.length ? objectiveName.slice(prefix.length) : objectiveName;
}
