-- Agent ids compare without case: no id may differ from another only in case. Ids are ASCII (see
-- src/agents/agent-id.ts), so string.lower folds them. An id with capitals holds its lower-case
-- form under `casePrefix`; a lower-case id is its own form, the name of its agent hash.

-- The id of another agent that `id` differs from only in case, or nil.
local function idTakenInOtherCase(id, agentPrefix, casePrefix)
  local folded = string.lower(id)
  local holder = redis.call('GET', casePrefix .. folded)
  if holder and holder ~= id then return holder end
  if folded ~= id and redis.call('EXISTS', agentPrefix .. folded) == 1 then return folded end
  return nil
end

-- Marks the lower-case form of a new agent's id as taken.
local function holdIdCase(id, casePrefix)
  local folded = string.lower(id)
  if folded ~= id then redis.call('SET', casePrefix .. folded, id) end
end

-- Frees the lower-case form of a removed agent's id.
local function releaseIdCase(id, casePrefix)
  local folded = string.lower(id)
  if folded ~= id and redis.call('GET', casePrefix .. folded) == id then redis.call('DEL', casePrefix .. folded) end
end

-- A new agent takes the next agent number, kept in its bucket of number -> id pairs; the lower-case
-- form of its id is held, and the tombstone of an earlier agent of that id goes. Returns the number.
local function admitAgent(id, numberCounter, idsPrefix, numbersPerBucket, casePrefix, tombstones)
  local number = digits(redis.call('INCR', numberCounter))
  redis.call('HSET', idsPrefix .. digits(math.floor(tonumber(number) / tonumber(numbersPerBucket))), number, id)
  holdIdCase(id, casePrefix)
  clearTombstone(tombstones, id)
  return number
end

-- The index term of an agent's probe status (`probeTerm` in src/store/probe-outcome.ts).
local function probeTermOf(status)
  return 'probe:' .. status
end

-- The index terms a stored agent belongs to: its card's (packed, derived by the caller from the card)
-- and the inactive and deprecated terms where it has them.
local function storedMemberships(packed, inactive, deprecated, layout, deprecatedTerm)
  local terms = termList(packed)
  if inactive then terms[#terms + 1] = layout.inactiveTerm end
  if deprecated then terms[#terms + 1] = deprecatedTerm end
  return terms
end

-- Removes a stored agent everywhere: its memberships of `terms` (lib/term-index.lua), what the
-- extension catalog counts of it (lib/extension-catalog.lua), its number -> id pair (`ids`: the
-- buckets' key prefix, numbers per bucket, the prefix of lower-case forms of ids), its hash, the
-- lower-case form of its id, and its entries in the sorted sets `listed` (listings, schedules).
local function removeAgent(id, number, agentKey, terms, layout, catalog, ids, listed)
  -- The probe term is the worker's, not the card's: the hash says which one the agent is in.
  local probed = redis.call('HGET', agentKey, 'ps')
  if probed then terms[#terms + 1] = probeTermOf(probed) end
  local index = termWriter(layout)
  index.agent(number).move(terms, {})
  index.flush()
  catalogForgetUnused(catalog, layout, terms)
  redis.call('HDEL', ids.prefix .. digits(math.floor(tonumber(number) / tonumber(ids.perBucket))), number)
  redis.call('DEL', agentKey)
  releaseIdCase(id, ids.casePrefix)
  for _, key in ipairs(listed) do redis.call('ZREM', key, id) end
end
