-- Sets the lifecycle an owner (or an admin) gives an agent, in one atomic step: its deprecated
-- index membership, a new revision, the invalidation and a 'status_changed' event.
-- KEYS[1] agent hash, KEYS[2] revision counter
-- ARGV[1] id, ARGV[2] expected revision ('' for none), ARGV[3] the principal asking ('' for the
-- registry itself), ARGV[4] '1' when it is an admin, ARGV[5] 'active' or 'deprecated', ARGV[6]
-- the status message ('' for none), ARGV[7] now in milliseconds, ARGV[8] invalidation channel,
-- ARGV[9] the change log stream, ARGV[10] its length, ARGV[11] the set of the agents' last change
-- times (lib/changes.lua), ARGV[12..17] the term layout, ARGV[18] the index term of deprecated agents
-- Answers {'ok', revision} or a refusal ('missing', 'forbidden', 'stale') with the current revision.
local agentKey, revisionCounter = KEYS[1], KEYS[2]
local id, expectedRevision, actor, actorIsAdmin = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1'
local status, message, nowMs = ARGV[5], ARGV[6], ARGV[7]
local deprecatedTerm = ARGV[18]

local current = redis.call('HMGET', agentKey, 'revision', 'owner', 'n', 'ls')
local currentRevision, currentOwner, number, wasDeprecated = current[1], current[2], current[3], current[4] == 'deprecated'
if currentRevision == false then return {'missing', '0'} end
if actor ~= '' and not actorIsAdmin and currentOwner and currentOwner ~= actor then
  return {'forbidden', currentRevision}
end
if expectedRevision ~= '' and currentRevision ~= expectedRevision then
  return {'stale', currentRevision}
end
local deprecated = status == 'deprecated'
if deprecated ~= wasDeprecated then
  local index = termWriter(termLayout(ARGV, 12))
  if deprecated then index.agent(number).add(deprecatedTerm) else index.agent(number).remove(deprecatedTerm) end
  index.flush()
end
local revision = redis.call('INCR', revisionCounter)
-- An active agent keeps no lifecycle field: absent means active, as on records older than lifecycles.
if deprecated then redis.call('HSET', agentKey, 'ls', status) else redis.call('HDEL', agentKey, 'ls') end
if message ~= '' then redis.call('HSET', agentKey, 'lm', message) else redis.call('HDEL', agentKey, 'lm') end
redis.call('HSET', agentKey, 'revision', revision, 'lt', nowMs)
local extra = {'l', status}
if message ~= '' then
  extra[3] = 'm'
  extra[4] = message
end
recordChange(changeLog(ARGV[8], ARGV[9], ARGV[10], ARGV[11]), id, revision, nowMs, 'status_changed', nil, number, extra)
return {'ok', digits(revision)}
