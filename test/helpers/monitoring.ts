import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** Where the Prometheus rules, their promtool tests, the dashboard and the runbook live. */
export const RULES_DIR = 'grafana/prometheus/rules';
export const RULE_TESTS_DIR = 'grafana/prometheus/tests';
export const DASHBOARD_PATH = 'grafana/dashboards/matching.json';
export const RUNBOOK_PATH = 'docs/runbook.md';

export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export interface Target {
  refId: string;
  expr: string;
  datasource?: { type: string; uid: string };
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
  fieldConfig?: {
    defaults?: { thresholds?: { steps: { color: string; value: number | null }[] } };
  };
  options?: Record<string, unknown>;
  panels?: Panel[];
}

export interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  refresh: string;
  time: { from: string; to: string };
  panels: Panel[];
}

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.yml') || name.endsWith('.yaml'))
    .sort()
    .map((name) => join(dir, name));

export const ruleFilePaths = () => yamlFiles(RULES_DIR);
export const ruleTestPaths = () => yamlFiles(RULE_TESTS_DIR);

export function loadRuleGroups(): RuleGroup[] {
  return ruleFilePaths().flatMap(
    (path) => (parse(readFileSync(path, 'utf8')) as { groups: RuleGroup[] }).groups,
  );
}

export const loadAlerts = () =>
  loadRuleGroups()
    .flatMap((group) => group.rules)
    .filter((rule): rule is Rule & { alert: string } => rule.alert !== undefined);

export function loadDashboard(): Dashboard {
  return JSON.parse(readFileSync(DASHBOARD_PATH, 'utf8')) as Dashboard;
}

/** Every panel, including those nested in collapsed rows. */
export const allPanels = (dashboard: Dashboard): Panel[] =>
  dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);

/** Grafana's own variables, replaced by a plausible value so the PromQL can be parsed. */
export const withoutGrafanaVariables = (expr: string) =>
  expr.replace(/\$__(rate_interval|interval|range)\b/g, (_, name) =>
    name === 'range' ? '1h' : '5m',
  );

const PROMQL_KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads. Good enough for the expressions we write:
 * strings, label matchers, ranges and grouping label lists are removed first, and an
 * identifier followed by "(" is a function or an aggregation, not a metric.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const [name] of stripped.matchAll(/(?<![\w.$:])[a-zA-Z_:][\w:]*(?![\w:])(?!\s*\()/g)) {
    if (!PROMQL_KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function markdownAnchors(markdown: string): Set<string> {
  const outsideCode = markdown.replace(/^[ \t]*```[\s\S]*?^[ \t]*```/gm, '');
  const anchors = new Set<string>();
  for (const [, heading] of outsideCode.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    anchors.add(
      heading!
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}
