import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// The Grafana dashboard and the alert rules use only metrics the services expose
// (metric-names.mjs), with their labels, and every PromQL expression parses (promtool,
// from Debian's package `prometheus`; without it these tests fail, they do not skip).

interface Metric {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  labels: string[];
}
interface MetricNamesModule {
  METRICS: Metric[];
  DEFAULT_METRICS: Metric[];
  SCRAPE_METRICS: string[];
  TARGET_LABELS: string[];
  seriesNames(metric: Metric): string[];
  knownSeries(): Map<string, { metric: Metric; labels: string[] }>;
}
interface Target {
  refId?: string;
  expr?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
// A plain .mjs (the system tests import it too); through a variable so that tsc does not
// ask for a declaration file.
const metricNamesPath = './metric-names.mjs';
const names = (await import(metricNamesPath)) as MetricNamesModule;
const KNOWN = names.knownSeries();
const STANDARD_PREFIXES = ['process_', 'nodejs_'];
const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

const dashboardFile = path.join(HERE, 'grafana', 'group-messages.json');
const dashboard = JSON.parse(fs.readFileSync(dashboardFile, 'utf8')) as {
  schemaVersion: number;
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown; definition?: string }> };
};
const alertsFile = path.join(HERE, 'alerts.yml');
const alerts = parse(fs.readFileSync(alertsFile, 'utf8')) as {
  groups: Array<{ name: string; rules: Rule[] }>;
};
const rules = alerts.groups.flatMap((g) => g.rules);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}
const panels = allPanels(dashboard.panels);
const queryPanels = panels.filter((p) => p.type !== 'row');

/** A dashboard expression as Prometheus would get it from Grafana. */
function substitute(expr: string): string {
  return expr
    .replace(/\$__rate_interval|\$\{__rate_interval\}/g, '5m')
    .replace(/\$__interval|\$\{__interval\}/g, '1m')
    .replace(/\$__range|\$\{__range\}/g, '1h')
    .replace(/\$\{?service\}?/g, '.*');
}

const dashboardExprs = queryPanels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({
    where: `panel ${p.id} "${p.title}" ${t.refId}`,
    expr: substitute(t.expr ?? ''),
    record: `dashboard:panel_${p.id}_${t.refId}`,
  })),
);
const ruleExprs = rules.map((r) => ({ where: r.record ?? r.alert ?? '?', expr: r.expr }));

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/** The series selectors, the labels in grouping clauses, of one PromQL expression. */
function analyse(expr: string): {
  selectors: Array<{ name: string; labels: string[] }>;
  grouping: string[];
} {
  let s = expr.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  const grouping: string[] = [];
  s = s.replace(
    /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g,
    (_m, _k, list: string) => {
      grouping.push(
        ...list
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean),
      );
      return ' ';
    },
  );
  const selectors: Array<{ name: string; labels: string[] }> = [];
  s = s.replace(
    /([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g,
    (_m, name: string | undefined, matchers: string) => {
      const labels = [...matchers.matchAll(/([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]);
      if (!name) throw new Error(`selector without a metric name in: ${expr}`);
      selectors.push({ name, labels });
      return ' ';
    },
  );
  for (const m of s.matchAll(/[\w.:]+/g)) {
    const token = m[0];
    if (/^[\d.]/.test(token) || KEYWORDS.has(token)) continue;
    const after = s.slice((m.index ?? 0) + token.length);
    if (/^\s*\(/.test(after)) continue; // a function or an aggregation
    selectors.push({ name: token, labels: [] });
  }
  return { selectors, grouping };
}

/** What is wrong with the names and labels of one expression (nothing: []). */
function problems(expr: string, extraNames: Set<string>): string[] {
  const out: string[] = [];
  const { selectors, grouping } = analyse(expr);
  const available = new Set<string>(names.TARGET_LABELS);
  for (const { name, labels } of selectors) {
    const known = KNOWN.get(name);
    if (known) {
      known.labels.forEach((l) => available.add(l));
      const unknown = labels.filter((l) => !known.labels.includes(l));
      if (unknown.length) out.push(`${name} has no label(s) ${unknown.join(', ')}`);
    } else if (names.SCRAPE_METRICS.includes(name) || extraNames.has(name)) {
      labels.forEach((l) => available.add(l));
    } else if (STANDARD_PREFIXES.some((p) => name.startsWith(p))) {
      labels.forEach((l) => available.add(l));
    } else {
      out.push(`unknown metric ${name} (not in metric-names.mjs)`);
    }
  }
  if (!selectors.length) out.push('no metric in the expression');
  const unknownGrouping = grouping.filter((l) => !available.has(l));
  if (unknownGrouping.length)
    out.push(`grouping by label(s) no series has: ${unknownGrouping.join(', ')}`);
  return out;
}

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, args, { encoding: 'utf8' });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(
      `promtool not found (${PROMTOOL}): install Debian's package 'prometheus' ` +
        `(apt-get install -y --no-install-recommends prometheus) or set PROMTOOL`,
    );
  }
  if (result.error) throw result.error;
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the metric list (metric-names.mjs)', () => {
  it('names each metric once, with a type and the label names', () => {
    const all = [...names.METRICS, ...names.DEFAULT_METRICS];
    expect(new Set(all.map((m) => m.name)).size).toBe(all.length);
    for (const m of all) {
      expect(m.name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      expect(['counter', 'gauge', 'histogram']).toContain(m.type);
      if (m.type === 'counter') expect(m.name).toMatch(/_total$/);
      expect(m.labels).not.toContain('service');
      expect(m.labels).not.toContain('le');
    }
  });
});

describe('Grafana dashboard grafana/group-messages.json', () => {
  it('is a dashboard of schema ~39 with a Prometheus data source and a service variable', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toBe('group-messages');
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.datasource).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars.service).toMatchObject({ type: 'query', includeAll: true, multi: true });
    const definition = String(vars.service.definition);
    const metric = /^label_values\(([\w:]+)\s*,\s*service\)$/.exec(definition)?.[1];
    expect(metric && KNOWN.has(metric)).toBe(true);
  });

  it('has unique panel ids', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives every panel (rows aside) the data source variable and at least one query', () => {
    expect(queryPanels.length).toBeGreaterThan(10);
    const bad = queryPanels.flatMap((p) => {
      const out: string[] = [];
      if (p.datasource?.type !== 'prometheus' || p.datasource.uid !== '${datasource}')
        out.push('panel datasource');
      if (!p.targets?.length) out.push('no targets');
      const refIds = (p.targets ?? []).map((t) => t.refId);
      if (new Set(refIds).size !== refIds.length) out.push('duplicate refId');
      for (const t of p.targets ?? []) {
        if (!t.refId || !t.expr?.trim()) out.push(`target ${t.refId}: no refId or expr`);
        if (t.datasource && t.datasource.uid !== '${datasource}')
          out.push(`target ${t.refId}: datasource`);
        if (t.expr && !/\$\{?service\}?/.test(t.expr))
          out.push(`target ${t.refId}: not filtered by $service`);
      }
      return out.map((o) => `panel ${p.id} "${p.title}": ${o}`);
    });
    const rows = panels.filter((p) => p.type === 'row');
    expect(rows.every((r) => !r.targets?.length)).toBe(true);
    expect(bad).toEqual([]);
  });

  it('uses only metrics of metric-names.mjs (or process_/nodejs_/up), with their labels', () => {
    const bad = dashboardExprs.flatMap((e) =>
      problems(e.expr, new Set()).map((p) => `${e.where}: ${p}`),
    );
    expect(bad).toEqual([]);
  });

  it('shows every metric of metric-names.mjs', () => {
    const used = new Set(
      dashboardExprs.flatMap((e) => analyse(e.expr).selectors.map((s) => s.name)),
    );
    const unused = names.METRICS.filter((m) => !names.seriesNames(m).some((s) => used.has(s)));
    expect(unused.map((m) => m.name)).toEqual([]);
  });

  it('has expressions that parse (promtool check rules)', () => {
    expect(dashboardExprs.every((e) => !e.expr.includes('$'))).toBe(true);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-dashboard-'));
    try {
      const file = path.join(dir, 'dashboard-exprs.yml');
      const groups = [
        {
          name: 'dashboard',
          rules: dashboardExprs.map((e) => ({ record: e.record, expr: e.expr })),
        },
      ];
      fs.writeFileSync(file, JSON.stringify({ groups }, null, 2)); // JSON is YAML
      const { status, output } = promtool('check', 'rules', file);
      expect({ status, output }).toEqual({
        status: 0,
        output: expect.stringContaining(`SUCCESS: ${dashboardExprs.length} rules found`),
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('alert rules alerts.yml', () => {
  it('use only metrics of metric-names.mjs (or up, or rules recorded there), with their labels', () => {
    const bad = ruleExprs.flatMap((e) => problems(e.expr, recorded).map((p) => `${e.where}: ${p}`));
    expect(bad).toEqual([]);
  });

  it('give every alert a severity, a summary, a description and a runbook in docs/operations.md', () => {
    const alertRules = rules.filter((r) => r.alert);
    expect(alertRules.length).toBeGreaterThanOrEqual(7);
    for (const r of alertRules) {
      expect({ alert: r.alert, severity: r.labels?.severity }).toEqual({
        alert: r.alert,
        severity: expect.stringMatching(/^(critical|warning)$/),
      });
      expect(r.annotations?.summary).toBeTruthy();
      expect(r.annotations?.description).toBeTruthy();
      expect(r.annotations?.runbook).toMatch(/^docs\/operations\.md#[a-z0-9-]+$/);
    }
  });

  it('parse (promtool check rules)', () => {
    const { status, output } = promtool('check', 'rules', alertsFile);
    expect({ status, output }).toEqual({
      status: 0,
      output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`),
    });
  });
});
