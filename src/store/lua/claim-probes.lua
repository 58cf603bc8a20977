-- Claims up to `limit` agents whose probe is due, in one atomic step: each claimed agent's time in
-- the schedule moves to the end of its lease, so no other worker claims it while it is probed
-- (and a worker that dies mid-probe leaves it due again once the lease runs out). An entry whose
-- agent is gone is dropped.
-- KEYS[1] the probe schedule (agent id by the time its next probe is due, ms)
-- ARGV[1] now (ms), ARGV[2] limit, ARGV[3] end of the lease (ms), ARGV[4] prefix of the agent hashes
-- Answers {lag (ms the oldest due entry has waited; 0 when none is due), id, ...}.
local schedule, nowMs, limit, leaseUntil, agentPrefix = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local oldest = redis.call('ZRANGE', schedule, 0, 0, 'WITHSCORES')
local lag = 0
if oldest[2] and tonumber(oldest[2]) <= tonumber(nowMs) then lag = tonumber(nowMs) - tonumber(oldest[2]) end
local reply = {digits(lag)}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', schedule, '-inf', nowMs, 'LIMIT', 0, limit)) do
  if redis.call('EXISTS', agentPrefix .. id) == 1 then
    redis.call('ZADD', schedule, leaseUntil, id)
    reply[#reply + 1] = id
  else
    redis.call('ZREM', schedule, id)
  end
end
return reply
