import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/keys.js';
import type { UserDataOwner } from '../erasure/user-data.js';
import { RATE_LIMIT_SCOPES } from './middlewares/rate-limit.js';

/** What the bot keeps about a Telegram user: a pending question and the rate-limit windows. */
export function createBotUserData(deps: { redis: Redis; keys: RedisKeys }): UserDataOwner {
  return {
    async forgetUser(user) {
      if (user.tgId === null) return;
      const { keys } = deps;
      await deps.redis.unlink(
        keys.conversation(user.tgId),
        ...RATE_LIMIT_SCOPES.map((scope) => keys.rateLimit(scope, user.tgId!)),
      );
    },
  };
}
