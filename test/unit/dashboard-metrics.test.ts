import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { createMetrics } from '../../src/metrics/metrics.js';
import {
  DASHBOARD_PATH,
  RUNBOOK_PATH,
  allPanels,
  loadAlerts,
  loadDashboard,
  loadRuleGroups,
  markdownAnchors,
  metricNamesIn,
  type Panel,
} from '../helpers/monitoring.js';

/** Panels the sprint's metrics section and the ops brief ask for, by title. */
const REQUIRED_PANELS = [
  'tete alerts',
  '/find rate: new searches (queued)',
  '/find rate by outcome',
  'match.find queue size',
  'Matcher worker lag',
  'Proposals: sent, accepted, declined, expired',
  'Accept rate (60 min)',
  'Candidate selection SQL p50 / p95 / p99',
  'Time to proposal p50 / p95 / p99',
  'Share of /find with a proposal within 60 s',
  'Dead-lettered entries',
  'Outbound queue depth',
  'Bot API 429s',
  'Process CPU',
  'Process memory',
];

const HISTOGRAM_SERIES = /_(bucket|sum|count)$/;

async function registryMetrics(): Promise<Map<string, string>> {
  const metrics = createMetrics();
  const json = await metrics.registry.getMetricsAsJSON();
  return new Map(json.map((metric) => [metric.name, String(metric.type)]));
}

const dashboard = loadDashboard();
const panels = allPanels(dashboard);
const panelByTitle = (title: string): Panel => {
  const panel = panels.find((candidate) => candidate.title === title);
  assert.ok(panel, `no panel titled ${title}`);
  return panel;
};
const dashboardExprs = panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}"`, expr: target.expr })),
);
const groups = loadRuleGroups();
const ruleExprs = groups.flatMap((group) =>
  group.rules.map((rule) => ({
    where: `rule ${rule.alert ?? rule.record}`,
    expr: rule.expr,
  })),
);
const recordedNames = new Set(groups.flatMap((group) => group.rules.map((rule) => rule.record)));

describe('metric names in the dashboard and the alert rules', () => {
  it('finds the names in PromQL, skipping functions, keywords, labels and ranges', () => {
    assert.deepEqual(
      metricNamesIn(
        'clamp_max(sum by (le) (increase(a_bucket{le=~"60000([.]0)?", x="y z"}[$__rate_interval]))' +
          ' / on () group_left sum(b_total offset 1m), 1) > bool 0.5 and c:d:e unless up',
      ).sort(),
      ['a_bucket', 'b_total', 'c:d:e', 'up'],
    );
  });

  it('every metric read exists in the registry of createMetrics()', async () => {
    const registry = await registryMetrics();
    const checked = new Set<string>();
    for (const { where, expr } of [...dashboardExprs, ...ruleExprs]) {
      for (const name of metricNamesIn(expr)) {
        if (name === 'up') continue; // written by Prometheus itself for every target
        if (name.includes(':')) {
          assert.ok(recordedNames.has(name), `${where} reads ${name}, which no rule records`);
          continue;
        }
        const base = name.replace(HISTOGRAM_SERIES, '');
        const known = registry.has(name) || (base !== name && registry.get(base) === 'histogram');
        assert.ok(known, `${where} reads ${name}, which src/metrics/metrics.ts does not export`);
        checked.add(base);
      }
    }
    assert.ok(checked.size >= 15, `only ${checked.size} metric names were found`);
  });

  it('the dashboard shows every metric the service declares', async () => {
    const registry = await registryMetrics();
    const shown = new Set(
      dashboardExprs.flatMap(({ expr }) =>
        metricNamesIn(expr).map((name) => name.replace(HISTOGRAM_SERIES, '')),
      ),
    );
    const own = [...registry.keys()].filter(
      (name) => !name.startsWith('process_') && !name.startsWith('nodejs_'),
    );
    for (const name of own) assert.ok(shown.has(name), `no panel shows ${name}`);
  });
});

describe(`the Matching dashboard (${DASHBOARD_PATH})`, () => {
  it('is the provisioned dashboard tete-matching on the prometheus datasource', () => {
    assert.equal(dashboard.title, 'Matching');
    assert.equal(dashboard.uid, 'tete-matching');
    assert.equal(dashboard.schemaVersion, 39);
    assert.ok(dashboard.refresh, 'no refresh interval');
    assert.ok(dashboard.time.from.startsWith('now-'), 'no relative time range');
    for (const panel of panels.filter((candidate) => candidate.targets)) {
      assert.equal(panel.datasource?.uid, 'prometheus', `panel "${panel.title}" datasource`);
      const refIds = panel.targets!.map((target) => target.refId);
      assert.equal(new Set(refIds).size, refIds.length, `panel "${panel.title}" repeats a refId`);
      for (const target of panel.targets!) {
        assert.equal(target.datasource?.uid, 'prometheus', `panel "${panel.title}" query`);
        assert.ok(target.expr.trim(), `panel "${panel.title}" has an empty query`);
      }
    }
  });

  it('has the required panels, organised in rows', () => {
    for (const title of REQUIRED_PANELS) panelByTitle(title);
    assert.equal(dashboard.panels[0]?.type, 'row', 'the first panel is not a row');
    assert.ok(panels.filter((panel) => panel.type === 'row').length >= 5, 'fewer than 5 rows');
    const titles = panels.map((panel) => panel.title);
    assert.equal(new Set(titles).size, titles.length, 'two panels share a title');
  });

  it('lays the panels out on the 24-column grid without overlaps or repeated ids', () => {
    const ids = panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, 'two panels share an id');
    const placed = dashboard.panels;
    for (const [index, a] of placed.entries()) {
      const { x, w, h } = a.gridPos;
      assert.ok(x >= 0 && w > 0 && h > 0 && x + w <= 24, `panel "${a.title}" is off the grid`);
      for (const b of placed.slice(index + 1)) {
        const overlap =
          a.gridPos.x < b.gridPos.x + b.gridPos.w &&
          b.gridPos.x < a.gridPos.x + a.gridPos.w &&
          a.gridPos.y < b.gridPos.y + b.gridPos.h &&
          b.gridPos.y < a.gridPos.y + a.gridPos.h;
        assert.ok(!overlap, `panels "${a.title}" and "${b.title}" overlap`);
      }
    }
  });

  it('shows the accept-rate alert threshold (0.25) and the sprint target (0.30)', () => {
    const steps = panelByTitle('Accept rate (60 min)').fieldConfig?.defaults?.thresholds?.steps;
    const values = (steps ?? []).map((step) => step.value);
    assert.ok(values.includes(0.25) && values.includes(0.3), `thresholds are ${values.join()}`);
    assert.match(panelByTitle('Accept rate (60 min)').targets![0]!.expr, /\baccept_rate\b/);
  });

  it('computes the within-60-s share from the 60000 ms bucket over queued /find, clamped to 1', () => {
    const expr = panelByTitle('Share of /find with a proposal within 60 s').targets![0]!.expr;
    assert.match(expr, /^clamp_max\(/);
    assert.match(expr, /increase\(match_time_to_proposal_ms_bucket\{le=~?"60000/);
    assert.match(expr, /increase\(match_find_requests_total\{outcome="queued"\}/);
  });

  it('takes the quantiles with histogram_quantile over rate(..._bucket[5m])', () => {
    for (const [title, metric] of [
      ['Candidate selection SQL p50 / p95 / p99', 'sql_match_select_ms'],
      ['Time to proposal p50 / p95 / p99', 'match_time_to_proposal_ms'],
    ] as const) {
      const exprs = panelByTitle(title).targets!.map((target) => target.expr);
      for (const q of ['0.5', '0.95', '0.99']) {
        const wanted = `histogram_quantile(${q}, sum by (le) (rate(${metric}_bucket[5m])))`;
        assert.ok(exprs.includes(wanted), `${title} lacks ${wanted}`);
      }
    }
  });

  it('lists the tete alerts from the provisioned Prometheus datasource', () => {
    const provisioning = parse(
      readFileSync('grafana/provisioning/datasources/prometheus.yml', 'utf8'),
    ) as { datasources: { name: string; uid: string }[] };
    const datasource = provisioning.datasources.find((candidate) => candidate.uid === 'prometheus');
    const panel = panelByTitle('tete alerts');
    assert.equal(panel.type, 'alertlist');
    // The alert list picks its source by name, not by uid.
    assert.equal(panel.options?.datasource, datasource?.name);
    assert.equal(panel.options?.alertInstanceLabelFilter, '{service="tete"}');
    for (const { alert, labels } of loadAlerts()) {
      assert.equal(labels?.service, 'tete', `${alert} would not show in the alert list`);
    }
  });
});

describe('the alerts and the runbook', () => {
  const anchors = markdownAnchors(readFileSync(RUNBOOK_PATH, 'utf8'));

  it('covers the sprint alerts and the brief', () => {
    const names = loadAlerts().map((rule) => rule.alert);
    for (const name of [
      'MatchQueueLagHigh',
      'AcceptRateLow',
      'FindAnsweredSlow',
      'MatchDeadLetters',
      'MatcherDown',
      'MatcherAbsent',
      'TelegramRateLimited',
    ]) {
      assert.ok(names.includes(name), `no alert ${name}`);
    }
    assert.equal(new Set(names).size, names.length, 'an alert name is used twice');
  });

  it('gives every alert a severity, a summary, a templated description and a runbook section', () => {
    assert.ok(existsSync(RUNBOOK_PATH));
    for (const { alert, labels, annotations } of loadAlerts()) {
      assert.ok(['page', 'ticket'].includes(labels?.severity ?? ''), `${alert} severity`);
      assert.ok(annotations?.summary?.trim(), `${alert} has no summary`);
      assert.match(annotations?.description ?? '', /\{\{.+\}\}/, `${alert} description`);
      const url = annotations?.runbook_url ?? '';
      const [, anchor] = /^docs\/runbook\.md#([a-z0-9_-]+)$/.exec(url) ?? [];
      assert.ok(anchor, `${alert} runbook_url ${url} is not docs/runbook.md#<section>`);
      assert.equal(anchor, alert.toLowerCase(), `${alert} links to another alert's section`);
      assert.ok(anchors.has(anchor), `docs/runbook.md has no section #${anchor}`);
    }
  });

  it('gives recording rules level:metric:operation names', () => {
    for (const group of groups) {
      for (const rule of group.rules) {
        if (rule.record) assert.match(rule.record, /^[a-z_]+:[a-z0-9_]+:[a-z0-9_]+$/);
      }
    }
  });
});
