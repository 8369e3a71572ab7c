import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDashboards, renderDashboardJson } from '../../src/dashboards/build-dashboards';
import { DASHBOARD_TAG, DATASOURCE_VARIABLE, PROVISIONED_DATASOURCE_UID } from '../../src/dashboards/dashboard-conventions';
import { panelsOf } from '../../src/dashboards/dashboard-queries';

const repoRoot = path.resolve(__dirname, '..', '..');
const checkedIn = path.join(repoRoot, 'grafana', 'dashboards');

describe('buildDashboards', () => {
  const dashboards = buildDashboards();

  it('builds the four dashboards with stable, unique uids named after their files', () => {
    expect(dashboards.map((d) => d.uid)).toEqual([
      'slowatch-slo-overview',
      'slowatch-slo-detail',
      'slowatch-service-performance',
      'slowatch-recommendations-events',
    ]);
    for (const d of dashboards) {
      expect(d.fileName).toBe(`${d.uid}.json`);
      expect(d.dashboard.uid).toBe(d.uid);
      expect(d.dashboard.tags).toContain(DASHBOARD_TAG);
    }
  });

  it('matches the checked-in grafana/dashboards/*.json byte for byte (regenerate: slowatch dashboards --out grafana/dashboards)', () => {
    expect(readdirSync(checkedIn).filter((f) => f.endsWith('.json')).sort()).toEqual(dashboards.map((d) => d.fileName).sort());
    for (const d of dashboards) {
      expect(readFileSync(path.join(checkedIn, d.fileName), 'utf8'), d.fileName).toBe(renderDashboardJson(d.dashboard));
    }
  });

  it('renders deterministically: sorted keys, 2-space indent, one trailing newline', () => {
    const again = buildDashboards();
    for (const [i, d] of dashboards.entries()) {
      const text = renderDashboardJson(d.dashboard);
      expect(renderDashboardJson(again[i]!.dashboard)).toBe(text);
      expect(text.endsWith('}\n')).toBe(true);
      expect(text.endsWith('\n\n')).toBe(false);
      expect(text.split('\n')[1]).toMatch(/^ {2}"/);
      const keysInOrder = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(keysInOrder);
        else if (value !== null && typeof value === 'object') {
          const keys = Object.keys(value);
          expect(keys).toEqual([...keys].sort());
          Object.values(value).forEach(keysInOrder);
        }
      };
      keysInOrder(JSON.parse(text));
    }
  });

  it('gives every panel a unique id, a title, a place on the 24-column grid and a PromQL target on the datasource variable', () => {
    for (const { uid, dashboard } of dashboards) {
      const ids = (dashboard.panels ?? []).map((p) => p.id);
      expect(new Set(ids).size, uid).toBe(ids.length);
      expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
      const panels = panelsOf(dashboard);
      expect(panels.length, uid).toBeGreaterThanOrEqual(5);
      for (const panel of panels) {
        const where = `${uid} / ${panel.title ?? '?'}`;
        expect(panel.title, where).toBeTruthy();
        expect(panel.description, where).toBeTruthy();
        const grid = panel.gridPos!;
        expect(grid.x + grid.w, where).toBeLessThanOrEqual(24);
        expect(panel.datasource, where).toEqual({ type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` });
        const targets = (panel.targets ?? []) as { expr?: string; refId?: string; datasource?: unknown }[];
        expect(targets.length, where).toBeGreaterThan(0);
        for (const target of targets) {
          expect(target.expr?.trim(), where).toBeTruthy();
          expect(target.datasource, where).toEqual(panel.datasource);
        }
        const refIds = targets.map((t) => t.refId);
        expect(new Set(refIds).size, `${where}: refIds`).toBe(refIds.length);
      }
    }
  });

  it('declares a Prometheus datasource variable starting on the provisioned uid, and every variable its exprs use', () => {
    for (const { uid, dashboard } of dashboards) {
      const variables = dashboard.templating.list ?? [];
      const datasource = variables.find((v) => v.name === DATASOURCE_VARIABLE);
      expect(datasource, uid).toMatchObject({ type: 'datasource', query: 'prometheus', current: { value: PROVISIONED_DATASOURCE_UID } });
      const declared = new Set(variables.map((v) => v.name));
      for (const panel of panelsOf(dashboard)) {
        for (const target of (panel.targets ?? []) as unknown as { expr: string }[]) {
          for (const [, name] of target.expr.matchAll(/\$\{?(\w+)/g)) {
            if (name!.startsWith('__')) continue;
            expect(declared.has(name!), `${uid} / ${panel.title ?? '?'} uses $${name}`).toBe(true);
          }
        }
      }
    }
  });

  it('links each SLO of the overview table to the detail dashboard', () => {
    const overview = dashboards.find((d) => d.uid === 'slowatch-slo-overview')!;
    expect(renderDashboardJson(overview.dashboard)).toContain('/d/slowatch-slo-detail?');
  });
});
