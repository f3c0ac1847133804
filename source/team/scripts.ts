// The few changes that must be atomic in Redis, as Lua scripts: a cooldown staggered against the
// whole pool's deadlines (two instances cooling two accounts in the same millisecond must not
// wake them together), ending one cooldown only, a pair replacing only an older one, a lease
// released only by its holder, and the heartbeat on Redis's own clock (instances' clocks differ).
import {createHash} from 'node:crypto';
import type {ChainableCommander, Redis} from 'ioredis';

export type Script = {lua: string; sha: string; keys: number};

function script(keys: number, lua: string): Script {
	return {lua, sha: createHash('sha1').update(lua).digest('hex'), keys};
}

/**
 * KEYS: the account's cooldown key, the deadlines set. ARGV: account, deadline, reason, staggered
 * (1/0), now, stagger ms, latest allowed deadline, channel, sender id, sender name.
 * Never shortens a cooldown; staggers against every other live deadline; publishes the deadline in
 * force. Returns {deadline in force, 1 when it changed}.
 */
export const setCooldown = script(2, `
local now = tonumber(ARGV[5])
local deadline = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local current = redis.call('ZSCORE', KEYS[2], ARGV[1])
current = current and tonumber(current) or 0
if current >= deadline then return {current, 0} end
if ARGV[4] == '1' then
  local others = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. now, '+inf', 'WITHSCORES')
  local gap = tonumber(ARGV[6])
  local moved = true
  local rounds = 0
  while moved and rounds < 1000 do
    moved = false
    rounds = rounds + 1
    for i = 1, #others, 2 do
      if others[i] ~= ARGV[1] then
        local other = tonumber(others[i + 1])
        if math.abs(other - deadline) < gap then
          deadline = other + gap
          moved = true
        end
      end
    end
  end
  deadline = math.min(deadline, tonumber(ARGV[7]))
  if current >= deadline then return {current, 0} end
end
redis.call('SET', KEYS[1], cjson.encode({untilMs = deadline, reason = ARGV[3]}), 'PX', math.max(1, deadline - now))
redis.call('ZADD', KEYS[2], deadline, ARGV[1])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIRE', KEYS[2], math.max(1, tonumber(last[2]) - now))
redis.call('PUBLISH', ARGV[8], cjson.encode({v = 1, from = ARGV[9], name = ARGV[10], facts = {{type = 'cooldown', account = ARGV[1], untilMs = deadline, reason = ARGV[3], staggered = false}}}))
return {deadline, 1}
`);

/** KEYS: cooldown key, deadlines set. ARGV: account, the deadline that ended. Removes it unless a later one replaced it. */
export const clearCooldown = script(2, `
local current = redis.call('ZSCORE', KEYS[2], ARGV[1])
if current and tonumber(current) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`);

/**
 * KEYS: the account's token key. ARGV: sealed pair (JSON), its expiry, ttl ms, channel, message.
 * Stores and announces the pair only when it expires later than the stored one. Returns 1 if stored.
 */
export const offerPair = script(1, `
local current = redis.call('GET', KEYS[1])
if current then
  local ok, doc = pcall(cjson.decode, current)
  if ok and type(doc) == 'table' and tonumber(doc.expiresAt) and tonumber(doc.expiresAt) >= tonumber(ARGV[2]) then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`);

/** KEYS: lease. ARGV: holder, ttl ms. Takes a free lease; true as well when this holder has it already. */
export const claimLease = script(1, `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/** KEYS: lease. ARGV: holder. Releases it only for its holder. */
export const releaseLease = script(1, `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * KEYS: instances set, this instance's presence key. ARGV: id, presence JSON, ttl ms.
 * Renews this instance, forgets those silent for ttl (on the server's clock), returns the live ids.
 */
export const heartbeat = script(2, `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ttl)
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
return redis.call('ZRANGE', KEYS[1], 0, -1)
`);

/** Runs a script by its hash, loading it first when Redis does not know it (a restarted Redis forgets them). */
export async function run(client: Redis, which: Script, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
	try {
		return await client.evalsha(which.sha, which.keys, ...keys, ...args);
	} catch (error) {
		if (!(error as Error).message.startsWith('NOSCRIPT')) {
			throw error;
		}

		return client.eval(which.lua, which.keys, ...keys, ...args);
	}
}

/** Queues a script on a pipeline with EVAL (the script travels along: a pipeline cannot retry a NOSCRIPT). */
export function queue(pipeline: ChainableCommander, which: Script, keys: readonly string[], args: ReadonlyArray<string | number>): void {
	pipeline.eval(which.lua, which.keys, ...keys, ...args);
}
