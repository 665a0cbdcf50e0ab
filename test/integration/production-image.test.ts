import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve('.');
const RIG = ['packages', 'sandbox', 'sim-kit', 'bench', 'test', 'scripts'];

/** The build stage's `COPY <source...> <dest>` sources and its `RUN` lines, from the Dockerfile. */
async function buildStage(): Promise<{ copied: string[]; runs: string[] }> {
  const text = await readFile('Dockerfile', 'utf8');
  const stage = text.split(/^FROM /m)[1] ?? '';
  const lines = stage.split('\n').map((line) => line.trim());
  const copied = lines
    .filter((line) => line.startsWith('COPY ') && !line.includes('--from'))
    .flatMap((line) => line.split(/\s+/).slice(1, -1));
  return { copied, runs: lines.filter((line) => line.startsWith('RUN ')) };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/**
 * node_modules as `npm ci --workspaces=false` leaves it: every installed package, but not the
 * workspace links (the Bot API emulator), so a product file that imported it would not build.
 */
async function modulesWithoutWorkspaces(into: string): Promise<void> {
  await mkdir(join(into, 'node_modules'));
  for (const name of await readdir(join(ROOT, 'node_modules'))) {
    if (name === '@tete') continue;
    await symlink(join(ROOT, 'node_modules', name), join(into, 'node_modules', name));
  }
}

describe('the production image carries the product only', function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tete-image-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('no product file imports the emulator or the sandbox; main.ts loads the sandbox only to run it', async () => {
    const product = [
      ...(await filesUnder('src')).map((file) => `src/${file}`),
      ...(await filesUnder('machines')).map((file) => `machines/${file}`),
    ].filter((file) => file.endsWith('.ts'));
    const entryNamedIn: string[] = [];
    for (const file of product) {
      const text = await readFile(file, 'utf8');
      const specifiers = [...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'/g)].map(
        (match) => match[1] ?? match[2] ?? '',
      );
      for (const specifier of specifiers) {
        assert.ok(!specifier.startsWith('@tete/'), `${file} imports ${specifier}`);
        const target = relative(ROOT, resolve(file, '..', specifier));
        assert.ok(!RIG.some((rig) => target.startsWith(`${rig}/`)), `${file} imports ${specifier}`);
      }
      if (text.includes('sandbox-entry')) entryNamedIn.push(file);
    }
    assert.deepEqual(entryNamedIn, ['src/startup/sandbox-loader.ts']);
  });

  it('copies and installs no rig: no emulator workspace, sandbox, kit, bench or tests', async () => {
    const { copied, runs } = await buildStage();
    for (const source of copied) {
      assert.ok(!RIG.some((rig) => source === rig || source.startsWith(`${rig}/`)), source);
    }
    assert.deepEqual(runs, [
      'RUN npm ci --workspaces=false',
      'RUN npm run build && npm prune --omit=dev --workspaces=false',
    ]);
  });

  it('builds from only what the Dockerfile copies, and the output has no rig file', async () => {
    const { copied } = await buildStage();
    for (const source of copied) await cp(source, join(dir, source), { recursive: true });
    await modulesWithoutWorkspaces(dir);
    const scripts = (
      JSON.parse(await readFile('package.json', 'utf8')) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    const [tool, ...args] = (scripts.build ?? '').split(' ');
    assert.equal(tool, 'tsc', 'npm run build is expected to be a plain tsc');
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), ...args], {
      cwd: dir,
    });
    const built = await filesUnder(join(dir, 'dist'));
    assert.ok(built.includes('src/main.js'), 'dist/src/main.js was not built');
    const rig = built.filter((file) => RIG.some((name) => file.startsWith(`${name}/`)));
    assert.deepEqual(rig, []);
    assert.deepEqual(
      built.filter((file) => /emulator|sandbox-(entry|runner)|crowd/.test(file)),
      [],
    );
  });

  it('without BOT_TOKEN says the sandbox is not in the image and what to set, then exits 1', async () => {
    const started = Date.now();
    const failed = await run(process.execPath, ['dist/src/main.js'], {
      cwd: dir,
      // No database or Redis is reachable here: the message must come before any connection.
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none',
        REDIS_URL: 'redis://127.0.0.1:1',
      },
    }).then(
      () => assert.fail('main.js exited 0 without BOT_TOKEN'),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    assert.equal(failed.code, 1);
    const said = `${failed.stdout}${failed.stderr}`.trim();
    assert.match(said, /does not include the sandbox/);
    assert.match(said, /Set BOT_TOKEN/);
    assert.match(said, /SANDBOX=off/);
    assert.equal(said.split('\n').length, 1, `expected one line, got:\n${said}`);
    assert.ok(Date.now() - started < 10_000, 'it waited for services it does not need');
  });

  it('--help works there too and says the sandbox is not included', async () => {
    const { stdout } = await run(process.execPath, ['dist/src/main.js', '--help'], { cwd: dir });
    assert.match(stdout, /^Usage: npm start -- \[options\]/);
    assert.match(stdout, /This build does not include the sandbox/);
  });
});
