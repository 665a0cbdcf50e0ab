import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, rm } from 'node:fs/promises';
import {
  prepareServices,
  TEST_DB_URL,
  TEST_REDIS_PREFIX,
  TEST_REDIS_ENV,
} from '../helpers/services.js';

const CLEAR = '\r\u001b[2K';
const PROGRESS = /^\[\d\d:\d\d\] [^\r\n]*\| proposals /;

const env = (prefix: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  DATABASE_URL: TEST_DB_URL,
  ...TEST_REDIS_ENV,
  REDIS_PREFIX: `${TEST_REDIS_PREFIX}${prefix}`,
  HOST: '127.0.0.1',
  PORT: '0',
  STARTUP_TIMEOUT_SECONDS: '10',
  ...extra,
});

function collect(child: ChildProcess) {
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const until = async (done: (output: string) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done(text)) {
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`gave up waiting (exit ${child.exitCode}); output:\n${text}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return { output: () => text, exited, until };
}

describe('the console is for people', function () {
  this.timeout(240_000);
  before(() => prepareServices());

  it('in a terminal the sandbox prints human lines, never glued to the progress line, and Ctrl-C exits 0', async () => {
    // `script` gives the process a real terminal; a Ctrl-C typed into it reaches node as it
    // would from a person's keyboard.
    const command = `exec ${process.execPath} --conditions=tete-source --import tsx src/main.ts --users 6 --rate 1`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: env('tty:', { LOG_LEVEL: 'info', TERM: 'xterm' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const run = collect(child);
    const progressDrawn = (raw: string) => raw.split(CLEAR).filter((part) => PROGRESS.test(part));
    await run.until((raw) => progressDrawn(raw).length >= 2, 60_000);
    child.stdin.write('\u0003');
    const [code] = await run.exited;
    const raw = run.output();
    assert.equal(code, 0, raw);

    const lines = raw
      .split(CLEAR)
      .flatMap((part) => part.split(/\r?\n/))
      .filter((line) => line.trim());
    assert.match(lines[0] ?? '', /^tete sandbox: 6 simulated users/);
    assert.deepEqual(
      lines.filter((line) => line.trimStart().startsWith('{')),
      [],
      'a JSON log line on the console',
    );
    // Every drawing of the progress line is followed by nothing but the next clear (or the
    // terminal's own echo of the Ctrl-C): no other text is ever written after it.
    for (const segment of progressDrawn(raw)) {
      assert.match(
        segment,
        /^\[\d\d:\d\d\] [^\r\n]*(\^C)?$/,
        `glued to the progress line: ${segment}`,
      );
    }
    assert.match(raw, /Stopping the sandbox…\r\n[\s\S]*Final acceptance figures:/);
    const logFile = /logs: (\S+\.log)/.exec(raw)?.[1];
    assert.ok(logFile, 'the console does not say where the logs are');
    const log = await readFile(logFile, 'utf8');
    await rm(logFile);
    assert.match(log, /"msg":"shutting down"/);
    assert.match(log, /"msg":"stopped"/);
  });

  it('npm start exits 0 on Ctrl-C through npm', async () => {
    // In its own process group, as in a terminal, where Ctrl-C signals npm and node together.
    const child = spawn('npm', ['start'], {
      env: env('npm:', { SANDBOX: 'off', LOG_LEVEL: 'info' }),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const run = collect(child);
    await run.until((raw) => raw.includes('"msg":"tete started"'), 200_000);
    process.kill(-child.pid!, 'SIGINT');
    const [code, signal] = await run.exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, run.output());
    assert.match(run.output(), /"msg":"stopped"/);
  });
});
