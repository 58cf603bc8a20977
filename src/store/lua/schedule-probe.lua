-- Moves a claimed agent's next probe to a later time, keeping what its last probe found (an
-- origin asked to be left alone until then: a Retry-After). Nothing for an agent not claimed.
-- KEYS[1] agent hash, KEYS[2] the due seconds, KEYS[3] the claims
-- ARGV[1] when (ms), ARGV[2] prefix of the per-second sets (lib/probe-schedule.lua)
local number = redis.call('HGET', KEYS[1], 'n')
if number then rescheduleClaimed(probeSchedule(KEYS[2], ARGV[2], KEYS[3]), KEYS[1], number, ARGV[1]) end
return 0
