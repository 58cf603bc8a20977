-- Brings a batch of agents in line with the proven domains (RedisAgentStore.settleDomainAgents):
-- each agent is read again here, so a write that slipped in since the caller found it is seen. An
-- agent whose claimed hosts all belong to one principal becomes that principal's, the change kept
-- on it; its 'dv' (domain verified) is computed again. Changed agents are announced like any write.
-- The work is bounded by the batch the caller sends (and each agent's at most 16 interfaces).
local domainOwners, revisionCounter = KEYS[1], KEYS[2]
local agentPrefix, channel, nowMs, reason, maxChanges = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
-- The change log (lib/changes.lua): its stream and length, and the set of the agents' last change times.
local log = changeLog(channel, ARGV[6], ARGV[7], ARGV[8])
local FIRST_ID = 9

local settled = {}
for i = FIRST_ID, #ARGV do
  local id = ARGV[i]
  local agentKey = agentPrefix .. id
  local current = redis.call('HMGET', agentKey, 'revision', 'owner', 'hosts', 'dv', 'owners', 'n')
  if current[1] then
    local hosts = hostList(current[3])
    local claims = hostClaims(domainOwners, hosts)
    local owner = current[2] or ''
    local newOwner = domainOwner(claims, #hosts) or owner
    local verified = domainVerified(claims, #hosts, newOwner) and '1' or '0'
    if newOwner ~= owner or verified ~= (current[4] or '0') then
      local revision = redis.call('INCR', revisionCounter)
      redis.call('HSET', agentKey, 'revision', revision, 'updatedAt', nowMs, 'dv', verified)
      if newOwner ~= owner then
        local changes = current[5] and cjson.decode(current[5]) or {}
        changes[#changes + 1] = {from = owner, to = newOwner, at = nowMs, reason = reason}
        while #changes > maxChanges do table.remove(changes, 1) end
        redis.call('HSET', agentKey, 'owner', newOwner, 'owners', cjson.encode(changes))
      end
      local kind = 'domain_unverified'
      if newOwner ~= owner then kind = 'owner_changed' elseif verified == '1' then kind = 'domain_verified' end
      recordChange(log, id, revision, nowMs, kind, nil, current[6], nil)
      settled[#settled + 1] = id
      settled[#settled + 1] = digits(revision)
      settled[#settled + 1] = newOwner
      settled[#settled + 1] = newOwner ~= owner and '1' or '0'
    end
  end
end
return settled
