import { strict as assert } from 'node:assert';
import { createSandboxConsole } from '../../sandbox/sandbox-console.js';

const CLEAR = '\r\u001b[2K';

function terminal(isTTY: boolean, columns?: number) {
  const written: string[] = [];
  return { out: { isTTY, columns, write: (text: string) => written.push(text) }, written };
}

describe('the sandbox console', () => {
  it('on a terminal clears the progress line before any other line and draws it again after', () => {
    const { out, written } = terminal(true);
    const console = createSandboxConsole(out);
    console.line('header');
    console.progress('[00:01] finds 0 | proposals 0', 1);
    console.line('shutting down');
    console.end();
    console.line('final figures');
    assert.deepEqual(written, [
      'header\n',
      `${CLEAR}[00:01] finds 0 | proposals 0`,
      `${CLEAR}shutting down\n[00:01] finds 0 | proposals 0`,
      CLEAR,
      'final figures\n',
    ]);
  });

  it('cuts the progress line to the terminal width, so it never wraps', () => {
    const { out, written } = terminal(true, 20);
    createSandboxConsole(out).progress('[00:01] onboarding 3/300 | finds 0', 1);
    const drawn = written[0]!.slice(CLEAR.length);
    assert.ok([...drawn].length < 20, drawn);
    assert.ok(drawn.endsWith('…'));
  });

  it('off a terminal writes whole lines: the first progress, then one every ten seconds', () => {
    const { out, written } = terminal(false);
    const console = createSandboxConsole(out);
    for (let second = 1; second <= 21; second += 1) console.progress(`p${second}`, second);
    console.line('done');
    assert.deepEqual(written, ['p1\n', 'p11\n', 'p21\n', 'done\n']);
  });
});
