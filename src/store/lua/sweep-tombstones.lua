-- Removes up to ARGV[2] tombstones of agents deleted before ARGV[1] (ms), oldest first.
-- KEYS[1] tombstones zset, KEYS[2] tombstone info hash. Answers how many it removed.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due == 0 then return 0 end
redis.call('ZREM', KEYS[1], unpack(due))
redis.call('HDEL', KEYS[2], unpack(due))
return #due
