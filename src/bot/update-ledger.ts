import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/client.js';
import type { RedisKeys } from '../redis/keys.js';

/** Telegram retries an unanswered update for about a day; remember handled ids that long. */
const DONE_SECONDS = 86_400;
const DONE = 'done';

// Claims an update for this process unless it is done or claimed; returns what is there.
const CLAIM_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false`;
// Extends or gives up this process's claim, never another's.
const RENEW_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

type LedgerRedis = RedisClient & {
  teteUpdateClaim(key: string, owner: string, leaseMs: number): Promise<string | null>;
  teteUpdateRenew(key: string, owner: string, leaseMs: number): Promise<number>;
  teteUpdateRelease(key: string, owner: string): Promise<number>;
};

export type LedgerOutcome = 'handled' | 'duplicate' | 'in_flight';

export interface UpdateLedger {
  /**
   * Runs `handle` for an update unless it was handled before (`duplicate`) or another process
   * is handling it now (`in_flight`). The update is marked done only once `handle` resolved;
   * if it throws, the claim is released (or marked done when `isFinal` says retrying is
   * pointless) and the error rethrown. A process that dies mid-way leaves a claim that runs
   * out after the lease, so Telegram's retry is then handled.
   */
  run(
    updateId: number,
    handle: () => Promise<void>,
    isFinal: (error: unknown) => boolean,
  ): Promise<LedgerOutcome>;
  /** Marks an update done without handling it; true the first time. */
  markDone(updateId: number): Promise<boolean>;
}

export interface UpdateLedgerDeps {
  redis: RedisClient;
  keys: RedisKeys;
  /** How long a claim holds without renewal; it is renewed while the handler runs. */
  leaseMs: number;
  onLeaseLost?: (updateId: number) => void;
}

export function createUpdateLedger(deps: UpdateLedgerDeps): UpdateLedger {
  const redis = deps.redis as LedgerRedis;
  redis.defineCommand('teteUpdateClaim', { numberOfKeys: 1, lua: CLAIM_SCRIPT });
  redis.defineCommand('teteUpdateRenew', { numberOfKeys: 1, lua: RENEW_SCRIPT });
  redis.defineCommand('teteUpdateRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
  const { leaseMs } = deps;
  const markDone = (key: string) => redis.set(key, DONE, 'EX', DONE_SECONDS);

  return {
    async run(updateId, handle, isFinal) {
      const key = deps.keys.telegramUpdate(updateId);
      const owner = `lease:${randomUUID()}`;
      const current = await redis.teteUpdateClaim(key, owner, leaseMs);
      if (current === DONE) return 'duplicate';
      if (current !== null) return 'in_flight';
      const renewal = setInterval(() => {
        redis.teteUpdateRenew(key, owner, leaseMs).then(
          (renewed) => renewed || deps.onLeaseLost?.(updateId),
          () => undefined, // Redis is away: the claim may run out, and a retry handles it.
        );
      }, leaseMs / 3);
      try {
        await handle();
      } catch (error) {
        if (isFinal(error)) await markDone(key);
        else await redis.teteUpdateRelease(key, owner).catch(() => undefined);
        throw error;
      } finally {
        clearInterval(renewal);
      }
      await markDone(key);
      return 'handled';
    },
    async markDone(updateId) {
      const key = deps.keys.telegramUpdate(updateId);
      return (await redis.set(key, DONE, 'EX', DONE_SECONDS, 'NX')) === 'OK';
    },
  };
}
