import { serversOf, type RedisClient } from '../../src/redis/client.js';

// SCAN and UNLINK inside one script run atomically on its server. (No shebang: an old-style
// script may touch keys of many slots, as long as the node serves them, and SCAN only
// returns those.)
const LOSE_SCRIPT = `
local cursor = '0'
local lost = 0
repeat
  local reply = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = reply[1]
  for _, key in ipairs(reply[2]) do lost = lost + redis.call('UNLINK', key) end
until cursor == '0'
return lost
`;

/**
 * Loses every key matching `pattern` at once on each Redis server, as a restart without
 * persistence does. A deletion spread over SCAN round trips leaves the running service time to
 * notice the loss half-way and repair it, and the rest of the deletion then takes some of what
 * the repair just wrote (a queued message's job hash, its place in the queue), a state no real
 * loss produces.
 */
export async function loseKeys(redis: RedisClient, pattern: string): Promise<number> {
  let lost = 0;
  for (const server of await serversOf(redis)) {
    lost += Number(await server.eval(LOSE_SCRIPT, 0, pattern));
  }
  return lost;
}
