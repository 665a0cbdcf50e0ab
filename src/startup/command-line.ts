import { parseArgs } from 'node:util';

/** One flag of a command-line entry point; `help` is its line in `--help`. */
export type FlagSpec =
  | {
      kind: 'integer' | 'number';
      min: number;
      max: number;
      default?: number;
      /** The default as `--help` tells it, when it is not one number. */
      shownDefault?: string;
      /** What the value is called in `--help`, e.g. `N` or `SECONDS`. */
      value?: string;
      help: string;
    }
  | { kind: 'switch'; help: string }
  | {
      kind: 'text';
      default?: string;
      value?: string;
      /** May be given more than once; the values arrive as a list. */
      multiple?: boolean;
      /** A value must match `pattern`; `expected` says how, for the error line. */
      pattern?: RegExp;
      expected?: string;
      help: string;
    };

export interface CommandSpec<F extends Record<string, FlagSpec>> {
  /** How the command is run, e.g. `npm run sandbox --`. */
  usage: string;
  /** What the command does, a line or two. */
  summary: string;
  flags: F;
  /** Closing lines of `--help`: environment variables, examples. */
  notes?: readonly string[];
}

type ValueOf<S extends FlagSpec> = S extends { kind: 'switch' }
  ? boolean
  : S extends { kind: 'integer' | 'number'; default: number }
    ? number
    : S extends { kind: 'integer' | 'number' }
      ? number | undefined
      : S extends { multiple: true }
        ? string[]
        : S extends { default: string }
          ? string
          : string | undefined;

export type FlagValues<F extends Record<string, FlagSpec>> = { [K in keyof F]: ValueOf<F[K]> };

/** A bad flag or value: its message is the one line the person at the terminal sees. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Keeps the literal flag types, so the parsed values are typed per flag. */
export function defineCommand<const F extends Record<string, FlagSpec>>(
  spec: CommandSpec<F>,
): CommandSpec<F> {
  return spec;
}

export function isHelpRequest(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

const range = (spec: Extract<FlagSpec, { min: number }>) =>
  `${spec.kind === 'integer' ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max}`;

function checked(name: string, spec: FlagSpec, raw: string): number | string {
  if (spec.kind === 'integer' || spec.kind === 'number') {
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    const fits =
      Number.isFinite(value) &&
      value >= spec.min &&
      value <= spec.max &&
      (spec.kind === 'number' || Number.isInteger(value));
    if (!fits) throw new UsageError(`--${name}: expected ${range(spec)}, got "${raw}"`);
    return value;
  }
  if (spec.kind === 'text' && spec.pattern && !spec.pattern.test(raw)) {
    throw new UsageError(
      `--${name}: expected ${spec.expected ?? spec.pattern.source}, got "${raw}"`,
    );
  }
  return raw;
}

/** Node's parseArgs errors, reworded to name the flag in one line. */
function reworded(error: unknown, usage: string): UsageError {
  const message = (error as Error).message;
  const hint = `(${usage} --help lists the options)`;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return new UsageError(`Unknown option '${unknown[1]}' ${hint}`);
  const missing = /^Option '(--[\w-]+)[^']*' argument missing/.exec(message);
  if (missing) return new UsageError(`${missing[1]}: expected a value ${hint}`);
  const noValue = /^Option '(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return new UsageError(`${noValue[1]}: takes no value ${hint}`);
  const positional = /^Unexpected argument '([^']*)'/.exec(message);
  if (positional) return new UsageError(`Unexpected argument '${positional[1]}' ${hint}`);
  return new UsageError(`${message.split('\n')[0] ?? message} ${hint}`);
}

/**
 * Reads `argv` against `spec`: every flag is checked, unset ones take their defaults.
 * Pure: it prints nothing and never exits.
 * @throws UsageError naming the first bad flag or value.
 */
export function parseCommandLine<F extends Record<string, FlagSpec>>(
  spec: CommandSpec<F>,
  argv: readonly string[],
): FlagValues<F> {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] =
      flag.kind === 'switch'
        ? { type: 'boolean' }
        : { type: 'string', ...(flag.kind === 'text' && flag.multiple ? { multiple: true } : {}) };
  }
  let raw: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    raw = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw reworded(error, spec.usage);
  }
  const values: Record<string, unknown> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    const given = raw[name];
    if (flag.kind === 'switch') values[name] = given === true;
    else if (Array.isArray(given)) values[name] = given.map((one) => checked(name, flag, `${one}`));
    else if (typeof given === 'string') values[name] = checked(name, flag, given);
    else values[name] = flag.kind === 'text' && flag.multiple ? [] : flag.default;
  }
  return values as FlagValues<F>;
}

function flagLine(name: string, flag: FlagSpec): [string, string] {
  if (flag.kind === 'switch') return [`--${name}`, flag.help];
  const placeholder = flag.value ?? (flag.kind === 'text' ? 'TEXT' : 'N');
  const shown =
    flag.kind === 'text'
      ? flag.default === undefined
        ? undefined
        : `default ${flag.default === '' ? 'empty' : flag.default}`
      : (flag.shownDefault ?? (flag.default === undefined ? undefined : `default ${flag.default}`));
  const facts = [
    ...(flag.kind === 'text' ? [] : [`${flag.min} to ${flag.max}`]),
    ...(shown ? [shown] : []),
  ];
  return [
    `--${name} ${placeholder}`,
    `${flag.help}${facts.length ? ` (${facts.join(', ')})` : ''}`,
  ];
}

/** The `Options:` block of `--help`: one aligned line per flag, with its range and default. */
export function optionsText<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): string {
  const rows = [
    ...Object.entries(spec.flags).map(([name, flag]) => flagLine(name, flag)),
    ['--help', 'shows this help and exits'] as [string, string],
  ];
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return ['Options:', ...rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`)].join('\n');
}

/** The `--help` text: usage, summary, the options, notes. */
export function helpText<F extends Record<string, FlagSpec>>(spec: CommandSpec<F>): string {
  return [
    `Usage: ${spec.usage} [options]`,
    '',
    spec.summary,
    '',
    optionsText(spec),
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
    '',
  ].join('\n');
}

/**
 * The command line of an entry point: on `--help` prints the help and exits 0, so nothing
 * else runs; a bad flag throws UsageError, which `exitOnFailure` turns into exit code 2.
 */
export function readCommandLine<F extends Record<string, FlagSpec>>(
  spec: CommandSpec<F>,
  argv: readonly string[] = process.argv.slice(2),
): FlagValues<F> {
  if (isHelpRequest(argv)) {
    process.stdout.write(helpText(spec));
    process.exit(0);
  }
  return parseCommandLine(spec, argv);
}
