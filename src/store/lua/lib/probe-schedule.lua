-- The probe schedule (src/probes/): the numbers of the agents due in one second are one set,
-- `{atPrefix}{second}` (at most a few hundred small integers, kept as an intset: about 4 bytes an agent), and
-- the sorted set `due` holds each second that has a set. Agents being probed are in neither but in
-- the sorted set `claims` (agent number by the end of its lease, ms), which stays as small as the
-- probes in flight. An agent is in one place at a time: claiming takes it out of its second, and
-- keeping a result or a later time moves a claimed agent back into one. Its hash keeps the second it
-- was last put in (`pd`), so that removing the agent removes it from the schedule too.
local function probeSchedule(due, atPrefix, claims)
  return {due = due, atPrefix = atPrefix, claims = claims}
end

-- Members a second's set takes before agents due in it spill over: Redis's default
-- `set-max-intset-entries`, so that the set stays an intset under any settings.
local PROBE_SECOND_CAPACITY = 512
-- Seconds over which agents that find their second full are spread, by their number: a burst of
-- registrations (a catalog ingested, a store seeded) fills a run of seconds, each an intset, instead
-- of one set of every agent at a hashtable's cost. The probe rate could not reach them sooner anyway.
local PROBE_SPILL_SECONDS = 3600

-- The second in which agent `number` becomes due when it is wanted at `second`: that one, unless
-- it is full.
local function probeSecondFor(schedule, number, second)
  if redis.call('SCARD', schedule.atPrefix .. digits(second)) < PROBE_SECOND_CAPACITY then return second end
  return second + 1 + math.floor(tonumber(number) / PROBE_SECOND_CAPACITY) % PROBE_SPILL_SECONDS
end

-- Makes agent `number` (hash `agentKey`) due at `atMs`, or a little later when that second is full.
local function scheduleProbeAt(schedule, agentKey, number, atMs)
  local second = digits(probeSecondFor(schedule, number, math.floor(tonumber(atMs) / 1000)))
  redis.call('SADD', schedule.atPrefix .. second, number)
  redis.call('ZADD', schedule.due, second, second)
  redis.call('HSET', agentKey, 'pd', second)
end

-- Makes a claimed agent due at `atMs`; answers false (and changes nothing) for one not claimed,
-- which is already in the schedule.
local function rescheduleClaimed(schedule, agentKey, number, atMs)
  if redis.call('ZREM', schedule.claims, number) == 0 then return false end
  scheduleProbeAt(schedule, agentKey, number, atMs)
  return true
end

-- Takes an agent that is being removed out of the schedule, wherever it is.
local function unscheduleProbe(schedule, agentKey, number)
  redis.call('ZREM', schedule.claims, number)
  local second = redis.call('HGET', agentKey, 'pd')
  if not second then return end
  local key = schedule.atPrefix .. second
  redis.call('SREM', key, number)
  -- The second leaves `due` when its set is gone: one command either way (an empty score range
  -- while the set has members), so that a removal sends the same commands whatever it finds.
  local min = redis.call('EXISTS', key) == 0 and second or ('(' .. second)
  redis.call('ZREMRANGEBYSCORE', schedule.due, min, second)
end
