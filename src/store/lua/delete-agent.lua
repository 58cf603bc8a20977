-- Removes an agent record and every index membership it had in one atomic step.
-- The keys and arguments, in the order RedisAgentStore.delete sends them, are named below.
local agentKey, inactiveListing, revisionCounter, activeListing = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local livenessDeadlines, purgeDeadlines, refreshSchedule = KEYS[5], KEYS[6], KEYS[7]
-- expectedRevision: '' for none.
local id, expectedRevision, channel, nowMs = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
-- deleter: the deleting principal ('' for the registry itself).
local deleter, deleterIsAdmin = ARGV[5], ARGV[6] == '1'
-- The number -> id buckets: their key prefix and how many numbers each holds.
local agentIdsPrefix, numbersPerBucket = ARGV[7], ARGV[8]
-- The record's index terms, packed, derived by the caller from its card, and the revision they
-- were derived from.
local storedTerms, storedTermsRevision = ARGV[9], ARGV[10]
-- ARGV[11..16]: the term layout (lib/term-index.lua).
local TERM_LAYOUT_AT = 11
-- The idempotency claim: its key ('' for none), how long its outcome is kept (s), and the lines of
-- the outcome the caller knows (the request's fingerprint first).
local idempotencyKey, keptSeconds, knownOutcome = ARGV[17], ARGV[18], ARGV[19]
-- The prefix of the lower-case forms of ids (lib/agent-ids.lua).
local idCasePrefix = ARGV[20]
-- The change log (lib/changes.lua): its stream and length.
-- ARGV[25] is the set of the agents' last change times.
local log = changeLog(channel, ARGV[21], ARGV[22], ARGV[25])
-- ARGV[23..24]: the extension catalog (lib/extension-catalog.lua).
local CATALOG_AT = 23
-- The tombstones (lib/changes.lua), and the index term of deprecated agents.
local tombstones = tombstoneStore(ARGV[26], ARGV[27])
local deprecatedTerm = ARGV[28]
-- The probe schedule (lib/probe-schedule.lua): its due seconds, claims and per-second sets' prefix.
local probes = probeSchedule(ARGV[29], ARGV[31], ARGV[30])

local kept = keptOutcome(idempotencyKey)
if kept then
  return {'replay', kept}
end
local current = redis.call('HMGET', agentKey, 'revision', 'owner', 'n', 'status', 'ls')
local currentRevision, currentOwner, currentNumber, currentStatus = current[1], current[2], current[3], current[4]
if currentRevision == false then
  return {'missing', '0'}
end
if deleter ~= '' and not deleterIsAdmin and currentOwner and currentOwner ~= deleter then
  return {'forbidden', currentRevision}
end
if expectedRevision ~= '' and currentRevision ~= expectedRevision then
  return {'stale', currentRevision}
end
if currentRevision ~= storedTermsRevision then
  return {'retry', currentRevision}
end
local layout = termLayout(ARGV, TERM_LAYOUT_AT)
unscheduleProbe(probes, agentKey, currentNumber)
local terms = storedMemberships(storedTerms, currentStatus == 'inactive', current[5] == 'deprecated', layout, deprecatedTerm)
removeAgent(id, currentNumber, agentKey, terms, layout, catalogLayout(ARGV, CATALOG_AT),
  {prefix = agentIdsPrefix, perBucket = numbersPerBucket, casePrefix = idCasePrefix},
  {inactiveListing, activeListing, livenessDeadlines, purgeDeadlines, refreshSchedule})
-- The removal takes a revision of its own, so a replica never caches what it read before it.
local revision = redis.call('INCR', revisionCounter)
leaveTombstone(log, tombstones, currentNumber, id, revision, nowMs, currentOwner)
recordChange(log, id, revision, nowMs, 'deleted', nil, nil, nil)
keepOutcome(idempotencyKey, keptSeconds, knownOutcome .. '\n' .. currentRevision)
return {'ok', currentRevision}
