import { parseAllDocuments } from 'yaml';
import type { AlertWindow } from '../slo/objective';
import { formatPrometheusDuration } from './prometheus-duration';
import type { RuleAlert, RuleAlerting, RuleSli, RuleSlo } from './rule-model';
import { RulesInputError } from './rules-input-error';
import { alertWindowsForPeriod } from './sloth-alert-windows';
import type { SlothAlertWindows } from './sloth-alert-windows';
import { SpecReader, join } from './spec-reader';

/**
 * Sloth's `prometheus/v1` spec (github.com/slok/sloth, "Prometheus spec"):
 *
 *   version: prometheus/v1
 *   service: myservice
 *   labels: { owner: myteam }
 *   slos:
 *     - name: requests-availability
 *       objective: 99.9
 *       description: …
 *       labels: { … }
 *       sli:
 *         events: { error_query: …[{{.window}}]…, total_query: … }   # or
 *         raw: { error_ratio_query: … }
 *       alerting:
 *         name: MyServiceHighErrorRate
 *         labels: { … }
 *         annotations: { … }
 *         page_alert: { disable: false, labels: { … }, annotations: { … } }
 *         ticket_alert: { … }
 *
 * Several specs may share a file as YAML documents separated by `---`.
 * Unknown keys are errors, each naming its field. SLI plugins
 * (`sli.plugin: { id, options }`) have no PromQL, so parseSlothSpec (rules)
 * refuses them; parseSlothPluginSpec (processors.slo.sloth, which computes
 * SLIs from spans) accepts only them and refuses the PromQL forms.
 */
export interface SlothSpecOptions {
  /** The period of every SLO (Sloth's `--default-slo-period`). @default 30d */
  readonly periodMs?: number;
  /** Custom AlertWindows (Sloth's `--slo-period-windows-path`), tried before the 30d and 28d defaults. @default [] */
  readonly alertWindows?: readonly SlothAlertWindows[];
  /** Shown in front of every issue. */
  readonly file?: string;
}

export const SLOTH_PROMETHEUS_SPEC_VERSION = 'prometheus/v1';

/** `sloth_mode` of SLOs read from a Sloth spec by the command line, as Sloth's CLI reports it. */
export const SLOTH_CLI_MODE = 'cli-gen-prom';

const DEFAULT_PERIOD_MS = 30 * 86_400_000;

const SPEC_KEYS = ['version', 'service', 'labels', 'slos'] as const;
const SLO_KEYS = ['name', 'objective', 'description', 'labels', 'sli', 'alerting'] as const;
const SLI_KEYS = ['events', 'raw', 'plugin'] as const;
const ALERTING_KEYS = ['name', 'labels', 'annotations', 'page_alert', 'ticket_alert'] as const;
const ALERT_KEYS = ['disable', 'labels', 'annotations'] as const;

/**
 * The SLOs of a Sloth `prometheus/v1` spec file, ready for the generator.
 * Throws RulesInputError listing every issue, e.g.
 * `slos[0].sli: must have events or raw, got a mapping with keys: foo`.
 */
export function parseSlothSpec(text: string, options: SlothSpecOptions = {}): RuleSlo[] {
  return parseSlos(text, options, readSli).map(withoutPath);
}

/** A Sloth SLI plugin reference, `sli.plugin: { id, options }`; the options are Sloth's string map, unchecked here. */
export interface SlothPluginSli {
  readonly kind: 'plugin';
  readonly id: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** A Sloth SLO whose SLI is a plugin; `path` locates it for later issues, e.g. `slos[1]` or `document 2: slos[0]`. */
export type SlothPluginSlo = Omit<RuleSlo, 'sli'> & { readonly sli: SlothPluginSli; readonly path: string };

/** What processors.slo.sloth says of an `events` or `raw` SLI. */
export const PROMQL_SLI_REFUSAL = 'PromQL SLIs cannot be computed from spans; use sli.plugin.id slowatch/availability or slowatch/latency';

/**
 * The SLOs of a Sloth spec whose SLIs are all plugins (what processors.slo
 * can use); `events` and `raw` SLIs are issues (PROMQL_SLI_REFUSAL).
 * Throws RulesInputError listing every issue.
 */
export function parseSlothPluginSpec(text: string, options: SlothSpecOptions = {}): SlothPluginSlo[] {
  return parseSlos(text, options, readPluginSli);
}

/** The rule model has no `path`: parity tests compare whole RuleSlo objects. */
function withoutPath<T extends { readonly path: string }>(slo: T): Omit<T, 'path'> {
  const copy: { path?: string } = { ...slo };
  delete copy.path;
  return copy as Omit<T, 'path'>;
}

type SliReader<S> = (reader: SpecReader, value: unknown, path: string) => S | undefined;
type ParsedSlo<S> = Omit<RuleSlo, 'sli'> & { readonly sli: S; readonly path: string };

function parseSlos<S>(text: string, options: SlothSpecOptions, sliReader: SliReader<S>): ParsedSlo<S>[] {
  const periodMs = options.periodMs ?? DEFAULT_PERIOD_MS;
  const windows = alertWindowsForPeriod(periodMs, options.alertWindows);
  const reader = new SpecReader();
  const documents = parseAllDocuments(text);
  const slos: ParsedSlo<S>[] = [];
  if (!Array.isArray(documents)) throw new RulesInputError([{ path: '', message: 'empty file: expected a Sloth prometheus/v1 spec' }], options.file);
  documents.forEach((document, index) => {
    const prefix = documents.length > 1 ? `document ${index + 1}: ` : '';
    if (document.errors.length > 0) {
      reader.fail('', `${prefix}not valid YAML: ${document.errors[0]?.message ?? ''}`);
      return;
    }
    const spec: unknown = document.toJS();
    if (spec === null || spec === undefined) return;
    const before = reader.issues.length;
    const parsed = readSpec(reader, spec, periodMs, windows, sliReader).map((slo) => ({ ...slo, path: `${prefix}${slo.path}` }));
    if (prefix !== '') {
      for (let i = before; i < reader.issues.length; i++) {
        const issue = reader.issues[i];
        if (issue !== undefined) reader.issues[i] = { path: `${prefix}${issue.path}`, message: issue.message };
      }
    }
    slos.push(...parsed);
  });
  if (windows === undefined) {
    reader.fail('', `no alert windows for the ${formatPrometheusDuration(periodMs)} SLO period: Sloth's defaults cover 30d and 28d; give an AlertWindows file with sloPeriod: ${formatPrometheusDuration(periodMs)}`);
  }
  if (reader.issues.length === 0 && slos.length === 0) reader.fail('', 'no SLOs: expected a Sloth prometheus/v1 spec with slos');
  if (reader.issues.length > 0) throw new RulesInputError(reader.issues, options.file);
  return slos;
}

function readSpec<S>(reader: SpecReader, value: unknown, periodMs: number, windows: readonly AlertWindow[] | undefined, sliReader: SliReader<S>): ParsedSlo<S>[] {
  const spec = reader.mapping(value, '', SPEC_KEYS);
  if (spec === undefined) return [];
  if (spec.version !== SLOTH_PROMETHEUS_SPEC_VERSION) {
    reader.fail('version', `must be ${SLOTH_PROMETHEUS_SPEC_VERSION} (other Sloth spec versions, e.g. Kubernetes PrometheusServiceLevel, are not supported), got ${JSON.stringify(spec.version) ?? 'nothing'}`);
  }
  const service = reader.string(spec.service, 'service');
  const labels = reader.stringMap(spec.labels, 'labels');
  const list = reader.list(spec.slos, 'slos');
  if (list !== undefined && list.length === 0) reader.fail('slos', 'must have at least one SLO');
  const slos: ParsedSlo<S>[] = [];
  const names = new Map<string, number>();
  (list ?? []).forEach((item, index) => {
    const path = join('slos', index);
    const slo = reader.mapping(item, path, SLO_KEYS);
    if (slo === undefined) return;
    const name = reader.string(slo.name, join(path, 'name'));
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) reader.fail(join(path, 'name'), `duplicate SLO name ${JSON.stringify(name)}, already used by slos[${first}]`);
      else names.set(name, index);
    }
    const objectivePercent = reader.number(slo.objective, join(path, 'objective'), (n) => n > 0 && n <= 100, 'a percentage > 0 and <= 100 (e.g. 99.9)');
    const description = reader.optionalString(slo.description, join(path, 'description'));
    const sloLabels = reader.stringMap(slo.labels, join(path, 'labels'));
    const sli = sliReader(reader, slo.sli, join(path, 'sli'));
    const alerting = readAlerting(reader, slo.alerting, join(path, 'alerting'));
    if (service === undefined || name === undefined || objectivePercent === undefined || sli === undefined || alerting === null || windows === undefined) return;
    slos.push({
      name,
      service: { kind: 'fixed', name: service },
      objectivePercent,
      ...(description !== undefined && { description }),
      labels: { ...labels, ...sloLabels },
      sli,
      periodMs,
      periodSli: 'average',
      ...(alerting !== undefined && { alerting }),
      windows,
      origin: { mode: SLOTH_CLI_MODE, spec: SLOTH_PROMETHEUS_SPEC_VERSION },
      path,
    });
  });
  return slos;
}

function readSli(reader: SpecReader, value: unknown, path: string): RuleSli | undefined {
  const sli = reader.mapping(value, path, SLI_KEYS);
  if (sli === undefined) return undefined;
  if (sli.plugin !== undefined) {
    return reader.fail(join(path, 'plugin'), 'SLI plugins have no PromQL to generate rules from; use events or raw (slowatch/* plugins are for processors.slo.sloth)');
  }
  const kinds = (['events', 'raw'] as const).filter((k) => sli[k] !== undefined && sli[k] !== null);
  if (kinds.length !== 1) {
    const got = kinds.length === 0 ? `a mapping with ${Object.keys(sli).length === 0 ? 'no keys' : `keys: ${Object.keys(sli).join(', ')}`}` : 'both';
    return reader.fail(path, `must have events or raw, got ${got}`);
  }
  if (kinds[0] === 'events') {
    const events = reader.mapping(sli.events, join(path, 'events'), ['error_query', 'total_query']);
    if (events === undefined) return undefined;
    const errorQuery = reader.string(events.error_query, join(join(path, 'events'), 'error_query'));
    const totalQuery = reader.string(events.total_query, join(join(path, 'events'), 'total_query'));
    return errorQuery === undefined || totalQuery === undefined ? undefined : { kind: 'events', errorQuery, totalQuery };
  }
  const raw = reader.mapping(sli.raw, join(path, 'raw'), ['error_ratio_query']);
  if (raw === undefined) return undefined;
  const errorRatioQuery = reader.string(raw.error_ratio_query, join(join(path, 'raw'), 'error_ratio_query'));
  return errorRatioQuery === undefined ? undefined : { kind: 'raw', errorRatioQuery };
}

function readPluginSli(reader: SpecReader, value: unknown, path: string): SlothPluginSli | undefined {
  const sli = reader.mapping(value, path, SLI_KEYS);
  if (sli === undefined) return undefined;
  for (const promql of ['events', 'raw'] as const) {
    if (sli[promql] !== undefined) return reader.fail(join(path, promql), PROMQL_SLI_REFUSAL);
  }
  const pluginPath = join(path, 'plugin');
  if (sli.plugin === undefined || sli.plugin === null) return reader.fail(path, `must have plugin: { id: slowatch/availability or slowatch/latency, options: … }, got ${Object.keys(sli).length === 0 ? 'no keys' : `keys: ${Object.keys(sli).join(', ')}`}`);
  const plugin = reader.mapping(sli.plugin, pluginPath, ['id', 'options']);
  if (plugin === undefined) return undefined;
  const id = reader.string(plugin.id, join(pluginPath, 'id'));
  const options = reader.optionalMapping(plugin.options, join(pluginPath, 'options'));
  return id === undefined || options === undefined ? undefined : { kind: 'plugin', id, options };
}

/** undefined: no alerts; null: invalid (issues recorded). */
function readAlerting(reader: SpecReader, value: unknown, path: string): RuleAlerting | undefined | null {
  const alerting = reader.optionalMapping(value, path, ALERTING_KEYS);
  if (alerting === undefined) return null;
  const before = reader.issues.length;
  const page = readAlert(reader, alerting.page_alert, join(path, 'page_alert'));
  const ticket = readAlert(reader, alerting.ticket_alert, join(path, 'ticket_alert'));
  const labels = reader.stringMap(alerting.labels, join(path, 'labels'));
  const annotations = reader.stringMap(alerting.annotations, join(path, 'annotations'));
  if (page === undefined && ticket === undefined) {
    if (alerting.name !== undefined) reader.optionalString(alerting.name, join(path, 'name'));
    return reader.issues.length > before ? null : undefined;
  }
  const name =
    alerting.name === undefined || alerting.name === null
      ? reader.fail(join(path, 'name'), 'required unless both page_alert and ticket_alert are disabled (it becomes the alert name)')
      : reader.string(alerting.name, join(path, 'name'));
  if (name === undefined || page === null || ticket === null || reader.issues.length > before) return null;
  return { name, labels, annotations, ...(page !== undefined && { page }), ...(ticket !== undefined && { ticket }) };
}

/** undefined: disabled; null: invalid. */
function readAlert(reader: SpecReader, value: unknown, path: string): RuleAlert | undefined | null {
  const alert = reader.optionalMapping(value, path, ALERT_KEYS);
  if (alert === undefined) return null;
  const disable = reader.boolean(alert.disable, join(path, 'disable'));
  if (disable === true) return undefined;
  return { labels: reader.stringMap(alert.labels, join(path, 'labels')), annotations: reader.stringMap(alert.annotations, join(path, 'annotations')) };
}
