-- Deletes, in one atomic step, up to ARGV[2] inactive agents whose grace period has passed.
-- KEYS[1] purge deadlines zset, KEYS[2] listing zset, KEYS[3] revision counter,
-- KEYS[4] card refresh schedule zset
-- ARGV[1] now in milliseconds, ARGV[2] batch size, ARGV[3] agent hash key prefix,
-- ARGV[4] index key prefix, ARGV[5] invalidation channel,
-- ARGV[6] key prefix of the agent number -> id buckets, ARGV[7] agent numbers per bucket
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))
local purged = {}
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[3] .. id
  local current = redis.call('HMGET', key, 'status', 'terms', 'n')
  if current[1] == 'inactive' then
    eachTerm(current[2], function(t) redis.call('SREM', ARGV[4] .. t, current[3]) end)
    redis.call('HDEL', ARGV[6] .. math.floor(tonumber(current[3]) / tonumber(ARGV[7])), current[3])
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[4], id)
    local revision = redis.call('INCR', KEYS[3])
    redis.call('PUBLISH', ARGV[5], id .. ' ' .. revision .. ' ' .. ARGV[1])
    table.insert(purged, id)
  end
end
return purged
