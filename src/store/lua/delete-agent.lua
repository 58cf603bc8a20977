-- Removes an agent record and every index membership it had in one atomic step.
-- KEYS[1] agent hash, KEYS[2] listing zset
-- ARGV[1] id, ARGV[2] expected revision or '', ARGV[3] index key prefix, ARGV[4] invalidation channel
local current = redis.call('HMGET', KEYS[1], 'revision', 'terms')
if current[1] == false then
  return {'missing', '0'}
end
if ARGV[2] ~= '' and current[1] ~= ARGV[2] then
  return {'stale', current[1]}
end
for t in string.gmatch(current[2] or '', '[^\n]+') do
  redis.call('SREM', ARGV[3] .. t, ARGV[1])
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[1] .. ' deleted')
return {'ok', current[1]}
