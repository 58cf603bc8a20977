-- Writes an agent record, moves its index memberships and marks it alive, in one atomic step.
-- KEYS[1] agent hash, KEYS[2] listing zset, KEYS[3] revision counter, KEYS[4] active listing zset,
-- KEYS[5] liveness deadlines zset, KEYS[6] purge deadlines zset, KEYS[7] active agents set,
-- KEYS[8] card refresh schedule zset, KEYS[9] agent number counter
-- ARGV[1] id, ARGV[2] expected revision or '', ARGV[3] '1' when the agent must not exist yet,
-- ARGV[4] now (ISO), ARGV[5] card, ARGV[6] meta, ARGV[7] index key prefix,
-- ARGV[8] invalidation channel, ARGV[9] index terms, packed (see lib/packed-terms.lua),
-- ARGV[10] liveness TTL in seconds (0: off; '': keep the agent's, or ARGV[12] for a new agent),
-- ARGV[11] now in milliseconds, ARGV[12] default liveness TTL in seconds,
-- ARGV[13] the writer's principal, ARGV[14] '1' when the writer is an admin,
-- ARGV[15] the URL the card was fetched from ('' when the client sent it), ARGV[16] its next refresh (ms),
-- ARGV[17] key prefix of the agent number -> id buckets, ARGV[18] agent numbers per bucket,
-- ARGV[19] the index terms of the stored record, packed, derived by the caller from its card,
-- ARGV[20] the revision of the record ARGV[19] was derived from ('' when the caller saw none)
local current = redis.call('HMGET', KEYS[1], 'revision', 'createdAt', 'ttl', 'owner', 'card', 'n')
local exists = current[1] ~= false
if exists and current[4] and current[4] ~= ARGV[13] and ARGV[14] ~= '1' then
  return {'forbidden', current[1]}
end
if exists and ARGV[3] == '1' then
  return {'conflict', current[1]}
end
if ARGV[2] ~= '' and current[1] ~= ARGV[2] then
  return {'stale', current[1] or '0'}
end
-- The hash keeps no copy of its terms; the caller derives the old ones and must derive them again
-- when the record changed since.
if exists and current[1] ~= ARGV[20] then
  return {'retry', current[1]}
end

-- Index sets hold the agent's number, not its id: sets of integers are stored as compact intsets.
local number = current[6]
if not exists then
  number = tostring(redis.call('INCR', KEYS[9]))
  redis.call('HSET', ARGV[17] .. math.floor(tonumber(number) / tonumber(ARGV[18])), number, ARGV[1])
end

if exists then
  local wanted = {}
  eachTermKey(ARGV[9], ARGV[7], function(key) wanted[key] = true end)
  local had = {}
  eachTermKey(ARGV[19], ARGV[7], function(key)
    had[key] = true
    if not wanted[key] then redis.call('SREM', key, number) end
  end)
  for key in pairs(wanted) do
    if not had[key] then redis.call('SADD', key, number) end
  end
else
  -- A new agent has no memberships to compare: building the two tables took ~15% of its script's time.
  eachTermKey(ARGV[9], ARGV[7], function(key) redis.call('SADD', key, number) end)
end

local ttl = ARGV[10]
if ttl == '' then ttl = current[3] or ARGV[12] end
local revision = redis.call('INCR', KEYS[3])
local createdAt = ARGV[4]
local owner = ARGV[13]
if exists then
  createdAt = current[2]
  owner = current[4] or ARGV[13]
end
if ARGV[15] ~= '' then
  -- A card kept in step with its source keeps the revision it replaces, for comparison.
  if exists and current[5] ~= ARGV[5] then
    redis.call('HSET', KEYS[1], 'prevCard', current[5], 'prevRevision', current[1])
  end
  redis.call('HSET', KEYS[1], 'source', ARGV[15])
  redis.call('ZADD', KEYS[8], tonumber(ARGV[16]), ARGV[1])
elseif exists then
  redis.call('HDEL', KEYS[1], 'source', 'prevCard', 'prevRevision')
  redis.call('ZREM', KEYS[8], ARGV[1])
end
redis.call('HSET', KEYS[1], 'card', ARGV[5], 'meta', ARGV[6], 'revision', revision,
  'createdAt', createdAt, 'updatedAt', ARGV[4], 'status', 'active', 'ttl', ttl, 'owner', owner, 'n', number)
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('ZADD', KEYS[4], 0, ARGV[1])
redis.call('SADD', KEYS[7], number)
redis.call('ZREM', KEYS[6], ARGV[1])
ttl = tonumber(ttl) or 0
if ttl > 0 then
  redis.call('ZADD', KEYS[5], tonumber(ARGV[11]) + ttl * 1000, ARGV[1])
else
  redis.call('ZREM', KEYS[5], ARGV[1])
end
redis.call('PUBLISH', ARGV[8], ARGV[1] .. ' ' .. revision .. ' ' .. ARGV[11])
return {'ok', tostring(revision), createdAt, exists and '0' or '1', tostring(ttl), owner}
