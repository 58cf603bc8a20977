-- Marks inactive, in one atomic step, up to ARGV[2] agents whose liveness deadline has passed,
-- and schedules their deletion after the grace period. Safe to run concurrently and to repeat.
-- KEYS[1] liveness deadlines zset, KEYS[2] purge deadlines zset, KEYS[3] active listing zset,
-- KEYS[4] inactive listing zset, KEYS[5] revision counter
-- ARGV[1] now in milliseconds, ARGV[2] batch size, ARGV[3] grace in milliseconds,
-- ARGV[4] agent hash key prefix, ARGV[5] invalidation channel, ARGV[6..11] the term layout,
-- ARGV[12] the change log stream, ARGV[13] its length, ARGV[14] the set of the agents' last
-- change times (lib/changes.lua)
local now = tonumber(ARGV[1])
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local layout = termLayout(ARGV, 6)
local index = termWriter(layout)
local expired = {}
local log = changeLog(ARGV[5], ARGV[12], ARGV[13], ARGV[14])
for _, id in ipairs(due) do
  redis.call('ZREM', KEYS[1], id)
  local key = ARGV[4] .. id
  local current = redis.call('HMGET', key, 'status', 'n')
  if current[1] == 'active' then
    local revision = redis.call('INCR', KEYS[5])
    redis.call('HSET', key, 'status', 'inactive', 'revision', revision)
    redis.call('ZREM', KEYS[3], id)
    redis.call('ZADD', KEYS[4], 0, id)
    index.agent(current[2]).add(layout.inactiveTerm)
    redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), id)
    recordChange(log, id, revision, ARGV[1], 'expired', nil, current[2], nil)
    table.insert(expired, id)
  end
end
index.flush()
return expired
