-- A mirror's one write (src/follow/): puts an agent as its source holds it (the source's revision,
-- times, status and card bytes), or removes it, and stores the mirror's place in the source's change
-- log, all in one atomic step, so that a restart never resumes past a change it did not apply nor
-- before one it did. Writes nothing unless the caller holds the mirror's lock.
local agentKey, inactiveListing, revisionCounter, activeListing = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local livenessDeadlines, purgeDeadlines, refreshSchedule, agentNumberCounter = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
local mirrorLock, mirrorPosition = KEYS[9], KEYS[10]
-- mode: 'put', 'remove' or 'none' (the position alone); lockToken: the caller's lock token;
-- cursor: the source's cursor to store ('' to leave the position as it is) and sourceTag: whose.
local id, mode, lockToken, cursor, sourceTag = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
-- ARGV[41] is the set of the agents' last change times (lib/changes.lua).
local log = changeLog(ARGV[6], ARGV[7], ARGV[8], ARGV[41])
-- The number -> id buckets: their key prefix and how many numbers each holds.
local agentIdsPrefix, numbersPerBucket = ARGV[9], ARGV[10]
-- The index terms of the stored record, packed, derived by the caller from its card, and the
-- revision they were derived from ('' when the caller saw none).
local storedTerms, storedTermsRevision = ARGV[11], ARGV[12]
-- ARGV[13..18]: the term layout (lib/term-index.lua); ARGV[20..21]: the extension catalog.
local TERM_LAYOUT_AT, CATALOG_AT = 13, 20
local idCasePrefix = ARGV[19]
-- revision: the source's revision of the change ('' for a removal the source gave none: the
-- mirror's counter gives one); newerOnly: '1' to apply a put only over an older stored revision,
-- '0' (a snapshot, which is the source's word) over any other; kind and atMs: the change event
-- (kind '' for a put: 'registered' or 'updated', as the mirror held the agent or not).
local revision, newerOnly, kind, atMs = ARGV[22], ARGV[23] == '1', ARGV[24], ARGV[25]
-- The record of a put: card (as the hash keeps it), kept summary, packed terms, times (ms), status, TTL, where the source
-- fetches its card from, the revision it replaced, domain verified ('1'), owner changes (JSON),
-- interface hosts, name digest, the summary for the change event, and the snapshot mark ('' none).
local card, meta, newTerms, createdAtMs, updatedAtMs = ARGV[26], ARGV[27], ARGV[28], ARGV[29], ARGV[30]
local status, ttl, sourceUrl, previousRevision, verified = ARGV[31], ARGV[32], ARGV[33], ARGV[34], ARGV[35]
local owners, hostsText, nameDigest, summary, snapshotMark = ARGV[36], ARGV[37], ARGV[38], ARGV[39], ARGV[40]
-- The tombstones (lib/changes.lua), the index term of deprecated agents, and the lifecycle of a
-- put as the source shows it: status ('' for active), message ('' for none), when set (ms, '').
local tombstones = tombstoneStore(ARGV[42], ARGV[43])
local deprecatedTerm = ARGV[44]
local lifecycle, lifecycleMessage, lifecycleAt = ARGV[45], ARGV[46], ARGV[47]
-- The publisher's identifier of a put, as the source shows it ('' for none).
local airIdentifier = ARGV[48]

if redis.call('GET', mirrorLock) ~= lockToken then
  return {'fenced'}
end
local current = redis.call('HMGET', agentKey, 'revision', 'n', 'status', 'ls')
local currentRevision, currentNumber, currentStatus, currentDeprecated = current[1], current[2], current[3], current[4] == 'deprecated'
local exists = currentRevision ~= false
local outcome = 'skipped'

-- The mirror's counter never falls behind a revision it holds: a removal it numbers itself comes after.
local function raiseCounter(to)
  local counter = tonumber(redis.call('GET', revisionCounter) or '0')
  if counter < tonumber(to) then redis.call('SET', revisionCounter, to) end
end

local function memberships(packed, inactive, deprecated, layout)
  return storedMemberships(packed, inactive, deprecated, layout, deprecatedTerm)
end

if mode == 'put' then
  local wanted = not exists or (newerOnly and tonumber(revision) > tonumber(currentRevision)) or (not newerOnly and revision ~= currentRevision)
  if wanted then
    if exists and currentRevision ~= storedTermsRevision then return {'retry'} end
    local number = currentNumber
    if not exists then
      number = admitAgent(id, agentNumberCounter, agentIdsPrefix, numbersPerBucket, idCasePrefix, tombstones)
    end
    local layout = termLayout(ARGV, TERM_LAYOUT_AT)
    local index = termWriter(layout)
    local had = {}
    local terms = memberships(newTerms, status == 'inactive', lifecycle == 'deprecated', layout)
    if exists then
      had = memberships(storedTerms, currentStatus == 'inactive', currentDeprecated, layout)
      index.agent(number).move(had, terms)
    else
      index.agent(number).addAll(terms)
    end
    index.flush()
    local catalog = catalogLayout(ARGV, CATALOG_AT)
    catalogDeclared(catalog, terms, updatedAtMs, id)
    catalogForgetUnused(catalog, layout, had)
    redis.call('HSET', agentKey, 'card', card, 'meta', meta, 'revision', revision, 'createdAt', createdAtMs,
      'updatedAt', updatedAtMs, 'status', status, 'ttl', ttl, 'n', number, 'nm', nameDigest, 'hosts', hostsText, 'dv', verified)
    -- Fields the source may have had on the previous copy and no longer has.
    redis.call('HDEL', agentKey, 'source', 'prevRevision', 'prevCard', 'owners', 'ls', 'lm', 'lt', 'air')
    if lifecycle ~= '' then redis.call('HSET', agentKey, 'ls', lifecycle) end
    if lifecycleMessage ~= '' then redis.call('HSET', agentKey, 'lm', lifecycleMessage) end
    if lifecycleAt ~= '' then redis.call('HSET', agentKey, 'lt', lifecycleAt) end
    if sourceUrl ~= '' then redis.call('HSET', agentKey, 'source', sourceUrl) end
    if airIdentifier ~= '' then redis.call('HSET', agentKey, 'air', airIdentifier) end
    if previousRevision ~= '' then redis.call('HSET', agentKey, 'prevRevision', previousRevision) end
    if owners ~= '' then redis.call('HSET', agentKey, 'owners', owners) end
    if status == 'inactive' then
      redis.call('ZREM', activeListing, id)
      redis.call('ZADD', inactiveListing, 0, id)
    else
      redis.call('ZREM', inactiveListing, id)
      redis.call('ZADD', activeListing, 0, id)
    end
    -- The source expires, purges and refreshes its agents; its events tell the mirror.
    redis.call('ZREM', livenessDeadlines, id)
    redis.call('ZREM', purgeDeadlines, id)
    redis.call('ZREM', refreshSchedule, id)
    raiseCounter(revision)
    if kind == '' then kind = exists and 'updated' or 'registered' end
    if summary == '' then summary = nil end
    local extra = nil
    if kind == 'status_changed' then
      extra = {'l', lifecycle == '' and 'active' or lifecycle}
      if lifecycleMessage ~= '' then
        extra[3] = 'm'
        extra[4] = lifecycleMessage
      end
    end
    recordChange(log, id, revision, atMs, kind, summary, number, extra)
    outcome = 'applied'
  end
  if snapshotMark ~= '' then redis.call('HSET', agentKey, 'ms', snapshotMark) end
elseif mode == 'remove' and exists and (revision == '' or tonumber(revision) > tonumber(currentRevision)) then
  if currentRevision ~= storedTermsRevision then return {'retry'} end
  local layout = termLayout(ARGV, TERM_LAYOUT_AT)
  local terms = memberships(storedTerms, currentStatus == 'inactive', currentDeprecated, layout)
  removeAgent(id, currentNumber, agentKey, terms, layout, catalogLayout(ARGV, CATALOG_AT),
    {prefix = agentIdsPrefix, perBucket = numbersPerBucket, casePrefix = idCasePrefix},
    {inactiveListing, activeListing, livenessDeadlines, purgeDeadlines, refreshSchedule})
  if revision == '' then
    revision = redis.call('INCR', revisionCounter)
  else
    raiseCounter(revision)
  end
  leaveTombstone(log, tombstones, currentNumber, id, revision, atMs, '')
  recordChange(log, id, revision, atMs, kind, nil, nil, nil)
  outcome = 'applied'
end
if cursor ~= '' then
  redis.call('HSET', mirrorPosition, 'cursor', cursor, 'source', sourceTag)
end
return {outcome}
