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

-- A removed agent gives up its number -> id pair, its hash and the lower-case form of its id.
local function releaseAgent(id, number, agentKey, idsPrefix, numbersPerBucket, casePrefix)
  redis.call('HDEL', idsPrefix .. digits(math.floor(tonumber(number) / tonumber(numbersPerBucket))), number)
  redis.call('DEL', agentKey)
  releaseIdCase(id, casePrefix)
end
