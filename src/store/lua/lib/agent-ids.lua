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
