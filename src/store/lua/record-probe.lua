-- Keeps a probe's result, and when a claimed agent is probed next, in one atomic step. Only a change
-- of the probe status touches more: the agent moves from one probe term of the index to the other,
-- takes a revision (so that caches drop their copy) and the change log tells `probe_changed`.
-- KEYS[1] agent hash, KEYS[2] revision counter, KEYS[3] the due seconds, KEYS[4] the claims
-- ARGV[1] id, ARGV[2] status, ARGV[3] the detail (src/store/probe-outcome.ts), ARGV[4] next probe
-- (ms), ARGV[5] now (ms), ARGV[6] invalidation channel, ARGV[7] the change log stream, ARGV[8] its
-- length, ARGV[9] the set of the agents' last change times (lib/changes.lua), ARGV[10..15] the
-- term layout, ARGV[16] prefix of the per-second sets (lib/probe-schedule.lua)
-- Answers {'missing'} when the agent is gone, {'same', revision} or {'changed', revision}.
local agentKey, revisionCounter = KEYS[1], KEYS[2]
local id, status, detail, nextMs, nowMs = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

local current = redis.call('HMGET', agentKey, 'revision', 'n', 'ps')
local revision, number, previous = current[1], current[2], current[3]
if revision == false then return {'missing'} end
redis.call('HSET', agentKey, 'pr', detail)
rescheduleClaimed(probeSchedule(KEYS[3], ARGV[16], KEYS[4]), agentKey, number, nextMs)
if previous == status then return {'same', revision} end
local index = termWriter(termLayout(ARGV, 10))
local agent = index.agent(number)
if previous then agent.remove(probeTermOf(previous)) end
agent.add(probeTermOf(status))
index.flush()
revision = redis.call('INCR', revisionCounter)
redis.call('HSET', agentKey, 'ps', status, 'revision', revision)
recordChange(changeLog(ARGV[6], ARGV[7], ARGV[8], ARGV[9]), id, revision, nowMs, 'probe_changed', nil, number, {'p', status, 'q', previous or ''})
return {'changed', digits(revision)}
