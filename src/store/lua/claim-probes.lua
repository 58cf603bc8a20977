-- Claims up to `limit` agents whose probe is due (lib/probe-schedule.lua), in one atomic step:
-- claims whose lease ran out (their worker stopped mid-probe) first, then the due seconds, oldest
-- first. Each claimed agent is held in the claims until its lease ends, so no other worker claims
-- it meanwhile. Numbers without an agent (removed since) are dropped.
-- KEYS[1] the due seconds, KEYS[2] the claims
-- ARGV[1] now (ms), ARGV[2] limit, ARGV[3] end of the lease (ms), ARGV[4] prefix of the per-second
-- sets, ARGV[5] prefix of the agent number -> id buckets, ARGV[6] numbers per bucket
-- Answers {lag (ms the oldest due second has waited; 0 when none is due), id, ...}.
local schedule = probeSchedule(KEYS[1], ARGV[4], KEYS[2])
local nowMs, limit, leaseUntil = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local idsPrefix, perBucket = ARGV[5], tonumber(ARGV[6])
local nowSecond = math.floor(nowMs / 1000)

local oldest = redis.call('ZRANGE', schedule.due, 0, 0, 'WITHSCORES')
local lag = 0
if oldest[2] and tonumber(oldest[2]) <= nowSecond then lag = nowMs - tonumber(oldest[2]) * 1000 end
local reply = {digits(lag)}

local function claim(number)
  local id = redis.call('HGET', idsPrefix .. digits(math.floor(tonumber(number) / perBucket)), number)
  if id then
    redis.call('ZADD', schedule.claims, leaseUntil, number)
    reply[#reply + 1] = id
  else
    redis.call('ZREM', schedule.claims, number)
  end
end

for _, number in ipairs(redis.call('ZRANGEBYSCORE', schedule.claims, '-inf', nowMs, 'LIMIT', 0, limit)) do claim(number) end
for _, second in ipairs(redis.call('ZRANGEBYSCORE', schedule.due, '-inf', nowSecond, 'LIMIT', 0, limit)) do
  local wanted = limit + 1 - #reply
  if wanted <= 0 then break end
  local key = schedule.atPrefix .. second
  for _, number in ipairs(redis.call('SPOP', key, wanted)) do claim(number) end
  if redis.call('EXISTS', key) == 0 then redis.call('ZREM', schedule.due, second) end
end
return reply
