/** What the load generator believes a simulated person is doing. */
export const UserState = {
  Idle: 0,
  Searching: 1,
  Proposed: 2,
  /** In a chat, or waiting for a proposal to expire: busy until a known time. */
  Resting: 3,
} as const;
export type UserState = (typeof UserState)[keyof typeof UserState];

/**
 * The generator's book of users: their states, a set of idle users to pick from in O(1),
 * and a coarse timer wheel (100 ms slots) for "do X at time T" without one setTimeout each.
 * Every state change bumps the user's generation, so a scheduled action that no longer
 * applies (a patience timer of a search that got a proposal) is dropped when it comes due.
 */
export function createUserStates(count: number, random: () => number) {
  const state = new Uint8Array(count);
  const generation = new Uint32Array(count);
  const idle = new Int32Array(count);
  const position = new Int32Array(count).fill(-1);
  let idleCount = 0;
  const wheel = new Map<number, [number, number, string][]>();
  const SLOT_MS = 100;

  function addIdle(user: number) {
    if (position[user] !== -1) return;
    position[user] = idleCount;
    idle[idleCount++] = user;
  }
  function removeIdle(user: number) {
    const at = position[user]!;
    if (at === -1) return;
    const last = idle[--idleCount]!;
    idle[at] = last;
    position[last] = at;
    position[user] = -1;
  }

  return {
    state,
    set(user: number, next: UserState): number {
      state[user] = next;
      generation[user] = generation[user]! + 1;
      if (next === UserState.Idle) addIdle(user);
      else removeIdle(user);
      return generation[user];
    },
    generation: (user: number) => generation[user]!,
    idleCount: () => idleCount,
    /** A random idle user, taken out of the idle set; -1 when nobody is idle. */
    takeIdle(): number {
      if (!idleCount) return -1;
      const user = idle[Math.floor(random() * idleCount)]!;
      removeIdle(user);
      return user;
    },
    schedule(at: number, user: number, action: string) {
      const slot = Math.ceil(at / SLOT_MS);
      let list = wheel.get(slot);
      if (!list) wheel.set(slot, (list = []));
      list.push([user, generation[user]!, action]);
    },
    /** Scheduled actions due by `now` whose user has not changed state since. */
    due(now: number): [number, string][] {
      const result: [number, string][] = [];
      const last = Math.floor(now / SLOT_MS);
      for (const [slot, list] of wheel) {
        if (slot > last) continue;
        wheel.delete(slot);
        for (const [user, gen, action] of list) {
          if (generation[user] === gen) result.push([user, action]);
        }
      }
      return result;
    },
    clearSchedule: () => wheel.clear(),
  };
}

export type UserStates = ReturnType<typeof createUserStates>;
