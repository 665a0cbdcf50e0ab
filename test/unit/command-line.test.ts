import { strict as assert } from 'node:assert';
import {
  defineCommand,
  helpText,
  isHelpRequest,
  parseCommandLine,
  UsageError,
} from '../../src/startup/command-line.js';

const command = defineCommand({
  usage: 'npm run demo --',
  summary: 'A command for the tests.',
  flags: {
    count: { kind: 'integer', min: 1, max: 9, default: 3, help: 'how many' },
    ratio: { kind: 'number', min: 0, max: 1, help: 'a share', shownDefault: 'default 0.5' },
    fast: { kind: 'switch', help: 'go fast' },
    env: {
      kind: 'text',
      multiple: true,
      pattern: /^[A-Z]+=/,
      expected: 'KEY=VALUE',
      help: 'a pair',
    },
  },
  notes: ['A closing note.'],
});

const rejects = (argv: string[], message: RegExp) =>
  assert.throws(
    () => parseCommandLine(command, argv),
    (error: unknown) =>
      error instanceof UsageError && message.test(error.message) && !error.message.includes('\n'),
  );

describe('the command-line helper every entry point uses', () => {
  it('reads flags, keeps defaults for the rest, and types them', () => {
    const values = parseCommandLine(command, [
      '--count',
      '5',
      '--fast',
      '--env',
      'A=1',
      '--env',
      'B=2',
    ]);
    assert.deepEqual(values, { count: 5, ratio: undefined, fast: true, env: ['A=1', 'B=2'] });
    assert.deepEqual(parseCommandLine(command, []), {
      count: 3,
      ratio: undefined,
      fast: false,
      env: [],
    });
  });

  it('rejects a bad value in one line naming the flag and what it expects', () => {
    rejects(['--count', 'many'], /^--count: expected an integer from 1 to 9, got "many"$/);
    rejects(['--count', '2.5'], /^--count: expected an integer/);
    rejects(['--count', ''], /^--count: expected an integer/);
    rejects(['--ratio', '2'], /^--ratio: expected a number from 0 to 1, got "2"$/);
    rejects(['--env', 'lower=1'], /^--env: expected KEY=VALUE, got "lower=1"$/);
  });

  it('rejects an unknown flag, a missing value, a value for a switch and a stray argument', () => {
    rejects(
      ['--speed', '2'],
      /^Unknown option '--speed' \(npm run demo -- --help lists the options\)$/,
    );
    rejects(['--count'], /^--count: expected a value/);
    rejects(['--fast=yes'], /^--fast: takes no value/);
    rejects(['extra'], /^Unexpected argument 'extra'/);
  });

  it('writes --help with every flag, its range and its default', () => {
    assert.equal(isHelpRequest(['--count', '2', '--help']), true);
    assert.equal(isHelpRequest(['-h']), true);
    assert.equal(isHelpRequest(['--count', '2']), false);
    const text = helpText(command);
    assert.match(text, /^Usage: npm run demo -- \[options\]\n\nA command for the tests\.\n/);
    assert.match(text, /^ {2}--count N {2,}how many \(1 to 9, default 3\)$/m);
    assert.match(text, /^ {2}--ratio N {2,}a share \(0 to 1, default 0\.5\)$/m);
    assert.match(text, /^ {2}--fast {2,}go fast$/m);
    assert.match(text, /^ {2}--help {2,}shows this help and exits$/m);
    assert.match(text, /A closing note\.\n$/);
  });
});
