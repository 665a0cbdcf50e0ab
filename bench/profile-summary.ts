import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Native frames that write to a socket: their cost is charged to whoever called them. */
const SOCKET_WRITES = new Set(['writev', 'writeUtf8String', 'writeBuffer']);

const groupOf = (frame: ProfileNode['callFrame']): string => {
  const url = frame.url.replace(/^file:\/\//, '');
  return (
    /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
    (url.includes('/dist/')
      ? url.replace(/.*\/dist\//, '')
      : url || `(${frame.functionName || 'native'})`)
  );
};

/**
 * The package or project function that issued each socket write: the first frame above the
 * native write that belongs to one. Socket writes were the largest self time in every service
 * process, and a self-time table cannot say whether PostgreSQL, Redis or HTTP made them.
 */
function socketWriters(profile: CpuProfile, self: Map<number, number>): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  const writers = new Map<string, number>();
  for (const [id, micros] of self) {
    const frame = byId.get(id)!.callFrame;
    if (!SOCKET_WRITES.has(frame.functionName)) continue;
    let up = parentOf.get(id);
    // Node's own stream frames sit in between; the caller is the first frame with a file.
    while (up !== undefined && /^(node:|$)/.test(byId.get(up)!.callFrame.url)) {
      up = parentOf.get(up);
    }
    const caller = up === undefined ? undefined : byId.get(up)!.callFrame;
    const name = `${frame.functionName} from ${caller ? `${caller.functionName || '(anonymous)'} ${groupOf(caller)}` : '(unknown)'}`;
    writers.set(name, (writers.get(name) ?? 0) + micros);
  }
  return writers;
}

/**
 * `tsx bench/profile-summary.ts [dir]`: self time of each .cpuprofile in `dir` (written by
 * `npm run bench -- --cpu-prof`), grouped by package or project file, the top functions, and
 * who made the socket writes.
 */
async function main(): Promise<void> {
  const dir = process.argv[2] ?? 'bench/.tmp/profiles';
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const self = new Map<number, number>();
    profile.samples.forEach((id, i) =>
      self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
    );
    const total = [...self.values()].reduce((a, b) => a + b, 0);
    const groups = new Map<string, number>();
    const functions = new Map<string, number>();
    for (const [id, micros] of self) {
      const frame = byId.get(id)!.callFrame;
      const group = groupOf(frame);
      groups.set(group, (groups.get(group) ?? 0) + micros);
      const name = `${frame.functionName || '(anonymous)'} ${group}:${frame.lineNumber + 1}`;
      functions.set(name, (functions.get(name) ?? 0) + micros);
    }
    const top = (map: Map<string, number>, n: number) =>
      [...map.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([name, micros]) => `  ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`)
        .join('\n');
    console.log(
      `${file}: ${(total / 1e6).toFixed(1)} s sampled\n${top(groups, 18)}\n top functions:\n${top(functions, 25)}\n socket writes by caller:\n${top(socketWriters(profile, self), 8)}\n`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
