import { RulesInputError } from '../../rules/rules-input-error';
import { parseSlothPluginSpec } from '../../rules/sloth-spec';
import type { ObjectiveSpec } from '../../slo/objective';
import type { ConfigIssue } from '../config-issue';
import { readListedSpecFiles } from '../listed-spec-files';
import type { ListedSpecFilesOptions } from '../listed-spec-files';
import { mapSlothSlo } from './sloth-objective';
import type { SlothMappingOptions } from './sloth-objective';

/**
 * Reads the Sloth `prometheus/v1` files a config lists (`sloth: [paths or
 * globs]`, expanded as `openslo:` is, by openslo-glob.ts), parses them with
 * the rules' Sloth parser (plugin SLIs only) and maps every SLO onto a
 * slowatch objective. The only file-system part of the Sloth import; it runs
 * once, when the config is resolved. Memory: the files' text and parsed
 * specs, held only while loading.
 */

export interface SlothLoadOptions extends SlothMappingOptions, ListedSpecFilesOptions {}

export type SlothLoadResult =
  | { readonly ok: true; readonly objectives: readonly ObjectiveSpec[]; /** Absolute paths read, in list order. */ readonly files: readonly string[] }
  | {
      readonly ok: false;
      /** Problems with the list itself, `sloth[1]: "./x/*.yaml" matches no file (…)`: they belong to the config file. */
      readonly listProblems: readonly string[];
      /** Problems inside the Sloth files: path `slos[0].sli.events`, file = the Sloth file as shown. */
      readonly issues: readonly ConfigIssue[];
    };

export function loadSlothFiles(patterns: readonly string[], options: SlothLoadOptions): SlothLoadResult {
  const { files, read, listProblems } = readListedSpecFiles('sloth', patterns, options);
  const issues: ConfigIssue[] = [];
  const objectives: ObjectiveSpec[] = [];
  const firstFileOf = new Map<string, string>();
  for (const { display, text } of read) {
    let slos;
    try {
      slos = parseSlothPluginSpec(text);
    } catch (error) {
      if (!(error instanceof RulesInputError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, file: display })));
      continue;
    }
    for (const slo of slos) {
      const mapped = mapSlothSlo(slo, options);
      if (!mapped.ok) {
        issues.push(...mapped.issues.map((issue) => ({ ...issue, file: display })));
        continue;
      }
      const first = firstFileOf.get(mapped.objective.name);
      if (first !== undefined) {
        issues.push({ path: `${slo.path}.name`, file: display, message: `objective ${JSON.stringify(mapped.objective.name)} (service-name) is already defined by ${first}; objective names become the slo label and must be unique` });
      } else {
        firstFileOf.set(mapped.objective.name, display);
        objectives.push(mapped.objective);
      }
    }
  }
  if (listProblems.length > 0 || issues.length > 0) return { ok: false, listProblems, issues };
  return { ok: true, objectives, files };
}
