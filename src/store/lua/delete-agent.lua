-- Removes an agent record and every index membership it had in one atomic step.
-- KEYS[1] agent hash, KEYS[2] inactive listing zset, KEYS[3] revision counter, KEYS[4] active listing zset,
-- KEYS[5] liveness deadlines zset, KEYS[6] purge deadlines zset, KEYS[7] card refresh schedule zset
-- ARGV[1] id, ARGV[2] expected revision or '', ARGV[3] invalidation channel,
-- ARGV[4] now in milliseconds, ARGV[5] the deleting principal ('' for the registry itself),
-- ARGV[6] '1' when it is an admin, ARGV[7] key prefix of the agent number -> id buckets,
-- ARGV[8] agent numbers per bucket, ARGV[9] the record's index terms, packed, derived by the
-- caller from its card, ARGV[10] the revision of the record ARGV[9] was derived from,
-- ARGV[11..16] the term layout (lib/term-index.lua)
local current = redis.call('HMGET', KEYS[1], 'revision', 'owner', 'n', 'status')
if current[1] == false then
  return {'missing', '0'}
end
if ARGV[5] ~= '' and ARGV[6] ~= '1' and current[2] and current[2] ~= ARGV[5] then
  return {'forbidden', current[1]}
end
if ARGV[2] ~= '' and current[1] ~= ARGV[2] then
  return {'stale', current[1]}
end
if current[1] ~= ARGV[10] then
  return {'retry', current[1]}
end
local layout = termLayout(ARGV, 11)
local terms = termList(ARGV[9])
if current[4] == 'inactive' then terms[#terms + 1] = layout.inactiveTerm end
local index = termWriter(layout)
index.agent(current[3]).move(terms, {})
index.flush()
redis.call('HDEL', ARGV[7] .. digits(math.floor(tonumber(current[3]) / tonumber(ARGV[8]))), current[3])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
-- The removal takes a revision of its own, so a replica never caches what it read before it.
local revision = redis.call('INCR', KEYS[3])
redis.call('PUBLISH', ARGV[3], ARGV[1] .. ' ' .. digits(revision) .. ' ' .. ARGV[4])
return {'ok', current[1]}
