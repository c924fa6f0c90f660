// Lua scripts of the Redis store. Redis runs each script alone, start to finish, so each is one
// atomic step across every issuer instance. ARGV[1] is always the key prefix; scripts derive a few
// keys from it (the session of a token is only known once the token is read), so the store needs a
// single Redis primary, not Redis Cluster. Instants travel as decimal strings and are stored as
// given; computed numbers are formatted with %d so large values never turn into 1.7e+12.
import { script } from './redis-script.ts'

const HELPERS = `
local P = ARGV[1]
local function int(x) return string.format('%d', x) end
-- Lower a session's purge deadline, never raise it (revocation).
local function lower_deadline(zkey, sid, at)
  local cur = redis.call('ZSCORE', zkey, sid)
  if (not cur) or tonumber(cur) > at then redis.call('ZADD', zkey, int(at), sid) end
end
-- Extend a key's TTL to at least ttl milliseconds.
local function extend_ttl(key, ttl)
  local cur = redis.call('PTTL', key)
  if cur < 0 or cur < ttl then redis.call('PEXPIRE', key, int(ttl)) end
end
-- A new session and its first token. ks: session, token, user's session set, session's token set,
-- deadline zset. a: session id, token hash, session TTL, token TTL, deadline, n, n session
-- field/value items, then token field/value items. Returns 'ok', or a CONFLICT error (a
-- StoreConflictError, redis-script.ts) naming what is taken, having written nothing.
local function create_session(ks, a)
  if redis.call('EXISTS', ks[1]) == 1 then return redis.error_reply('CONFLICT session id') end
  if redis.call('EXISTS', ks[2]) == 1 then return redis.error_reply('CONFLICT refresh token hash') end
  local n = tonumber(a[6])
  local session, token = {}, {}
  for i = 7, 6 + n do session[#session + 1] = a[i] end
  for i = 7 + n, #a do token[#token + 1] = a[i] end
  local sessionTtl, tokenTtl = tonumber(a[3]), tonumber(a[4])
  redis.call('HSET', ks[1], unpack(session))
  redis.call('PEXPIRE', ks[1], int(sessionTtl))
  redis.call('HSET', ks[2], unpack(token))
  redis.call('PEXPIRE', ks[2], int(tokenTtl))
  redis.call('SADD', ks[3], a[1])
  extend_ttl(ks[3], sessionTtl)
  redis.call('SADD', ks[4], a[2])
  redis.call('PEXPIRE', ks[4], int(sessionTtl))
  redis.call('ZADD', ks[5], a[5], a[1])
  return 'ok'
end
`

// Only the scripts that write the revocation feed carry this helper.
const REVOCATION_HELPERS = `${HELPERS}
-- A revocation entry (docs/issuer.md, "Revocation feed"): kept unless the same one is already
-- there at the same or a later instant; a new one takes the next sequence of the feed's cursor.
local function record_revocation(kind, subject, at, ttl)
  local id = kind .. ':' .. subject
  local cur = redis.call('HGET', P .. 'revocations', id)
  if cur and tonumber(string.match(cur, '^(%d+)')) >= tonumber(at) then return end
  local seq = redis.call('INCR', P .. 'revocation-seq')
  local untilAt = int(tonumber(at) + tonumber(ttl))
  redis.call('HSET', P .. 'revocations', id, at .. ' ' .. untilAt .. ' ' .. seq)
  redis.call('ZADD', P .. 'revocations-by-seq', seq, id)
  redis.call('ZADD', P .. 'revocations-by-until', untilAt, id)
end
`

// The records (redis-records.ts), for every collection from its layout L, which the scripts take
// as JSON: {base = its redisKey, key = its key fields' names (for a conflict), unique, indexes,
// all = whether all are listed, expiry = its field or nil, retain, margin (ms)}. A record is the
// hash P base:key; its entries follow its values: P base#unique:<field>:<value> -> key, and the
// zsets P base#index:<field>:<value>, P base#all (score 0, so ZRANGEBYLEX lists by key) and
// P base#expiry (scored by when it expires).
const RECORD_HELPERS = `${HELPERS}
local function record_key(L, key) return P .. L.base .. ':' .. key end
local function unique_key(L, f, v) return P .. L.base .. '#unique:' .. f .. ':' .. v end
local function hash_of(key)
  local h, flat = {}, redis.call('HGETALL', key)
  for i = 1, #flat, 2 do h[flat[i]] = flat[i + 1] end
  return h
end
-- Adds (add) or removes the entries of the record key of L whose values are h.
local function entries(L, key, h, add)
  local zsets = {}
  for _, f in ipairs(L.indexes) do
    if h[f] then zsets[#zsets + 1] = P .. L.base .. '#index:' .. f .. ':' .. h[f] end
  end
  if L.all then zsets[#zsets + 1] = P .. L.base .. '#all' end
  for _, z in ipairs(zsets) do
    if add then redis.call('ZADD', z, 0, key) else redis.call('ZREM', z, key) end
  end
  local expiring = {record_key(L, key)}
  for _, f in ipairs(L.unique) do
    local u = h[f] and unique_key(L, f, h[f])
    if u and add then
      redis.call('SET', u, key)
      expiring[#expiring + 1] = u
    elseif u and redis.call('GET', u) == key then
      redis.call('DEL', u)
    end
  end
  if not (L.expiry and h[L.expiry]) then return end
  local zexpiry = P .. L.base .. '#expiry'
  if not add then redis.call('ZREM', zexpiry, key) return end
  local at = tonumber(h[L.expiry]) + L.retain
  redis.call('ZADD', zexpiry, int(at), key)
  -- Redis drops it a margin after the purge would. Its own clock bounds that from below: an
  -- instant already past (a record written late, a test's clock) still gets the margin.
  local t = redis.call('TIME')
  local deadline = int(math.max(at, tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)) + L.margin)
  for _, k in ipairs(expiring) do redis.call('PEXPIREAT', k, deadline) end
end
-- Writes the record key of L. mode: 'insert' (a new key), 'update' (an existing record whose
-- fields hold guard's values), 'put' (either; migrations), 'delete'. patch and guard map fields to
-- values, false meaning none. Answers the record's hash as a flat list ({} once deleted), nil when
-- there is no such record or the guard fails, or a CONFLICT error naming what is taken; then
-- nothing changed.
local function write(L, key, mode, patch, guard)
  local old = hash_of(record_key(L, key))
  local exists = next(old) ~= nil
  if mode == 'insert' and exists then return redis.error_reply('CONFLICT ' .. L.key) end
  if (mode == 'update' or mode == 'delete') and not exists then return nil end
  for f, v in pairs(guard) do
    if (old[f] or false) ~= v then return nil end
  end
  local new, flat = {}, {}
  if mode ~= 'delete' then
    for f, v in pairs(old) do new[f] = v end
    for f, v in pairs(patch) do new[f] = v or nil end
    for _, f in ipairs(L.unique) do
      local holder = new[f] and new[f] ~= old[f] and redis.call('GET', unique_key(L, f, new[f]))
      if holder and holder ~= key and redis.call('EXISTS', record_key(L, holder)) == 1 then
        return redis.error_reply('CONFLICT ' .. f)
      end
    end
  end
  entries(L, key, old, false)
  -- Rewritten whole: fields set to none are gone, and so is a TTL the new values do not call for.
  redis.call('DEL', record_key(L, key))
  for f, v in pairs(new) do
    flat[#flat + 1] = f
    flat[#flat + 1] = v
  end
  if #flat > 0 then
    redis.call('HSET', record_key(L, key), unpack(flat))
    entries(L, key, new, true)
  end
  return flat
end
`

/** ARGV: P, layout, record key, mode, patch JSON, guard JSON. See \`write\` above. */
export const WRITE_RECORD = script(`${RECORD_HELPERS}
return write(cjson.decode(ARGV[2]), ARGV[3], ARGV[4], cjson.decode(ARGV[5]), cjson.decode(ARGV[6]))
`)

/** KEYS: the unique entry. ARGV: P, the records' key prefix. Returns the record's hash, {} for none. */
export const FIND_RECORD = script(`
local key = redis.call('GET', KEYS[1])
if not key then return {} end
return redis.call('HGETALL', ARGV[2] .. key)
`)

/**
 * KEYS: the zset of keys (an index, or all). ARGV: P, the records' key prefix, where to start
 * ('-', or '(' and the last key of the previous page), how many. Returns {key, hash, ...}.
 */
export const LIST_RECORDS = script(`
local out = {}
for _, key in ipairs(redis.call('ZRANGEBYLEX', KEYS[1], ARGV[3], '+', 'LIMIT', 0, ARGV[4])) do
  out[#out + 1] = key
  out[#out + 1] = redis.call('HGETALL', ARGV[2] .. key)
end
return out
`)

/**
 * Deletes the records of a collection due at now, with their entries. ARGV: P, layout, now, batch
 * size, the prefix of a key to delete with each record ('' for none). Returns how many.
 */
export const PURGE_RECORDS = script(`${RECORD_HELPERS}
local L = cjson.decode(ARGV[2])
local due = redis.call('ZRANGEBYSCORE', P .. L.base .. '#expiry', '-inf', ARGV[3], 'LIMIT', 0, ARGV[4])
for _, key in ipairs(due) do
  write(L, key, 'delete', {}, {})
  -- What remains of a record Redis dropped by itself.
  redis.call('ZREM', P .. L.base .. '#expiry', key)
  if ARGV[5] ~= '' then redis.call('DEL', ARGV[5] .. key) end
end
return #due
`)

/**
 * One use of a key until an instant (a client assertion's jti). KEYS: the remembered key, the
 * until zset (for purge). ARGV: P, now, until, TTL ms, key name. The stored value is `until`,
 * compared with the caller's `now` like every other check; the TTL only lets Redis drop it.
 * Returns 1 when newly remembered (or the old entry had passed), 0 when still remembered.
 */
export const REMEMBER_ONCE = script(`${HELPERS}
local cur = redis.call('GET', KEYS[1])
if cur and tonumber(cur) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
return 1
`)

/**
 * KEYS: session, first token, user's session set, session's token set, deadline zset.
 * ARGV: P, session id, token hash, session TTL, token TTL, deadline, n, n session field/value
 * items, then token field/value items.
 */
export const CREATE_SESSION = script(`${HELPERS}
return create_session(KEYS, {unpack(ARGV, 2)})
`)

/**
 * Redeems a one-time record (core/records/redeemable.ts; RFC 6749 §4.1.2 for codes): when
 * unconsumed and unexpired, creates the session exactly as CREATE_SESSION does, marks the record
 * consumed into it and, when it names a login session, links the session to it, all in this one
 * script. KEYS: CREATE_SESSION's five. ARGV: P, the record's layout, its key, now, then
 * CREATE_SESSION's arguments. Returns {'redeemed'}, {'replayed', session id} or {'invalid'}, or
 * CREATE_SESSION's CONFLICT error.
 */
export const REDEEM_ONCE = script(`${RECORD_HELPERS}
local L, key, now = cjson.decode(ARGV[2]), ARGV[3], ARGV[4]
local r = redis.call('HMGET', record_key(L, key), 'expiresAt', 'consumedAt', 'sessionId', 'loginSessionId')
if not r[1] then return {'invalid'} end
-- A consumed record answers its session whenever it comes back, so the caller can revoke it.
if r[2] then return r[3] and {'replayed', r[3]} or {'invalid'} end
if tonumber(now) >= tonumber(r[1]) then return {'invalid'} end
local a = {unpack(ARGV, 5)}
local outcome = create_session(KEYS, a)
if outcome ~= 'ok' then return outcome end
write(L, key, 'update', {consumedAt = now, sessionId = a[1]}, {})
if r[4] then
  local links = P .. 'login-session-sessions:' .. r[4]
  redis.call('SADD', links, a[1])
  -- The links outlive both the session and the login session, so ending it finds them.
  extend_ttl(links, math.max(tonumber(a[3]), redis.call('PTTL', P .. 'login-session:' .. r[4])))
end
return {'redeemed'}
`)

/**
 * Ends a login session (the first end is kept), lowering its idle expiry to the end so the
 * purge takes it, and answers the sessions redemptions started in it. ARGV: P, the login
 * sessions' layout, id, now.
 */
export const END_LOGIN_SESSION = script(`${RECORD_HELPERS}
local L, id, now = cjson.decode(ARGV[2]), ARGV[3], ARGV[4]
local idle = redis.call('HGET', record_key(L, id), 'idleExpiresAt')
if idle then
  if tonumber(idle) > tonumber(now) then idle = now end
  write(L, id, 'update', {endedAt = now, idleExpiresAt = idle}, {endedAt = false})
end
return redis.call('SMEMBERS', P .. 'login-session-sessions:' .. id)
`)

/**
 * The rotation step (docs/issuer.md, "Refresh rotation"), mirroring plan-rotation.ts; replies
 * are named as its plans and RotateResult.
 * KEYS: presented token, successor token, deadline zset. The session and user keys are derived
 * from the token's sessionId and the session's userId.
 * ARGV: P, now, graceMs, successor hash, successor idle expiry, successor sealed, retention ms,
 * '1' when a client presents the token ('0' for none), that client's id ('' for none).
 * Returns {kind, detail, session hash as a flat list, user roles JSON}.
 */
export const ROTATE = script(`${HELPERS}
local now, grace, retention = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[7])
local t = redis.call('HMGET', KEYS[1], 'sessionId', 'generation', 'idleExpiresAt', 'consumedAt',
  'successorHash', 'successorSealed')
if not t[1] then return {'invalid', 'unknown'} end
local sid = t[1]
local sessionKey = P .. 'session:' .. sid
local s = redis.call('HMGET', sessionKey, 'absoluteExpiresAt', 'revokedAt', 'lastUsedAt', 'userId',
  'clientId', 'publicClient')
if not s[1] then return {'invalid', 'unknown'} end
-- A dead session answers as such even for a consumed token: there is nothing left to revoke.
if s[2] then return {'invalid', 'revoked'} end
local absolute = tonumber(s[1])
if now >= absolute then return {'invalid', 'session_expired'} end
if now >= tonumber(t[3]) then return {'invalid', 'idle_expired'} end
-- Before anything that consumes or revokes: a client that is not the session's (or no client, for
-- a confidential client's session) must not be able to end it. Sessions from before the field
-- existed are all public clients'.
if ARGV[8] == '1' then
  if s[5] ~= ARGV[9] then return {'invalid', 'client_mismatch'} end
elseif s[6] == '0' then
  return {'invalid', 'client_mismatch'}
end

-- The roles of a live user, or nil when the user is disabled or gone; only a token that would
-- be honoured asks, so reuse stays reuse whoever holds it.
local function live_roles()
  local u = redis.call('HMGET', P .. 'user:' .. s[4], 'roles', 'disabled')
  if (not u[1]) or u[2] == '1' then return nil end
  return u[1]
end
-- A disabled user's token is not consumed: the session ends here instead.
local function user_disabled()
  redis.call('HSET', sessionKey, 'revokedAt', ARGV[2], 'revokedReason', 'user_disabled')
  lower_deadline(KEYS[3], sid, now)
  return {'invalid', 'user_disabled'}
end

if not t[4] then
  if redis.call('EXISTS', KEYS[2]) == 1 then return redis.error_reply('CONFLICT refresh token hash') end
  local roles = live_roles()
  if not roles then return user_disabled() end
  -- Rotation never extends the session's absolute lifetime.
  local idle = ARGV[5]
  if tonumber(idle) > absolute then idle = s[1] end
  local generation = tonumber(t[2]) + 1
  redis.call('HSET', KEYS[1], 'consumedAt', ARGV[2], 'successorHash', ARGV[4], 'successorSealed', ARGV[6])
  redis.call('HSET', KEYS[2], 'sessionId', sid, 'generation', int(generation), 'createdAt', ARGV[2],
    'idleExpiresAt', idle)
  redis.call('PEXPIRE', KEYS[2], int(math.max(tonumber(idle) - now, 0) + retention))
  redis.call('SADD', P .. 'session-tokens:' .. sid, ARGV[4])
  if now > tonumber(s[3]) then redis.call('HSET', sessionKey, 'lastUsedAt', ARGV[2]) end
  redis.call('HSET', sessionKey, 'liveIdleExpiresAt', idle)
  redis.call('ZADD', KEYS[3], idle, sid)
  return {'rotated', int(generation), redis.call('HGETALL', sessionKey), roles}
end

-- Already consumed: a retry inside the grace window of the newest consumed token gets the same
-- sealed successor; anything else is reuse, and the whole session dies.
if grace > 0 and now - tonumber(t[4]) <= grace and t[5] and t[6] then
  local n = redis.call('HMGET', P .. 'token:' .. t[5], 'sessionId', 'consumedAt')
  if n[1] and not n[2] then
    local roles = live_roles()
    if not roles then return user_disabled() end
    return {'replayed', t[6], redis.call('HGETALL', sessionKey), roles}
  end
end
redis.call('HSET', sessionKey, 'revokedAt', ARGV[2], 'revokedReason', 'reuse_detected')
lower_deadline(KEYS[3], sid, now)
return {'reuse_detected', '', redis.call('HGETALL', sessionKey)}
`)

/** KEYS: session, deadline zset. ARGV: P, now, reason, session id, revocation TTL ms.
 * Returns 1 when it revoked. */
export const REVOKE_SESSION = script(`${REVOCATION_HELPERS}
local now = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'absoluteExpiresAt', 'revokedAt')
if (not s[1]) or s[2] or tonumber(s[1]) <= now then return 0 end
redis.call('HSET', KEYS[1], 'revokedAt', ARGV[2], 'revokedReason', ARGV[3])
lower_deadline(KEYS[2], ARGV[4], now)
record_revocation('session', ARGV[4], ARGV[2], ARGV[5])
return 1
`)

/** KEYS: user's session set, deadline zset. ARGV: P, now, reason, user id, revocation TTL ms.
 * Returns how many it revoked. */
export const REVOKE_USER_SESSIONS = script(`${REVOCATION_HELPERS}
local now, count = tonumber(ARGV[2]), 0
for _, sid in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = P .. 'session:' .. sid
  local s = redis.call('HMGET', key, 'absoluteExpiresAt', 'revokedAt')
  if not s[1] then
    redis.call('SREM', KEYS[1], sid)
  elseif (not s[2]) and tonumber(s[1]) > now then
    redis.call('HSET', key, 'revokedAt', ARGV[2], 'revokedReason', ARGV[3])
    lower_deadline(KEYS[2], sid, now)
    count = count + 1
  end
end
record_revocation('user', ARGV[4], ARGV[2], ARGV[5])
return count
`)

/**
 * KEYS: deadline zset, counter reset zset, remembered-until zset. ARGV: P, now, batch size.
 * Returns {keys and entries deleted, most entries handled of one kind}; the caller repeats while
 * a full batch was handled. The records' collections are purged by PURGE_RECORDS.
 */
export const PURGE = script(`${HELPERS}
local removed = 0
local sids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, sid in ipairs(sids) do
  local sessionKey = P .. 'session:' .. sid
  local userId = redis.call('HGET', sessionKey, 'userId')
  if userId then redis.call('SREM', P .. 'user-sessions:' .. userId, sid) end
  local tokensKey = P .. 'session-tokens:' .. sid
  for _, h in ipairs(redis.call('SMEMBERS', tokensKey)) do
    removed = removed + redis.call('DEL', P .. 'token:' .. h)
  end
  redis.call('DEL', tokensKey)
  removed = removed + redis.call('DEL', sessionKey)
  redis.call('ZREM', KEYS[1], sid)
end
-- Deletes the keys of the zset's members scored at or below upto (counters, remembered keys).
local function drop_upto(zkey, upto, keyPrefix)
  local members = redis.call('ZRANGEBYSCORE', zkey, '-inf', upto, 'LIMIT', 0, ARGV[3])
  for _, m in ipairs(members) do
    removed = removed + redis.call('DEL', P .. keyPrefix .. m)
    redis.call('ZREM', zkey, m)
  end
  return #members
end
local counters = drop_upto(KEYS[2], ARGV[2], 'counter:')
local remembered = drop_upto(KEYS[3], ARGV[2], 'remembered:')
-- Revocation entries past their until.
local ids = redis.call('ZRANGEBYSCORE', P .. 'revocations-by-until', '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do
  redis.call('HDEL', P .. 'revocations', id)
  redis.call('ZREM', P .. 'revocations-by-seq', id)
  redis.call('ZREM', P .. 'revocations-by-until', id)
end
return {removed + #ids, math.max(#sids, counters, remembered, #ids)}
`)

/**
 * Fixed-window counters, one hit each. KEYS: the counters, then the counter reset zset.
 * ARGV: P, now, reset instant for a new window, TTL ms, then the counters' names in KEYS' order.
 * Returns {count, resetAt} for each counter, flat, in KEYS' order.
 */
export const HIT_COUNTERS = script(`
local zset, now, out = KEYS[#KEYS], tonumber(ARGV[2]), {}
for i = 1, #KEYS - 1 do
  local c = redis.call('HMGET', KEYS[i], 'count', 'resetAt')
  if (not c[1]) or tonumber(c[2]) <= now then
    redis.call('HSET', KEYS[i], 'count', '1', 'resetAt', ARGV[3])
    redis.call('PEXPIRE', KEYS[i], ARGV[4])
    redis.call('ZADD', zset, ARGV[3], ARGV[4 + i])
    out[#out + 1] = 1
    out[#out + 1] = ARGV[3]
  else
    out[#out + 1] = redis.call('HINCRBY', KEYS[i], 'count', 1)
    out[#out + 1] = c[2]
  end
end
return out
`)

/**
 * Resets some counters (removes them) and takes back one hit of others, never below zero.
 * KEYS: the counters to reset, the counters to release, then the counter reset zset.
 * ARGV: P, how many to reset, then their names in KEYS' order.
 */
export const SETTLE_COUNTERS = script(`
local zset, n = KEYS[#KEYS], tonumber(ARGV[2])
for i = 1, n do
  redis.call('DEL', KEYS[i])
  redis.call('ZREM', zset, ARGV[2 + i])
end
for i = n + 1, #KEYS - 1 do
  local c = tonumber(redis.call('HGET', KEYS[i], 'count'))
  if c and c > 0 then redis.call('HINCRBY', KEYS[i], 'count', -1) end
end
return 0
`)

/** KEYS: none (derived from P). ARGV: P, kind, subject, at, revocation TTL ms. */
export const RECORD_REVOCATION = script(`${REVOCATION_HELPERS}
record_revocation(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 0
`)

/**
 * KEYS: none (derived from P). ARGV: P, since, now. Returns {cursor, id, at, until, seq, ...}:
 * the entries after `since` still in force at `now`, by sequence, read in one step with the cursor.
 */
export const READ_REVOCATIONS = script(`${HELPERS}
local out = {redis.call('GET', P .. 'revocation-seq') or '0'}
local now = tonumber(ARGV[3])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', P .. 'revocations-by-seq', '(' .. ARGV[2], '+inf')) do
  local v = redis.call('HGET', P .. 'revocations', id)
  if v then
    local at, untilAt, seq = string.match(v, '^(%d+) (%d+) (%d+)$')
    if tonumber(untilAt) > now then
      table.insert(out, id)
      table.insert(out, at)
      table.insert(out, untilAt)
      table.insert(out, seq)
    end
  end
end
return out
`)
