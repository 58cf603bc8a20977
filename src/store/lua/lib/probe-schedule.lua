-- The probe schedule (src/probes/): the numbers of the agents due in one second are one set,
-- `{atPrefix}{second}` (a few hundred small integers, kept as an intset: about 4 bytes an agent), and
-- the sorted set `due` holds each second that has a set. Agents being probed are in neither but in
-- the sorted set `claims` (agent number by the end of its lease, ms), which stays as small as the
-- probes in flight. An agent is in one place at a time: claiming takes it out of its second, and
-- keeping a result or a later time moves a claimed agent back into one. A removed agent is left
-- where it is: its number is never given again, so a claim finds no id for it and drops it.
local function probeSchedule(due, atPrefix, claims)
  return {due = due, atPrefix = atPrefix, claims = claims}
end

-- Makes agent `number` due at `atMs`.
local function scheduleProbeAt(schedule, number, atMs)
  local second = math.floor(tonumber(atMs) / 1000)
  redis.call('SADD', schedule.atPrefix .. second, number)
  redis.call('ZADD', schedule.due, second, second)
end

-- Makes a claimed agent due at `atMs`; answers false (and changes nothing) for one not claimed,
-- which is already in the schedule.
local function rescheduleClaimed(schedule, number, atMs)
  if redis.call('ZREM', schedule.claims, number) == 0 then return false end
  scheduleProbeAt(schedule, number, atMs)
  return true
end
