-- Removes an agent record and every index membership it had in one atomic step.
-- KEYS[1] agent hash, KEYS[2] listing zset, KEYS[3] revision counter, KEYS[4] active listing zset,
-- KEYS[5] liveness deadlines zset, KEYS[6] purge deadlines zset, KEYS[7] active agents set,
-- KEYS[8] card refresh schedule zset
-- ARGV[1] id, ARGV[2] expected revision or '', ARGV[3] index key prefix, ARGV[4] invalidation channel,
-- ARGV[5] now in milliseconds, ARGV[6] the deleting principal ('' for the registry itself),
-- ARGV[7] '1' when it is an admin, ARGV[8] key prefix of the agent number -> id buckets,
-- ARGV[9] agent numbers per bucket, ARGV[10] the record's index terms, packed, derived by the
-- caller from its card, ARGV[11] the revision of the record ARGV[10] was derived from
local current = redis.call('HMGET', KEYS[1], 'revision', 'owner', 'n')
if current[1] == false then
  return {'missing', '0'}
end
if ARGV[6] ~= '' and ARGV[7] ~= '1' and current[2] and current[2] ~= ARGV[6] then
  return {'forbidden', current[1]}
end
if ARGV[2] ~= '' and current[1] ~= ARGV[2] then
  return {'stale', current[1]}
end
if current[1] ~= ARGV[11] then
  return {'retry', current[1]}
end
local number = current[3]
eachTermKey(ARGV[10], ARGV[3], function(key) redis.call('SREM', key, number) end)
redis.call('HDEL', ARGV[8] .. math.floor(tonumber(number) / tonumber(ARGV[9])), number)
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
redis.call('SREM', KEYS[7], number)
redis.call('ZREM', KEYS[8], ARGV[1])
-- The removal takes a revision of its own, so a replica never caches what it read before it.
local revision = redis.call('INCR', KEYS[3])
redis.call('PUBLISH', ARGV[4], ARGV[1] .. ' ' .. revision .. ' ' .. ARGV[5])
return {'ok', current[1]}
