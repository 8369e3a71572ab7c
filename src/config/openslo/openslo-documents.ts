import { LineCounter, isSeq, parseAllDocuments } from 'yaml';
import { describeValue } from '../describe-value';
import { createLineLocator } from '../yaml-locator';
import type { YamlPathSegment } from '../yaml-path';
import type { OpenSloDocumentLabel, OpenSloProblem } from './openslo-problem';

/**
 * Splits an OpenSLO file into its documents and checks their envelope
 * (apiVersion, kind, metadata.name). What the documents mean is the
 * mapper's business (openslo-catalog.ts).
 *
 * A file holds its objects either as YAML documents separated by `---`, or
 * as a YAML list of objects (OpenSLO's go-sdk examples), or a mix. Documents
 * are numbered from 0 in file order, counting each object of a list as one
 * document; empty YAML documents (a trailing `---`) are skipped and not counted.
 */

/** The OpenSLO version read. v1alpha and v2alpha documents are refused with a message saying so. */
export const OPENSLO_API_VERSION = 'openslo/v1';

/** The kinds of OpenSLO v1. `Service` is accepted and has no effect (it only groups SLOs). */
export const OPENSLO_KINDS = ['SLO', 'SLI', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget', 'Service'] as const;

export type OpenSloKind = (typeof OPENSLO_KINDS)[number];

export interface OpenSloDocument {
  /** The file as shown to the user. */
  readonly file: string;
  readonly label: OpenSloDocumentLabel & { readonly kind: OpenSloKind; readonly name: string };
  /** The whole object: apiVersion, kind, metadata, spec. */
  readonly value: Readonly<Record<string, unknown>>;
  /** 1-based line of a field of this document (the deepest part of the path that exists). */
  readonly lineOf: (field: readonly YamlPathSegment[]) => number | undefined;
}

export interface ParsedOpenSloFile {
  /** Documents whose envelope is valid. */
  readonly documents: readonly OpenSloDocument[];
  /** YAML syntax errors and broken envelopes; the documents they concern are not in `documents`. */
  readonly problems: readonly OpenSloProblem[];
}

/** Parses the text of one OpenSLO file. Pure: the caller reads the file. */
export function parseOpenSloText(text: string, file: string): ParsedOpenSloFile {
  const lineCounter = new LineCounter();
  const yamlDocuments = parseAllDocuments(text, { lineCounter, prettyErrors: true });
  const documents: OpenSloDocument[] = [];
  const problems: OpenSloProblem[] = [];
  if (!Array.isArray(yamlDocuments)) return { documents, problems }; // an empty file

  // A syntax error anywhere makes document numbering unreliable: report the errors and stop.
  for (const error of yamlDocuments.flatMap((d) => d.errors)) {
    const position = error.linePos?.[0];
    const firstLine = error.message.split('\n', 1)[0] ?? error.message;
    problems.push({
      file,
      field: [],
      message: `YAML syntax error: ${firstLine.replace(/ at line \d+, column \d+:?$/, '').trim()}`,
      ...(position !== undefined && { line: position.line, column: position.col }),
    });
  }
  if (problems.length > 0) return { documents, problems };

  let index = 0;
  for (const yamlDocument of yamlDocuments) {
    const locate = createLineLocator(yamlDocument, lineCounter);
    const data: unknown = yamlDocument.toJS({ maxAliasCount: 1000 });
    if (data === null || data === undefined) continue;
    const items: { value: unknown; base: readonly YamlPathSegment[] }[] = isSeq(yamlDocument.contents)
      ? (data as unknown[]).map((value, i) => ({ value, base: [i] }))
      : [{ value: data, base: [] }];
    for (const { value, base } of items) {
      const lineOf = (field: readonly YamlPathSegment[]) => locate([...base, ...field]);
      const checked = checkEnvelope(value, index, file, lineOf);
      if (checked.ok) documents.push(checked.document);
      else problems.push(...checked.problems);
      index++;
    }
  }
  return { documents, problems };
}

type EnvelopeOutcome = { readonly ok: true; readonly document: OpenSloDocument } | { readonly ok: false; readonly problems: OpenSloProblem[] };

function checkEnvelope(
  value: unknown,
  index: number,
  file: string,
  lineOf: (field: readonly YamlPathSegment[]) => number | undefined,
): EnvelopeOutcome {
  const problems: OpenSloProblem[] = [];
  if (!isMapping(value)) {
    problems.push({ file, document: { index }, field: [], message: `must be an OpenSLO object (a mapping with apiVersion, kind, metadata and spec), got ${describeValue(value)}`, ...lineAt(lineOf, []) });
    return { ok: false, problems };
  }
  const kindValue = value.kind;
  const kind = typeof kindValue === 'string' && (OPENSLO_KINDS as readonly string[]).includes(kindValue) ? (kindValue as OpenSloKind) : undefined;
  const metadata = value.metadata;
  const nameValue = isMapping(metadata) ? metadata.name : undefined;
  const name = typeof nameValue === 'string' && nameValue !== '' ? nameValue : undefined;
  const label: OpenSloDocumentLabel = { index, ...(kind !== undefined && { kind }), ...(name !== undefined && { name }) };
  const report = (field: readonly YamlPathSegment[], message: string) => problems.push({ file, document: label, field, message, ...lineAt(lineOf, field) });

  if (value.apiVersion !== OPENSLO_API_VERSION) {
    report(['apiVersion'], `slowatch reads OpenSLO ${OPENSLO_API_VERSION} documents, got ${describeValue(value.apiVersion)}`);
  }
  if (kind === undefined) report(['kind'], `must be one of ${OPENSLO_KINDS.join(', ')}, got ${describeValue(kindValue)}`);
  if (!isMapping(metadata)) report(['metadata'], `required: a mapping with name, got ${describeValue(metadata)}`);
  else if (name === undefined) report(['metadata', 'name'], `required: a non-empty string, got ${describeValue(nameValue)}`);
  if (value.spec !== undefined && value.spec !== null && !isMapping(value.spec)) report(['spec'], `must be a mapping, got ${describeValue(value.spec)}`);

  if (problems.length > 0 || kind === undefined || name === undefined) return { ok: false, problems };
  return { ok: true, document: { file, label: { index, kind, name }, value, lineOf } };
}

function lineAt(lineOf: (field: readonly YamlPathSegment[]) => number | undefined, field: readonly YamlPathSegment[]): { line?: number } {
  const line = lineOf(field);
  return line === undefined ? {} : { line };
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
