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

/**
 * `tsx bench/profile-summary.ts [dir]`: self time of each .cpuprofile in `dir` (written by
 * `npm run bench -- --cpu-prof`), grouped by package or project file, and the top functions.
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
      const url = frame.url.replace(/^file:\/\//, '');
      const group =
        /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ??
        (url.includes('/dist/')
          ? url.replace(/.*\/dist\//, '')
          : url || `(${frame.functionName || 'native'})`);
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
      `${file}: ${(total / 1e6).toFixed(1)} s sampled\n${top(groups, 18)}\n top functions:\n${top(functions, 25)}\n`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
