// Lua scripts of the Redis store. Redis runs each script alone, start to finish, so each is one
// atomic step across every issuer instance. ARGV[1] is always the key prefix; scripts derive a few
// keys from it (the session of a token is only known once the token is read), so the store needs a
// single Redis primary, not Redis Cluster. Instants travel as decimal strings and are stored as
// given; computed numbers are formatted with %d so large values never turn into 1.7e+12.

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
-- field/value items, then token field/value items. Returns 'ok' or the field that conflicts.
local function create_session(ks, a)
  if redis.call('EXISTS', ks[1]) == 1 then return 'session id' end
  if redis.call('EXISTS', ks[2]) == 1 then return 'refresh token hash' end
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

/** KEYS: user, username index, users set. ARGV: P, id, then the user's field/value pairs. */
export const CREATE_USER = `${HELPERS}
if redis.call('EXISTS', KEYS[2]) == 1 then return 'username' end
if redis.call('EXISTS', KEYS[1]) == 1 then return 'user id' end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[2])
return 'ok'
`

/**
 * A user by name, in one round trip (a login reads it before the password check). KEYS: the
 * username index. ARGV: P. Returns the user's hash, empty when there is none.
 */
export const FIND_USER_BY_NAME = `
local id = redis.call('GET', KEYS[1])
if not id then return {} end
return redis.call('HGETALL', ARGV[1] .. 'user:' .. id)
`

/**
 * Patches an existing record (a user, a client). KEYS: its hash. ARGV: P, n, n field/value items
 * to set, then the fields to delete (a value set to null). Returns the updated hash, or nil when
 * there is no such record.
 */
export const UPDATE_RECORD = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local n = tonumber(ARGV[2])
local set, del = {}, {}
for i = 3, 2 + n do set[#set + 1] = ARGV[i] end
for i = 3 + n, #ARGV do del[#del + 1] = ARGV[i] end
if #set > 0 then redis.call('HSET', KEYS[1], unpack(set)) end
if #del > 0 then redis.call('HDEL', KEYS[1], unpack(del)) end
return redis.call('HGETALL', KEYS[1])
`

/** KEYS: client, clients set. ARGV: P, id, then field/value pairs. */
export const CREATE_CLIENT = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 1 then return 'client id' end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('SADD', KEYS[2], ARGV[2])
return 'ok'
`

/** KEYS: client, clients set. ARGV: P, id. Returns 1 when a client was removed. */
export const DELETE_CLIENT = `${HELPERS}
redis.call('SREM', KEYS[2], ARGV[2])
return redis.call('DEL', KEYS[1])
`

/**
 * One use of a key until an instant (a client assertion's jti). KEYS: the remembered key, the
 * until zset (for purge). ARGV: P, now, until, TTL ms, key name. The stored value is `until`,
 * compared with the caller's `now` like every other check; the TTL only lets Redis drop it.
 * Returns 1 when newly remembered (or the old entry had passed), 0 when still remembered.
 */
export const REMEMBER_ONCE = `${HELPERS}
local cur = redis.call('GET', KEYS[1])
if cur and tonumber(cur) > tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5])
return 1
`

/**
 * KEYS: session, first token, user's session set, session's token set, deadline zset.
 * ARGV: P, session id, token hash, session TTL, token TTL, deadline, n, n session field/value
 * items, then token field/value items.
 */
export const CREATE_SESSION = `${HELPERS}
return create_session(KEYS, {unpack(ARGV, 2)})
`

/**
 * Stores a new authorization code. KEYS: the code, the codes-by-expiry zset. ARGV: P, code hash,
 * expiry, TTL ms, then field/value pairs. Returns 'ok' or 'authorization code' on a collision.
 */
export const CREATE_CODE = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 1 then return 'authorization code' end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
return 'ok'
`

/**
 * Redeems a code (RFC 6749 §4.1.2: single use): when unconsumed and unexpired, creates the session
 * exactly as CREATE_SESSION does, links it to the code's login session and marks the code consumed,
 * all in this one script. KEYS: the code, then CREATE_SESSION's five keys. The login session's
 * link set is derived from the code. ARGV: P, now, then CREATE_SESSION's arguments.
 * Returns {'redeemed'}, {'replayed', session id}, {'invalid'} or {'conflict', field}.
 */
export const REDEEM_CODE = `${HELPERS}
local c = redis.call('HMGET', KEYS[1], 'expiresAt', 'consumedAt', 'sessionId', 'loginSessionId')
if not c[1] then return {'invalid'} end
-- A consumed code answers its session whenever it comes back, so the caller can revoke it.
if c[2] then return {'replayed', c[3]} end
if tonumber(ARGV[2]) >= tonumber(c[1]) then return {'invalid'} end
local a = {unpack(ARGV, 3)}
local outcome = create_session({KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]}, a)
if outcome ~= 'ok' then return {'conflict', outcome} end
redis.call('HSET', KEYS[1], 'consumedAt', ARGV[2], 'sessionId', a[1])
local links = P .. 'login-session-sessions:' .. c[4]
redis.call('SADD', links, a[1])
-- The links outlive both the session and the login session, so ending it finds them.
extend_ttl(links, math.max(tonumber(a[3]), redis.call('PTTL', P .. 'login-session:' .. c[4])))
return {'redeemed'}
`

/**
 * KEYS: login session, its secret's index, login deadline zset. ARGV: P, id, deadline, TTL ms,
 * then field/value pairs. Returns 'ok' or 'login session' when the id or the secret is taken.
 */
export const CREATE_LOGIN_SESSION = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 'login session' end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
return 'ok'
`

/**
 * Slides a live login session's idle expiry, never past its absolute expiry. KEYS: login
 * session, login deadline zset. ARGV: P, id, last seen, idle expiry.
 */
export const TOUCH_LOGIN_SESSION = `${HELPERS}
local l = redis.call('HMGET', KEYS[1], 'absoluteExpiresAt', 'endedAt')
if (not l[1]) or l[2] then return 0 end
local idle = ARGV[4]
if tonumber(idle) > tonumber(l[1]) then idle = l[1] end
redis.call('HSET', KEYS[1], 'lastSeenAt', ARGV[3], 'idleExpiresAt', idle)
redis.call('ZADD', KEYS[2], idle, ARGV[2])
return 1
`

/**
 * Ends a login session (the first end is kept) and answers the sessions its codes started.
 * KEYS: login session, its link set, login deadline zset. ARGV: P, id, now.
 */
export const END_LOGIN_SESSION = `${HELPERS}
if redis.call('EXISTS', KEYS[1]) == 1 and redis.call('HEXISTS', KEYS[1], 'endedAt') == 0 then
  redis.call('HSET', KEYS[1], 'endedAt', ARGV[3])
  -- Ended means dead to purge at any instant.
  redis.call('ZADD', KEYS[3], '-inf', ARGV[2])
end
return redis.call('SMEMBERS', KEYS[2])
`

/**
 * The rotation step (docs/issuer.md, "Refresh rotation"), mirroring plan-rotation.ts; replies
 * are named as its plans and RotateResult.
 * KEYS: presented token, successor token, deadline zset. The session and user keys are derived
 * from the token's sessionId and the session's userId.
 * ARGV: P, now, graceMs, successor hash, successor idle expiry, successor sealed, retention ms,
 * '1' when a client presents the token ('0' for none), that client's id ('' for none).
 * Returns {kind, detail, session hash as a flat list, user roles JSON}.
 */
export const ROTATE = `${HELPERS}
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
  if redis.call('EXISTS', KEYS[2]) == 1 then return {'conflict', 'refresh token hash'} end
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
`

/** KEYS: session, deadline zset. ARGV: P, now, reason, session id, revocation TTL ms.
 * Returns 1 when it revoked. */
export const REVOKE_SESSION = `${REVOCATION_HELPERS}
local now = tonumber(ARGV[2])
local s = redis.call('HMGET', KEYS[1], 'absoluteExpiresAt', 'revokedAt')
if (not s[1]) or s[2] or tonumber(s[1]) <= now then return 0 end
redis.call('HSET', KEYS[1], 'revokedAt', ARGV[2], 'revokedReason', ARGV[3])
lower_deadline(KEYS[2], ARGV[4], now)
record_revocation('session', ARGV[4], ARGV[2], ARGV[5])
return 1
`

/** KEYS: user's session set, deadline zset. ARGV: P, now, reason, user id, revocation TTL ms.
 * Returns how many it revoked. */
export const REVOKE_USER_SESSIONS = `${REVOCATION_HELPERS}
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
`

/**
 * KEYS: deadline zset, counter reset zset, remembered-until zset, codes-by-expiry zset, login
 * deadline zset. ARGV: P, now, batch size, the expiry at or before which codes are forgotten.
 * Returns {keys deleted, entries handled}; the caller repeats while a full batch was handled.
 */
export const PURGE = `${HELPERS}
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
-- Deletes the keys of the zset's members scored at or below upto (counters, remembered keys, codes).
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
local codes = drop_upto(KEYS[4], ARGV[4], 'auth-code:')
local logins = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(logins) do
  local key = P .. 'login-session:' .. id
  local secret = redis.call('HGET', key, 'secretHash')
  if secret and redis.call('GET', P .. 'login-secret:' .. secret) == id then
    redis.call('DEL', P .. 'login-secret:' .. secret)
  end
  removed = removed + redis.call('DEL', key) + redis.call('DEL', P .. 'login-session-sessions:' .. id)
  redis.call('ZREM', KEYS[5], id)
end
return {removed, math.max(#sids, counters, remembered, codes, #logins)}
`

/**
 * Fixed-window counters, one hit each. KEYS: the counters, then the counter reset zset.
 * ARGV: P, now, reset instant for a new window, TTL ms, then the counters' names in KEYS' order.
 * Returns {count, resetAt} for each counter, flat, in KEYS' order.
 */
export const HIT_COUNTERS = `
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
`

/**
 * Resets some counters (removes them) and takes back one hit of others, never below zero.
 * KEYS: the counters to reset, the counters to release, then the counter reset zset.
 * ARGV: P, how many to reset, then their names in KEYS' order.
 */
export const SETTLE_COUNTERS = `
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
`

/** KEYS: none (derived from P). ARGV: P, kind, subject, at, revocation TTL ms. */
export const RECORD_REVOCATION = `${REVOCATION_HELPERS}
record_revocation(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
return 0
`

/**
 * KEYS: none (derived from P). ARGV: P, since, now. Returns {cursor, id, at, until, seq, ...}:
 * the entries after `since` still in force at `now`, by sequence, read in one step with the cursor.
 */
export const READ_REVOCATIONS = `${HELPERS}
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
`

/** KEYS: none (derived from P). ARGV: P, now, batch size. Returns how many entries it dropped. */
export const PURGE_REVOCATIONS = `${HELPERS}
local ids = redis.call('ZRANGEBYSCORE', P .. 'revocations-by-until', '-inf', ARGV[2], 'LIMIT', 0, ARGV[3])
for _, id in ipairs(ids) do
  redis.call('HDEL', P .. 'revocations', id)
  redis.call('ZREM', P .. 'revocations-by-seq', id)
  redis.call('ZREM', P .. 'revocations-by-until', id)
end
return #ids
`
