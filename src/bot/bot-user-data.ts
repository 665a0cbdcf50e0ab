import type { RedisClient } from '../redis/client.js';
import type { RedisKeys } from '../redis/keys.js';
import type { UserDataOwner } from '../erasure/user-data.js';
import { RATE_LIMIT_SCOPES } from './middlewares/rate-limit.js';

/** What the bot keeps about a Telegram user: a pending question and the rate-limit windows. */
export function createBotUserData(deps: { redis: RedisClient; keys: RedisKeys }): UserDataOwner {
  return {
    async forgetUser(user) {
      if (user.tgId === null) return;
      const { keys } = deps;
      const owned = [
        keys.conversation(user.tgId),
        ...RATE_LIMIT_SCOPES.map((scope) => keys.rateLimit(scope, user.tgId!)),
      ];
      // One command per key: on a cluster they lie in different slots.
      await Promise.all(owned.map((key) => deps.redis.unlink(key)));
    },
  };
}
