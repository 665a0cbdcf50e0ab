import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { configSchema } from '../../src/config.js';

const schemaKeys = Object.keys(configSchema.innerType().shape).sort();
const read = (path: string) => readFileSync(path, 'utf8');

describe('project files stay in step with the config schema', () => {
  it('the README configuration table lists exactly the schema variables', () => {
    const section = read('README.md').split('## Configuration')[1]?.split('\n## ')[0] ?? '';
    const rows = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((match) => match[1]);
    assert.deepEqual([...rows].sort(), schemaKeys);
    assert.equal(new Set(rows).size, rows.length, 'a variable is listed twice');
  });

  it('.env.example lists every variable the service or docker-compose.yml reads, and no other', () => {
    const keys = [...read('.env.example').matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!);
    const composeKeys = [...read('docker-compose.yml').matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map(
      (m) => m[1]!,
    );
    assert.deepEqual([...keys].sort(), [...new Set([...schemaKeys, ...composeKeys])].sort());
    assert.equal(new Set(keys).size, keys.length, 'a variable is listed twice');
  });

  it('the README defaults match the schema defaults', () => {
    const defaults = configSchema.innerType().parse({});
    const section = read('README.md').split('## Configuration')[1] ?? '';
    let checked = 0;
    for (const match of section.matchAll(/^\| `([A-Z_0-9]+)` +\| `([^`]*)` +\|/gm)) {
      const [, key, shown] = match;
      const actual = (defaults as Record<string, unknown>)[key!];
      const expected = Array.isArray(actual)
        ? actual.join(',')
        : key === 'WAKING_HOURS'
          ? '09:00-23:00'
          : String(actual);
      assert.equal(shown, expected, `README default of ${key}`);
      checked += 1;
    }
    assert.ok(checked >= 15, `only ${checked} defaults were found in the README table`);
  });
});

describe('the README', () => {
  it('points at nothing outside the repository', () => {
    for (const file of ['README.md', ...readdirSync('docs').map((name) => `docs/${name}`)]) {
      const text = read(file);
      assert.doesNotMatch(text, /\.\.\/shared\//, `${file} points outside the repository`);
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)[^)]*\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // a web address
        const path = join(dirname(file), target!);
        assert.ok(!path.startsWith('..'), `${file} links ${target}, outside the repository`);
        assert.ok(existsSync(path), `${file} links ${target}, which does not exist`);
      }
    }
  });

  it('its test command is all CI runs: every setup step lives behind it', () => {
    const ci = read('.ci/run')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const steps = ci.filter((line) => !/^(set |cd )/.test(line));
    assert.deepEqual(steps, ['npm ci', 'npm run check']);
    assert.match(read('README.md'), /npm ci && npm run check/);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    // promtool and the services are set up by `npm test` itself, for CI and developers alike.
    assert.match(scripts.pretest ?? '', /ensure-services\.sh/);
    assert.match(read('scripts/ensure-services.sh'), /install[^\n]*prometheus/);
  });

  it('names only npm scripts that package.json defines', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> })
      .scripts;
    const named = [...read('README.md').matchAll(/npm run ([a-z][a-z:-]*)/g)].map((m) => m[1]!);
    assert.ok(named.length >= 8, `only ${named.length} scripts were found in the README`);
    for (const name of new Set(named)) assert.ok(name in scripts, `npm run ${name} is not defined`);
  });
});

describe('docker-compose.yml', () => {
  // Merge keys on: the cluster nodes share one definition, as docker compose reads it.
  const compose = parse(read('docker-compose.yml'), { merge: true }) as {
    services: Record<
      string,
      {
        healthcheck?: { test: unknown };
        environment?: Record<string, unknown>;
        command?: string[];
        profiles?: string[];
        depends_on?: Record<string, unknown>;
        volumes?: string[];
      }
    >;
  };
  const inProfile = (name: string) => (compose.services[name]?.profiles ?? []).length > 0;

  it('has the owner’s service set', () => {
    const always = Object.keys(compose.services).filter((name) => !inProfile(name));
    assert.deepEqual(always.sort(), ['app', 'grafana', 'postgres', 'prometheus', 'redis']);
  });

  it('gives postgres, redis and app a healthcheck', () => {
    for (const name of ['postgres', 'redis', 'app']) {
      assert.ok(compose.services[name]?.healthcheck?.test, `${name} has no healthcheck`);
    }
  });

  it('publishes PostgreSQL and Redis on the host loopback, for a service run on the host', () => {
    const ports = (name: string) =>
      ((compose.services[name] as { ports?: string[] } | undefined)?.ports ?? []).join(' ');
    assert.match(ports('postgres'), /^127\.0\.0\.1:\$\{POSTGRES_PORT:-5432\}:5432$/);
    assert.match(ports('redis'), /^127\.0\.0\.1:\$\{REDIS_PORT:-6379\}:6379$/);
    assert.match(read('README.md'), /postgres:\/\/postgres:tete@127\.0\.0\.1:5432\/tete/);
  });

  it('runs redis 7 with AOF and no eviction', () => {
    const command = compose.services.redis?.command?.join(' ') ?? '';
    assert.match(command, /--appendonly yes/);
    assert.match(command, /--maxmemory-policy noeviction/);
  });

  it('has an optional Redis Cluster profile: 3 masters, 3 replicas, AOF, no eviction', () => {
    const nodes = Object.keys(compose.services).filter((name) => name.startsWith('redis-node-'));
    assert.equal(nodes.length, 6);
    const volumes = new Set<string>();
    for (const name of nodes) {
      const node = compose.services[name]!;
      assert.deepEqual(node.profiles, ['cluster'], name);
      const command = node.command?.join(' ') ?? '';
      assert.match(command, /^redis-server --cluster-enabled yes /, name);
      assert.match(command, /--appendonly yes/, name);
      assert.match(command, /--maxmemory-policy noeviction/, name);
      assert.ok(node.healthcheck?.test, `${name} has no healthcheck`);
      for (const volume of node.volumes ?? []) volumes.add(volume.split(':')[0]!);
    }
    assert.equal(volumes.size, 6, 'each node keeps its own data');
    const init = compose.services['redis-cluster-init']!;
    assert.deepEqual(init.profiles, ['cluster']);
    assert.deepEqual(Object.keys(init.depends_on ?? {}).sort(), nodes.sort());
    const script = init.command?.join(' ') ?? '';
    assert.match(script, /redis-cli --cluster create/);
    assert.match(script, /--cluster-replicas 1 --cluster-yes/);
    assert.match(script, /for n in 1 2 3 4 5 6;/);
    assert.match(
      String(compose.services.app?.environment?.REDIS_CLUSTER_NODES),
      /^\$\{REDIS_CLUSTER_NODES/,
    );
    assert.match(read('README.md'), /docker compose --profile cluster up/);
  });

  it('passes every configuration variable to app', () => {
    const passed = Object.keys(compose.services.app?.environment ?? {}).sort();
    assert.deepEqual(passed, schemaKeys);
  });

  it('keeps Grafana closed to anonymous viewers and takes its password from the environment', () => {
    const env = compose.services.grafana?.environment ?? {};
    assert.match(String(env.GF_SECURITY_ADMIN_PASSWORD), /^\$\{GRAFANA_ADMIN_PASSWORD/);
    assert.match(String(env.GF_AUTH_ANONYMOUS_ENABLED), /:-false\}$/);
  });
});
