-- Writes an agent record, moves its index memberships and marks it alive, in one atomic step.
-- KEYS[1] agent hash, KEYS[2] listing zset, KEYS[3] revision counter, KEYS[4] active listing zset,
-- KEYS[5] liveness deadlines zset, KEYS[6] purge deadlines zset, KEYS[7] large terms hash,
-- KEYS[8] card refresh schedule zset, KEYS[9] agent number counter
-- ARGV[1] id, ARGV[2] expected revision or '', ARGV[3] '1' when the agent must not exist yet,
-- ARGV[4] now (ISO), ARGV[5] card, ARGV[6] meta, ARGV[7] invalidation channel,
-- ARGV[8] index terms, packed (see lib/packed-terms.lua),
-- ARGV[9] liveness TTL in seconds (0: off; '': keep the agent's, or ARGV[11] for a new agent),
-- ARGV[10] now in milliseconds, ARGV[11] default liveness TTL in seconds,
-- ARGV[12] the writer's principal, ARGV[13] '1' when the writer is an admin,
-- ARGV[14] the URL the card was fetched from ('' when the client sent it), ARGV[15] its next refresh (ms),
-- ARGV[16] key prefix of the agent number -> id buckets, ARGV[17] agent numbers per bucket,
-- ARGV[18] the index terms of the stored record, packed, derived by the caller from its card,
-- ARGV[19] the revision of the record ARGV[18] was derived from ('' when the caller saw none),
-- ARGV[20..25] the term layout (lib/term-index.lua)
local current = redis.call('HMGET', KEYS[1], 'revision', 'createdAt', 'ttl', 'owner', 'card', 'n', 'status')
local exists = current[1] ~= false
if exists and current[4] and current[4] ~= ARGV[12] and ARGV[13] ~= '1' then
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
if exists and current[1] ~= ARGV[19] then
  return {'retry', current[1]}
end

-- Index sets hold the agent's number, not its id: sets of integers are stored as compact intsets.
local number = current[6]
if not exists then
  number = tostring(redis.call('INCR', KEYS[9]))
  redis.call('HSET', ARGV[16] .. math.floor(tonumber(number) / tonumber(ARGV[17])), number, ARGV[1])
end

local layout = termLayout(ARGV, 20)
local index = termWriter(layout)
if exists then
  index.move(tonumber(number), termList(ARGV[18]), termList(ARGV[8]))
  if current[7] == 'inactive' then index.remove(layout.inactiveTerm, tonumber(number)) end
else
  -- A new agent has no memberships to compare.
  local terms = termList(ARGV[8])
  index.preload(terms)
  for _, term in ipairs(terms) do index.add(term, tonumber(number)) end
end
index.flush()

local ttl = ARGV[9]
if ttl == '' then ttl = current[3] or ARGV[11] end
local revision = redis.call('INCR', KEYS[3])
local createdAt = ARGV[4]
local owner = ARGV[12]
if exists then
  createdAt = current[2]
  owner = current[4] or ARGV[12]
end
if ARGV[14] ~= '' then
  -- A card kept in step with its source keeps the revision it replaces, for comparison.
  if exists and current[5] ~= ARGV[5] then
    redis.call('HSET', KEYS[1], 'prevCard', current[5], 'prevRevision', current[1])
  end
  redis.call('HSET', KEYS[1], 'source', ARGV[14])
  redis.call('ZADD', KEYS[8], tonumber(ARGV[15]), ARGV[1])
elseif exists then
  redis.call('HDEL', KEYS[1], 'source', 'prevCard', 'prevRevision')
  redis.call('ZREM', KEYS[8], ARGV[1])
end
redis.call('HSET', KEYS[1], 'card', ARGV[5], 'meta', ARGV[6], 'revision', revision,
  'createdAt', createdAt, 'updatedAt', ARGV[4], 'status', 'active', 'ttl', ttl, 'owner', owner, 'n', number)
redis.call('ZADD', KEYS[2], 0, ARGV[1])
redis.call('ZADD', KEYS[4], 0, ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
ttl = tonumber(ttl) or 0
if ttl > 0 then
  redis.call('ZADD', KEYS[5], tonumber(ARGV[10]) + ttl * 1000, ARGV[1])
else
  redis.call('ZREM', KEYS[5], ARGV[1])
end
redis.call('PUBLISH', ARGV[7], ARGV[1] .. ' ' .. revision .. ' ' .. ARGV[10])
return {'ok', tostring(revision), createdAt, exists and '0' or '1', tostring(ttl), owner}
