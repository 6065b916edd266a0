// The fleet's shared incident state in Redis, one small record per fingerprint:
//   {prefix}inc:{fp}          hash: gen (the opening agent's incident id), owner + claim_until (who
//                             announces, until when), announced, count (fleet-wide), last_alert, resolved
//   {prefix}inc:{fp}:members  sorted set: every member that saw it (score: when it first did)
//   {prefix}inc:{fp}:open     sorted set: members that still have it open (score: last occurrence)
// Every change is one Lua script, so a decision and the state it reads are atomic; times come from
// Redis's own clock (TIME), so pods with skewed clocks still agree on when a claim expires. Every
// key is refreshed with an expiry on each write: an abandoned incident disappears by itself.
import type { Redis } from 'ioredis';
import type { FleetSighting } from '../types.js';
import type { FleetLink } from './fleet-link.js';

/** What an agent learns when it joins an incident it opened locally. */
export type JoinRole =
  /** This agent announces (first, the claim expired, or it is its own claim after a restart). */
  | 'claimed'
  /** Another member holds an unexpired claim: check again later (it may die before announcing). */
  | 'waiting'
  /** Already announced for the fleet: add occurrences only. */
  | 'announced';

/** What a waiting agent learns when it checks again. */
export type CheckRole = JoinRole | 'gone';

/** Count, member count and the first members (at most `MEMBERS_SHOWN`) to see it. */
export type FleetView = Omit<FleetSighting, 'shared'>;

/** Members named in a message; the rest are counted. */
export const MEMBERS_SHOWN = 50;

export interface IncidentBoard {
  join(fp: string, gen: string, delta: number): Promise<{ role: JoinRole; gen: string; count: number } | undefined>;
  check(fp: string, gen: string): Promise<CheckRole | undefined>;
  announced(fp: string, gen: string): Promise<boolean | undefined>;
  /** Adds occurrences seen since the last report (no-op once the fleet incident has ended). */
  occurrences(fp: string, delta: number): Promise<boolean | undefined>;
  /** May this agent post the re-alert? Once per cooldown for the whole fleet. */
  realert(fp: string, cooldownMs: number): Promise<{ post: boolean; view: FleetView | null } | undefined>;
  /** This agent's incident resolved; post the resolution when no member still has it open. */
  resolve(fp: string): Promise<{ post: boolean; view: FleetView | null } | undefined>;
  view(fp: string): Promise<FleetView | null | undefined>;
}

export interface IncidentBoardOptions {
  link: FleetLink;
  /** How long a claim holds before another member (or this one, restarted) takes over. */
  claimMs: number;
  /** A member whose last occurrence is older than this no longer holds the incident open (it resolved, or died). */
  staleMs: number;
  /** Expiry of an incident's keys, refreshed on every write. */
  ttlMs: number;
  /** How long a resolved incident's keys stay (a late repeat within it is counted, not re-announced). */
  resolvedTtlMs: number;
}

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;
const EXPIRE = `for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ttl) end`;
// The view: count, how many members, the first members by when they first saw it.
const VIEW = `local function view(limit)
  return {tonumber(redis.call('HGET', KEYS[1], 'count') or '0'), redis.call('ZCARD', KEYS[2]), redis.call('ZRANGE', KEYS[2], 0, limit - 1)}
end`;

// KEYS: hash, members, open. ARGV: member, gen, delta, claimMs, ttlMs.
const JOIN = `${NOW}
local member, gen, delta, claimMs, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'resolved') == '1' then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  redis.call('HSET', KEYS[1], 'gen', gen, 'owner', '', 'claim_until', 0, 'announced', 0, 'count', 0, 'last_alert', 0, 'resolved', 0)
end
local count = redis.call('HINCRBY', KEYS[1], 'count', delta)
redis.call('ZADD', KEYS[2], 'NX', now, member)
redis.call('ZADD', KEYS[3], now, member)
local role = 'announced'
if redis.call('HGET', KEYS[1], 'announced') == '0' then
  local owner = redis.call('HGET', KEYS[1], 'owner')
  if owner == '' or owner == member or tonumber(redis.call('HGET', KEYS[1], 'claim_until')) < now then
    redis.call('HSET', KEYS[1], 'owner', member, 'claim_until', now + claimMs)
    role = 'claimed'
  else
    role = 'waiting'
  end
end
${EXPIRE}
return {role, redis.call('HGET', KEYS[1], 'gen'), count}`;

// KEYS: hash. ARGV: member, gen, claimMs.
const CHECK = `${NOW}
local member, gen, claimMs = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('HGET', KEYS[1], 'gen') ~= gen or redis.call('HGET', KEYS[1], 'resolved') == '1' then return 'gone' end
if redis.call('HGET', KEYS[1], 'announced') == '1' then return 'announced' end
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner == '' or owner == member or tonumber(redis.call('HGET', KEYS[1], 'claim_until')) < now then
  redis.call('HSET', KEYS[1], 'owner', member, 'claim_until', now + claimMs)
  return 'claimed'
end
return 'waiting'`;

// KEYS: hash. ARGV: member, gen.
const ANNOUNCED = `${NOW}
if redis.call('HGET', KEYS[1], 'gen') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'announced', 1, 'owner', ARGV[1], 'last_alert', now)
return 1`;

// KEYS: hash, members, open. ARGV: member, delta, ttlMs.
const OCCURRENCES = `${NOW}
local member, delta, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HGET', KEYS[1], 'resolved') == '1' then return 0 end
redis.call('HINCRBY', KEYS[1], 'count', delta)
redis.call('ZADD', KEYS[2], 'NX', now, member)
redis.call('ZADD', KEYS[3], now, member)
${EXPIRE}
return 1`;

// KEYS: hash, members. ARGV: cooldownMs, limit.
const REALERT = `${NOW}
${VIEW}
if redis.call('HGET', KEYS[1], 'announced') ~= '1' or redis.call('HGET', KEYS[1], 'resolved') == '1' then return {0} end
if now - tonumber(redis.call('HGET', KEYS[1], 'last_alert')) < tonumber(ARGV[1]) then return {0} end
redis.call('HSET', KEYS[1], 'last_alert', now)
local v = view(tonumber(ARGV[2]))
return {1, v[1], v[2], v[3]}`;

// KEYS: hash, members, open. ARGV: member, staleMs, limit, resolvedTtlMs.
const RESOLVE = `${NOW}
${VIEW}
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if redis.call('HGET', KEYS[1], 'resolved') == '1' then return {0} end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[3]) > 0 then return {0} end
redis.call('HSET', KEYS[1], 'resolved', 1)
local ttl = tonumber(ARGV[4])
${EXPIRE}
local v = view(tonumber(ARGV[3]))
return {1, v[1], v[2], v[3]}`;

// KEYS: hash, members. ARGV: limit.
const VIEW_ONLY = `${VIEW}
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local v = view(tonumber(ARGV[1]))
return {1, v[1], v[2], v[3]}`;

type Reply = (string | number | string[])[];

function toView(reply: Reply): FleetView {
  return { count: Number(reply[1]), memberCount: Number(reply[2]), members: (reply[3] as string[] | undefined) ?? [] };
}

export function createIncidentBoard(options: IncidentBoardOptions): IncidentBoard {
  const { link } = options;
  const member = link.member;
  const keys = (fp: string): [string, string, string] => [link.key('inc', fp), link.key('inc', fp, 'members'), link.key('inc', fp, 'open')];
  const evalScript = (redis: Redis, script: string, keyList: string[], ...args: (string | number)[]): Promise<unknown> =>
    redis.eval(script, keyList.length, ...keyList, ...args.map(String));

  return {
    join: (fp, gen, delta) =>
      link.run('join', async (redis) => {
        const [role, current, count] = (await evalScript(redis, JOIN, keys(fp), member, gen, delta, options.claimMs, options.ttlMs)) as [JoinRole, string, number];
        return { role, gen: current, count: Number(count) };
      }),
    check: (fp, gen) => link.run('join', async (redis) => (await evalScript(redis, CHECK, keys(fp).slice(0, 1), member, gen, options.claimMs)) as CheckRole),
    announced: (fp, gen) => link.run('announced', async (redis) => (await evalScript(redis, ANNOUNCED, keys(fp).slice(0, 1), member, gen)) === 1),
    occurrences: (fp, delta) => link.run('occurrences', async (redis) => (await evalScript(redis, OCCURRENCES, keys(fp), member, delta, options.ttlMs)) === 1),
    realert: (fp, cooldownMs) =>
      link.run('realert', async (redis) => {
        const reply = (await evalScript(redis, REALERT, keys(fp).slice(0, 2), cooldownMs, MEMBERS_SHOWN)) as Reply;
        return reply[0] === 1 ? { post: true, view: toView(reply) } : { post: false, view: null };
      }),
    resolve: (fp) =>
      link.run('resolve', async (redis) => {
        const reply = (await evalScript(redis, RESOLVE, keys(fp), member, options.staleMs, MEMBERS_SHOWN, options.resolvedTtlMs)) as Reply;
        // -1: the fleet knows nothing of it (its keys expired): this agent speaks for itself.
        if (reply[0] === -1) return { post: true, view: null };
        return reply[0] === 1 ? { post: true, view: toView(reply) } : { post: false, view: null };
      }),
    view: (fp) =>
      link.run('view', async (redis) => {
        const reply = (await evalScript(redis, VIEW_ONLY, keys(fp).slice(0, 2), MEMBERS_SHOWN)) as Reply;
        return reply[0] === 1 ? toView(reply) : null;
      }),
  };
}
