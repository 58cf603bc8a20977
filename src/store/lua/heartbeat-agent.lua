-- Records that an agent is alive: pushes its liveness deadline and reactivates it when inactive.
-- KEYS[1] agent hash, KEYS[2] revision counter, KEYS[3] active listing zset,
-- KEYS[4] liveness deadlines zset, KEYS[5] purge deadlines zset, KEYS[6] inactive listing zset
-- ARGV[1] id, ARGV[2] now in milliseconds, ARGV[3] invalidation channel,
-- ARGV[4] the principal sending it ('' for the registry itself), ARGV[5] '1' when it is an admin,
-- ARGV[6..11] the term layout, ARGV[12] the change log stream, ARGV[13] its length, ARGV[14] the
-- set of the agents' last change times (lib/changes.lua)
local current = redis.call('HMGET', KEYS[1], 'revision', 'status', 'ttl', 'owner', 'n')
if current[1] == false then
  return {'missing', '0', '0'}
end
if ARGV[4] ~= '' and ARGV[5] ~= '1' and current[4] and current[4] ~= ARGV[4] then
  return {'forbidden', current[1], '0'}
end
local ttl = tonumber(current[3] or '0') or 0
local now = tonumber(ARGV[2])
local deadline = 0
if ttl > 0 then
  deadline = now + ttl * 1000
  redis.call('ZADD', KEYS[4], deadline, ARGV[1])
end
if current[2] ~= 'inactive' then
  return {'active', current[1], digits(deadline)}
end
local revision = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], 'status', 'active', 'revision', revision)
redis.call('ZADD', KEYS[3], 0, ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
local layout = termLayout(ARGV, 6)
local index = termWriter(layout)
index.agent(current[5]).remove(layout.inactiveTerm)
index.flush()
redis.call('ZREM', KEYS[5], ARGV[1])
recordChange(changeLog(ARGV[3], ARGV[12], ARGV[13], ARGV[14]), ARGV[1], revision, ARGV[2], 'reactivated', nil, current[5], nil)
return {'reactivated', digits(revision), digits(deadline)}
