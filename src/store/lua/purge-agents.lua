-- Deletes, in one atomic step, up to ARGV[2] inactive agents whose grace period has passed.
-- KEYS[1] purge deadlines zset, KEYS[2] listing zset, KEYS[3] revision counter,
-- KEYS[4] card refresh schedule zset
-- ARGV[1] now in milliseconds, ARGV[2] batch size, ARGV[3] agent hash key prefix,
-- ARGV[4] index key prefix, ARGV[5] invalidation channel
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', tonumber(ARGV[1]), 'LIMIT', 0, tonumber(ARGV[2]))
local purged = {}
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[3] .. id
  local current = redis.call('HMGET', key, 'status', 'terms')
  if current[1] == 'inactive' then
    for t in string.gmatch(current[2] or '', '[^\n]+') do
      redis.call('SREM', ARGV[4] .. t, id)
    end
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[2], id)
    redis.call('ZREM', KEYS[4], id)
    local revision = redis.call('INCR', KEYS[3])
    redis.call('PUBLISH', ARGV[5], id .. ' ' .. revision .. ' ' .. ARGV[1])
    table.insert(purged, id)
  end
end
return purged
