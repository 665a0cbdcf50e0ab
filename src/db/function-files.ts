import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationError, sha256 } from './migration-files.js';

const FILE_PATTERN = /^([a-z][a-z0-9_]*)\.sql$/;
const DEFINITION = /\bCREATE\s+(OR\s+REPLACE\s+)?FUNCTION\s+([a-z_][a-z0-9_]*)\s*\(/gi;

/** One file of src/db/functions: the definition of the function it is named after. */
export interface SqlFunction {
  name: string;
  sql: string;
  checksum: string;
  /** The other functions of the folder that this one calls. */
  calls: string[];
}

/**
 * The function files of `dir` in the order they are applied: each after the files of the
 * functions it calls (PostgreSQL checks a LANGUAGE sql body against the functions it names
 * when it is created), otherwise by name. A call is the name followed by "(" outside comments.
 * @throws MigrationError for a misnamed file, a file that does not define exactly its own
 * function with CREATE OR REPLACE, or files that call each other in a circle.
 */
export async function readFunctions(dir: string): Promise<SqlFunction[]> {
  const names = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const files: { name: string; sql: string; code: string }[] = [];
  for (const file of names) {
    const name = FILE_PATTERN.exec(file)?.[1];
    if (!name) throw new MigrationError(`function file ${file} must be named function_name.sql`);
    const sql = await readFile(join(dir, file), 'utf8');
    const code = withoutComments(sql);
    checkDefinition(name, code);
    files.push({ name, sql, code });
  }
  return dependencyOrder(
    files.map(({ name, sql, code }) => ({
      name,
      sql,
      checksum: sha256(sql),
      calls: files
        .map((other) => other.name)
        .filter((other) => other !== name && new RegExp(`\\b${other}\\s*\\(`).test(code)),
    })),
  );
}

/**
 * The files to apply, in order: new or changed ones, and every file that calls one of
 * those, so that a caller is checked again against what it calls.
 */
export function functionsToApply(
  ordered: readonly SqlFunction[],
  recorded: ReadonlyMap<string, string>,
): SqlFunction[] {
  const applying = new Set<string>();
  return ordered.filter((fn) => {
    const apply =
      recorded.get(fn.name) !== fn.checksum || fn.calls.some((name) => applying.has(name));
    if (apply) applying.add(fn.name);
    return apply;
  });
}

function withoutComments(sql: string): string {
  return sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, '');
}

function checkDefinition(name: string, code: string): void {
  const definitions = [...code.matchAll(DEFINITION)];
  const [only] = definitions;
  if (definitions.length !== 1 || !only?.[1] || only[2]?.toLowerCase() !== name) {
    throw new MigrationError(
      `function file ${name}.sql must define one function, ${name}, with CREATE OR REPLACE FUNCTION`,
    );
  }
}

function dependencyOrder(functions: SqlFunction[]): SqlFunction[] {
  const ordered: SqlFunction[] = [];
  const placed = new Set<string>();
  let pending = functions;
  while (pending.length) {
    const ready = pending.filter((fn) => fn.calls.every((name) => placed.has(name)));
    if (!ready.length) {
      const files = pending.map((fn) => `${fn.name}.sql`).join(', ');
      throw new MigrationError(`function files call each other in a circle: ${files}`);
    }
    for (const fn of ready) {
      ordered.push(fn);
      placed.add(fn.name);
    }
    pending = pending.filter((fn) => !placed.has(fn.name));
  }
  return ordered;
}
