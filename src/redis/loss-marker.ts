import type { RedisClient } from './client.js';
import type { RedisKeys } from './keys.js';

export interface LossMarkerDeps {
  redis: RedisClient;
  keys: RedisKeys;
}

/**
 * Tells whether Redis lost its data since the last look: a key written once and never
 * expired disappears only when Redis loses everything (a restart without persistence, a
 * FLUSHALL, a failover to an empty replica), and every key of the service goes with it.
 */
export function createLossMarker(deps: LossMarkerDeps) {
  const { redis, keys } = deps;
  return {
    /**
     * True when the marker was missing: Redis lost its data, or this is the first look ever.
     * Puts the marker back in the same step, so of several processes only one is told.
     */
    async takeLoss(): Promise<boolean> {
      return (await redis.set(keys.lossMarker, String(Date.now()), 'NX')) === 'OK';
    },
    /** Removes the marker again, so the next look reports the loss once more (a failed repair). */
    async restore(): Promise<void> {
      await redis.del(keys.lossMarker);
    },
  };
}

export type LossMarker = ReturnType<typeof createLossMarker>;
