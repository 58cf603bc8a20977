-- Writes agent records, moves their index memberships and marks them alive: a batch of saves, run
-- one after another, each as atomic as the whole script (src/store/save-batches.ts). KEYS and ARGV
-- hold one save after another, SAVE_KEYS keys and SAVE_ARGS arguments each, in the order
-- RedisAgentStore.save sends them, named in `save` below. The saves share one term writer, so the
-- member counts of the terms they share are read once and written once, at the end.
local SAVE_KEYS, SAVE_ARGS = 9, 44
-- ARGV[19..24] of every save: the term layout (lib/term-index.lua), the same for all of them.
local layout = termLayout(ARGV, 19)
local index = termWriter(layout)

local function save(KEYS, ARGV)
  local agentKey, inactiveListing, revisionCounter, activeListing = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
  local livenessDeadlines, purgeDeadlines, refreshSchedule, agentNumberCounter = KEYS[5], KEYS[6], KEYS[7], KEYS[8]
  -- domainOwners: proven domain -> the principal that proved it (lib/domain-owners.lua).
  local domainOwners = KEYS[9]
  -- expectedRevision: '' for none; mustNotExist: '1' when the agent must not exist yet.
  local id, expectedRevision, mustNotExist = ARGV[1], ARGV[2], ARGV[3]
  -- card: as the hash keeps it (packed in layout 5: src/store/stored-card.ts); meta: the summary fields
  -- kept beside it; newTerms: its index terms, packed (lib/packed-terms.lua).
  local card, meta, channel, newTerms = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
  -- ttlArg: liveness TTL in seconds (0: off; '': keep the agent's, or defaultTtl for a new agent).
  local ttlArg, nowMs, defaultTtl = ARGV[8], ARGV[9], ARGV[10]
  local writer, writerIsAdmin = ARGV[11], ARGV[12] == '1'
  -- sourceUrl: where the card was fetched from ('' when the client sent it); nextRefreshMs: when again.
  local sourceUrl, nextRefreshMs = ARGV[13], ARGV[14]
  -- The number -> id buckets: their key prefix and how many numbers each holds.
  local agentIdsPrefix, numbersPerBucket = ARGV[15], ARGV[16]
  -- The index terms of the stored record, packed, derived by the caller from its card, and the
  -- revision they were derived from ('' when the caller saw none).
  local storedTerms, storedTermsRevision = ARGV[17], ARGV[18]
  -- ARGV[19..24]: the term layout, which the batch's term writer read (below).
  -- The idempotency claim: its key ('' for none), how long its outcome is kept (s), and the lines of
  -- the outcome the caller knows (the request's fingerprint first).
  local idempotencyKey, keptSeconds, knownOutcome = ARGV[25], ARGV[26], ARGV[27]
  -- The prefixes of agent hashes and of the lower-case forms of ids (lib/agent-ids.lua); the digest
  -- of the card's name, and whether the write must keep the stored card's name ('1': the id was
  -- derived from the name, and the client did not name a revision to replace).
  local agentPrefix, idCasePrefix, nameDigest, sameNameRequired = ARGV[28], ARGV[29], ARGV[30], ARGV[31] == '1'
  -- The change log (lib/changes.lua): its stream and length; the record's summary for its event, and
  -- the kind of change when the caller knows better than 'registered' or 'updated' ('' otherwise).
  -- ARGV[39] is the set of the agents' last change times.
  local log = changeLog(channel, ARGV[32], ARGV[33], ARGV[39])
  local summary, changeKind = ARGV[34], ARGV[35]
  -- The card's interface hosts, space-separated.
  local hostsText = ARGV[36]
  -- ARGV[37..38]: the extension catalog (lib/extension-catalog.lua).
  local CATALOG_AT = 37
  -- The tombstones of deleted agents (lib/changes.lua): a new agent clears the one of its id.
  local tombstones = tombstoneStore(ARGV[40], ARGV[41])
  -- The publisher's identifier of an AI Catalog entry ('' to keep the agent's, if it has one).
  local airIdentifier = ARGV[42]
  -- The probe schedule (lib/probe-schedule.lua): its due seconds and their sets' prefix.
  local probes = probeSchedule(ARGV[43], ARGV[44], nil)

  local kept = keptOutcome(idempotencyKey)
  if kept then
    return {'replay', kept}
  end
  local current = redis.call('HMGET', agentKey, 'revision', 'createdAt', 'ttl', 'owner', 'card', 'n', 'status', 'nm', 'ls', 'lm', 'lt', 'air')
  local currentRevision, currentCreatedAt, currentTtl, currentOwner = current[1], current[2], current[3], current[4]
  local currentCard, currentNumber, currentStatus, currentNameDigest = current[5], current[6], current[7], current[8]
  -- The lifecycle its owner set (absent: active), which a new card keeps.
  local lifecycle, lifecycleMessage, lifecycleAt = current[9] or '', current[10] or '', current[11] or ''
  local exists = currentRevision ~= false
  if airIdentifier == '' then airIdentifier = current[12] or '' end
  -- Read in this same step as the write, so a domain proven a moment before cannot be squatted.
  local hosts = hostList(hostsText)
  local claims = hostClaims(domainOwners, hosts)
  if not writerIsAdmin then
    local refusing = refusingDomain(claims, #hosts, writer)
    if refusing then return {'domain', currentRevision or '0', refusing} end
  end
  if exists and currentOwner and currentOwner ~= writer and not writerIsAdmin then
    return {'forbidden', currentRevision}
  end
  if exists and mustNotExist == '1' then
    return {'conflict', currentRevision}
  end
  if expectedRevision ~= '' and currentRevision ~= expectedRevision then
    return {'stale', currentRevision or '0'}
  end
  if not exists then
    local holder = idTakenInOtherCase(id, agentPrefix, idCasePrefix)
    if holder then return {'taken', '0', holder} end
  end
  -- Records written before names were kept have none, and are not held to it.
  if exists and sameNameRequired and currentNameDigest and currentNameDigest ~= nameDigest then
    return {'renamed', currentRevision}
  end
  -- The hash keeps no copy of its terms; the caller derives the old ones and must derive them again
  -- when the record changed since.
  if exists and currentRevision ~= storedTermsRevision then
    return {'retry', currentRevision}
  end

  -- Index sets hold the agent's number, not its id: sets of integers are stored as compact intsets.
  local number = currentNumber
  if not exists then
    number = admitAgent(id, agentNumberCounter, agentIdsPrefix, numbersPerBucket, idCasePrefix, tombstones)
  end
  -- A new agent, or one stored before probes existed (it has no due second), is due at once.
  if not exists or redis.call('HEXISTS', agentKey, 'pd') == 0 then scheduleProbeAt(probes, agentKey, number, nowMs) end

  local agent = index.agent(number)
  local terms = termList(newTerms)
  local had = {}
  if exists then
    had = termList(storedTerms)
    if currentStatus == 'inactive' then had[#had + 1] = layout.inactiveTerm end
    agent.move(had, terms)
  else
    -- A new agent has no memberships to compare.
    agent.addAll(terms)
  end
  -- The counts of the terms it left must be written before the catalog asks which terms are gone;
  -- a new agent left none, and its counts are written with the rest of the batch's.
  if #had > 0 then index.flush() end
  local catalog = catalogLayout(ARGV, CATALOG_AT)
  catalogDeclared(catalog, terms, nowMs, id)
  catalogForgetUnused(catalog, layout, had)

  local ttl = ttlArg
  if ttl == '' then ttl = currentTtl or defaultTtl end
  local revision = redis.call('INCR', revisionCounter)
  local createdAt = nowMs
  local owner = writer
  if exists then
    createdAt = currentCreatedAt
    owner = currentOwner or writer
  end
  if sourceUrl ~= '' then
    -- A card kept in step with its source keeps the revision it replaces, for comparison.
    if exists and currentCard ~= card then
      redis.call('HSET', agentKey, 'prevCard', currentCard, 'prevRevision', currentRevision)
    end
    redis.call('HSET', agentKey, 'source', sourceUrl)
    redis.call('ZADD', refreshSchedule, tonumber(nextRefreshMs), id)
  elseif exists then
    redis.call('HDEL', agentKey, 'source', 'prevCard', 'prevRevision')
    redis.call('ZREM', refreshSchedule, id)
  end
  local verified = domainVerified(claims, #hosts, owner) and '1' or '0'
  redis.call('HSET', agentKey, 'card', card, 'meta', meta, 'revision', revision,
    'createdAt', createdAt, 'updatedAt', nowMs, 'status', 'active', 'ttl', ttl, 'owner', owner, 'n', number,
    'nm', nameDigest, 'hosts', hostsText, 'dv', verified)
  if airIdentifier ~= '' then redis.call('HSET', agentKey, 'air', airIdentifier) end
  if currentStatus == 'inactive' then redis.call('ZREM', inactiveListing, id) end
  redis.call('ZADD', activeListing, 0, id)
  redis.call('ZREM', purgeDeadlines, id)
  ttl = tonumber(ttl) or 0
  if ttl > 0 then
    redis.call('ZADD', livenessDeadlines, tonumber(nowMs) + ttl * 1000, id)
  else
    redis.call('ZREM', livenessDeadlines, id)
  end
  if changeKind == '' then changeKind = exists and 'updated' or 'registered' end
  recordChange(log, id, revision, nowMs, changeKind, summary, number, nil)
  keepOutcome(idempotencyKey, keptSeconds,
    table.concat({knownOutcome, digits(revision), createdAt, nowMs, digits(ttl), exists and '0' or '1', verified,
      -- JSON, so that a status message's line breaks stay inside its line.
      cjson.encode({lifecycle, lifecycleMessage, lifecycleAt})}, '\n'))
  return {'ok', digits(revision), createdAt, exists and '0' or '1', digits(ttl), owner, verified, lifecycle, lifecycleMessage, lifecycleAt, airIdentifier}
end

-- A save that fails (a key of the wrong type, Redis out of memory) fails alone, with what it had
-- written so far; the memberships it added are counted with the others'.
local function failure(problem)
  if type(problem) == 'table' then problem = problem.err end
  return {'failed', tostring(problem)}
end

local replies = {}
for at = 0, #KEYS / SAVE_KEYS - 1 do
  local keys = {unpack(KEYS, at * SAVE_KEYS + 1, (at + 1) * SAVE_KEYS)}
  local args = {unpack(ARGV, at * SAVE_ARGS + 1, (at + 1) * SAVE_ARGS)}
  local ok, reply = pcall(save, keys, args)
  replies[at + 1] = ok and reply or failure(reply)
end
index.flush()
return replies
