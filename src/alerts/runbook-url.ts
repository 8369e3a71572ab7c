import { isPrometheusLabelName } from './alert-event';

/**
 * URL templates with label placeholders, for `runbook_url` and
 * `generator_url`: `https://runbooks.example.com/slo/{slo}?severity={severity}`.
 * `{name}` is replaced by the alert's label of that name, URL-encoded
 * (`encodeURIComponent`), or by nothing when the alert has no such label.
 * Braces are the only syntax, so `${env:…}` substitution (done before, on
 * the YAML) never collides with it.
 */
export type UrlTemplatePart = { readonly text: string } | { readonly label: string };

export type UrlTemplateParse =
  | { readonly ok: true; readonly parts: readonly UrlTemplatePart[] }
  | { readonly ok: false; readonly reason: string };

export function parseUrlTemplate(template: string): UrlTemplateParse {
  const parts: UrlTemplatePart[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{', at);
    const close = template.indexOf('}', at);
    if (close >= 0 && (open < 0 || close < open)) return { ok: false, reason: `"}" at position ${close} has no "{"` };
    if (open < 0) {
      parts.push({ text: template.slice(at) });
      break;
    }
    if (open > at) parts.push({ text: template.slice(at, open) });
    if (close < 0) return { ok: false, reason: `"{" at position ${open} is not closed` };
    const name = template.slice(open + 1, close);
    if (!isPrometheusLabelName(name)) return { ok: false, reason: `{${name}} is not a label name ([a-zA-Z_][a-zA-Z0-9_]*)` };
    parts.push({ label: name });
    at = close + 1;
  }
  return { ok: true, parts };
}

/** The template with every placeholder replaced by the label's value, URL-encoded. */
export function expandUrlTemplate(parts: readonly UrlTemplatePart[], labels: Readonly<Record<string, string>>): string {
  return parts.map((part) => ('text' in part ? part.text : encodeURIComponent(labels[part.label] ?? ''))).join('');
}
