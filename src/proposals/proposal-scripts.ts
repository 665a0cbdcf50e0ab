/** The Lua scripts of the proposal store (proposal-store.ts), each with what it takes. */

export const FIXED_FIELDS = 3; // v, rev, snap; every other field is a pending effect "fx:<id>"

// Compare-and-set on rev. ARGV: expectedRev ('' = must not exist), newRev, version,
// snapshot, ttlSeconds, then field/value pairs of new pending effects.
export const SAVE_SCRIPT = `
local current = redis.call('HGET', KEYS[1], 'rev')
if ARGV[1] == '' then
  if current then return 0 end
elseif not current then
  return -1
elseif current ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'v', ARGV[3], 'snap', ARGV[4], unpack(ARGV, 6))
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
`;

// Drops finished effects (possibly none); returns how many are still pending.
export const COMPLETE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if #ARGV > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV)) end
return redis.call('HLEN', KEYS[1]) - ${FIXED_FIELDS}
`;

// COMPLETE_SCRIPT, then (ARGV[1] = the index registration's member, ARGV[2] = its token, ''
// when there is none) the UNINDEX_SCRIPT's conditional removal once nothing is pending; the
// finished effects' fields follow from ARGV[3]. KEYS[1] is the record, KEYS[2] the index:
// two slots, so only for a single Redis.
export const COMPLETE_AND_UNINDEX_SCRIPT = `
local left = 0
if redis.call('EXISTS', KEYS[1]) == 1 then
  if #ARGV > 2 then redis.call('HDEL', KEYS[1], unpack(ARGV, 3)) end
  left = redis.call('HLEN', KEYS[1]) - ${FIXED_FIELDS}
end
if left <= 0 and ARGV[2] ~= '' and redis.call('ZSCORE', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return left
`;

// Deletes the record only if it is still at the revision the caller read (a missing or
// unreadable rev counts as 0), so ending a bad record never deletes a newer good one.
export const REMOVE_SCRIPT = `
if (tonumber(redis.call('HGET', KEYS[1], 'rev')) or 0) == tonumber(ARGV[1]) then
  return redis.call('UNLINK', KEYS[1])
end
return 0
`;

// Unregisters a proposal from the pending-effects index only if nobody re-registered it
// since (a newer registration has a different score).
export const UNINDEX_SCRIPT = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) == ARGV[2] then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
`;
