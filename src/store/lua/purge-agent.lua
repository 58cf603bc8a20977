-- Deletes one inactive agent whose grace period has passed, with every index membership, atomically.
-- KEYS[1] purge deadlines zset, KEYS[2] inactive listing zset, KEYS[3] revision counter,
-- KEYS[4] card refresh schedule zset, KEYS[5] agent hash
-- ARGV[1] id, ARGV[2] now in milliseconds, ARGV[3] invalidation channel,
-- ARGV[4] key prefix of the agent number -> id buckets, ARGV[5] agent numbers per bucket,
-- ARGV[6] the record's index terms, packed, derived by the caller from its card,
-- ARGV[7] the revision of the record ARGV[6] was derived from, ARGV[8..13] the term layout,
-- ARGV[14] the prefix of the lower-case forms of ids (lib/agent-ids.lua),
-- ARGV[15] the change log stream, ARGV[16] its length (lib/changes.lua)
-- ARGV[17..18] the extension catalog (lib/extension-catalog.lua), ARGV[19] the set of the
-- agents' last change times, ARGV[20..21] the tombstones (lib/changes.lua), ARGV[22] the index
-- term of deprecated agents, ARGV[23..25] the probe schedule (lib/probe-schedule.lua): its due
-- seconds, claims and per-second sets' prefix
-- Answers 'purged'; 'skipped' when it is not due or no longer inactive; 'retry' when the record
-- changed since its terms were derived.
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not deadline or tonumber(deadline) > tonumber(ARGV[2]) then
  return {'skipped'}
end
local current = redis.call('HMGET', KEYS[5], 'status', 'revision', 'n', 'owner', 'ls')
if current[1] ~= 'inactive' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {'skipped'}
end
if current[2] ~= ARGV[7] then
  return {'retry'}
end
redis.call('ZREM', KEYS[1], ARGV[1])
unscheduleProbe(probeSchedule(ARGV[23], ARGV[25], ARGV[24]), KEYS[5], current[3])
local layout = termLayout(ARGV, 8)
local terms = storedMemberships(ARGV[6], true, current[5] == 'deprecated', layout, ARGV[22])
removeAgent(ARGV[1], current[3], KEYS[5], terms, layout, catalogLayout(ARGV, 17),
  {prefix = ARGV[4], perBucket = ARGV[5], casePrefix = ARGV[14]}, {KEYS[2], KEYS[4]})
local revision = redis.call('INCR', KEYS[3])
local log = changeLog(ARGV[3], ARGV[15], ARGV[16], ARGV[19])
leaveTombstone(log, tombstoneStore(ARGV[20], ARGV[21]), current[3], ARGV[1], revision, ARGV[2], current[4])
recordChange(log, ARGV[1], revision, ARGV[2], 'purged', nil, nil, nil)
return {'purged'}
