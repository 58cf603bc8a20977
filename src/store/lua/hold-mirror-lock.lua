-- Takes, keeps or gives up a mirror's lock (src/follow/): one process follows a source at a time.
-- KEYS[1] the lock; ARGV[1] the caller's token, ARGV[2] the lease in milliseconds (0: give it up).
-- Answers 1 when the caller holds the lock afterwards (or gave it up), 0 when another process does.
local holder = redis.call('GET', KEYS[1])
if ARGV[2] == '0' then
  if holder == ARGV[1] then redis.call('DEL', KEYS[1]) end
  return 1
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
