import type { RedisClient } from '../redis/client.js';
import { AppError } from '../errors.js';
import type { RedisKeys } from '../redis/keys.js';
import type { ErasedUser, UserDataOwner } from '../erasure/user-data.js';

/** One `match.find` entry, as in the sprint document (all fields are strings on the wire). */
export interface MatchFindEntry {
  request_id: string;
  user_id: number;
  /** Comma-separated topic ids, informative: the matcher reads the current ones from PostgreSQL. */
  topics: readonly number[];
  tz: string;
  /** Epoch ms of the original request; a requeued search keeps it. */
  requested_at: number;
}

// XADD with back-pressure: refuse instead of letting MAXLEN trim entries nobody has read.
// The janitor trims acknowledged entries by MINID, so XLEN stays near the real backlog.
const ADD_SCRIPT = `
if redis.call('XLEN', KEYS[1]) >= tonumber(ARGV[1]) then
  return false
end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 3))
`;

export interface MatchProducerDeps {
  redis: RedisClient;
  keys: RedisKeys;
  /** The stream's cap (MAXLEN ~); new entries are refused at 90% of it. */
  maxLen: number;
}

export interface MatchProducer extends UserDataOwner {
  /**
   * Appends an entry to match.find and returns its stream id.
   * @throws AppError unavailable when the stream backlog is at its cap.
   */
  enqueue(entry: MatchFindEntry): Promise<string>;
  /** Deletes the erased user's entries from match.find, read or not. */
  forgetUser(user: ErasedUser): Promise<void>;
}

const PAGE = 1000;

export function createMatchProducer(deps: MatchProducerDeps): MatchProducer {
  deps.redis.defineCommand('teteMatchAdd', { numberOfKeys: 1, lua: ADD_SCRIPT });
  const refuseAt = Math.floor(deps.maxLen * 0.9);
  return {
    async enqueue(entry) {
      const id = await (
        deps.redis as RedisClient & {
          teteMatchAdd(key: string, ...args: (string | number)[]): Promise<string | null>;
        }
      ).teteMatchAdd(
        deps.keys.matchFind,
        refuseAt,
        deps.maxLen,
        'request_id',
        entry.request_id,
        'user_id',
        String(entry.user_id),
        'topics',
        entry.topics.join(','),
        'tz',
        entry.tz,
        'requested_at',
        String(entry.requested_at),
      );
      if (!id) throw new AppError('unavailable', 'the matching queue is full; try again shortly');
      return id;
    },

    async forgetUser(user) {
      const { redis, keys } = deps;
      let start = '-';
      for (;;) {
        const page = (await redis.xrange(keys.matchFind, start, '+', 'COUNT', PAGE)) as [
          string,
          string[],
        ][];
        const mine = page
          .filter(([, fields]) => fields[fields.indexOf('user_id') + 1] === String(user.id))
          .map(([id]) => id);
        if (mine.length) await redis.xdel(keys.matchFind, ...mine);
        if (page.length < PAGE) return;
        start = `(${page.at(-1)![0]}`;
      }
    },
  };
}
