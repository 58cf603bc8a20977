-- Writes an agent record, moves its index memberships and marks it alive, in one atomic step.
-- KEYS[1] agent hash, KEYS[2] inactive listing zset, KEYS[3] revision counter, KEYS[4] active listing zset,
-- KEYS[5] liveness deadlines zset, KEYS[6] purge deadlines zset, KEYS[7] card refresh schedule zset,
-- KEYS[8] agent number counter
-- ARGV[1] id, ARGV[2] expected revision or '', ARGV[3] '1' when the agent must not exist yet,
-- ARGV[4] card, ARGV[5] meta, ARGV[6] invalidation channel,
-- ARGV[7] index terms, packed (see lib/packed-terms.lua),
-- ARGV[8] liveness TTL in seconds (0: off; '': keep the agent's, or ARGV[10] for a new agent),
-- ARGV[9] now in milliseconds, ARGV[10] default liveness TTL in seconds,
-- ARGV[11] the writer's principal, ARGV[12] '1' when the writer is an admin,
-- ARGV[13] the URL the card was fetched from ('' when the client sent it), ARGV[14] its next refresh (ms),
-- ARGV[15] key prefix of the agent number -> id buckets, ARGV[16] agent numbers per bucket,
-- ARGV[17] the index terms of the stored record, packed, derived by the caller from its card,
-- ARGV[18] the revision of the record ARGV[17] was derived from ('' when the caller saw none),
-- ARGV[19..24] the term layout (lib/term-index.lua)
local current = redis.call('HMGET', KEYS[1], 'revision', 'createdAt', 'ttl', 'owner', 'card', 'n', 'status')
local exists = current[1] ~= false
if exists and current[4] and current[4] ~= ARGV[11] and ARGV[12] ~= '1' then
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
if exists and current[1] ~= ARGV[18] then
  return {'retry', current[1]}
end

-- Index sets hold the agent's number, not its id: sets of integers are stored as compact intsets.
local number = current[6]
if not exists then
  number = digits(redis.call('INCR', KEYS[8]))
  redis.call('HSET', ARGV[15] .. digits(math.floor(tonumber(number) / tonumber(ARGV[16]))), number, ARGV[1])
end

local layout = termLayout(ARGV, 19)
local index = termWriter(layout)
local agent = index.agent(number)
if exists then
  local had = termList(ARGV[17])
  if current[7] == 'inactive' then had[#had + 1] = layout.inactiveTerm end
  agent.move(had, termList(ARGV[7]))
else
  -- A new agent has no memberships to compare.
  local terms = termList(ARGV[7])
  index.preload(terms)
  for _, term in ipairs(terms) do agent.add(term) end
end
index.flush()

local ttl = ARGV[8]
if ttl == '' then ttl = current[3] or ARGV[10] end
local revision = redis.call('INCR', KEYS[3])
local createdAt = ARGV[9]
local owner = ARGV[11]
if exists then
  createdAt = current[2]
  owner = current[4] or ARGV[11]
end
if ARGV[13] ~= '' then
  -- A card kept in step with its source keeps the revision it replaces, for comparison.
  if exists and current[5] ~= ARGV[4] then
    redis.call('HSET', KEYS[1], 'prevCard', current[5], 'prevRevision', current[1])
  end
  redis.call('HSET', KEYS[1], 'source', ARGV[13])
  redis.call('ZADD', KEYS[7], tonumber(ARGV[14]), ARGV[1])
elseif exists then
  redis.call('HDEL', KEYS[1], 'source', 'prevCard', 'prevRevision')
  redis.call('ZREM', KEYS[7], ARGV[1])
end
redis.call('HSET', KEYS[1], 'card', ARGV[4], 'meta', ARGV[5], 'revision', revision,
  'createdAt', createdAt, 'updatedAt', ARGV[9], 'status', 'active', 'ttl', ttl, 'owner', owner, 'n', number)
if current[7] == 'inactive' then redis.call('ZREM', KEYS[2], ARGV[1]) end
redis.call('ZADD', KEYS[4], 0, ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
ttl = tonumber(ttl) or 0
if ttl > 0 then
  redis.call('ZADD', KEYS[5], tonumber(ARGV[9]) + ttl * 1000, ARGV[1])
else
  redis.call('ZREM', KEYS[5], ARGV[1])
end
redis.call('PUBLISH', ARGV[6], ARGV[1] .. ' ' .. digits(revision) .. ' ' .. ARGV[9])
return {'ok', digits(revision), createdAt, exists and '0' or '1', digits(ttl), owner}
