-- Proven domains, as the write scripts read them (src/store/domain-claims.ts holds the same rules
-- for the embedded store). The hash `ownersKey` maps each proven domain to the principal that
-- proved it; a domain covers itself and every host below it, and the most specific one wins.

-- The hosts of a record, kept as one space-separated field.
local function hostList(text)
  local hosts = {}
  for host in string.gmatch(text or '', '%S+') do hosts[#hosts + 1] = host end
  return hosts
end

-- A host and every domain above it, most specific first; an IP address has none above it (as
-- URLs parse them, a host of digits and dots is an IPv4 address, one with a colon an IPv6 one).
local function domainsOf(host)
  if string.find(host, ':', 1, true) or string.find(host, '^[%d.]+$') then return {host} end
  local domains = {host}
  local dot = string.find(host, '.', 1, true)
  while dot do
    domains[#domains + 1] = string.sub(host, dot + 1)
    dot = string.find(host, '.', dot + 1, true)
  end
  return domains
end

-- For each host (by position), the proven domain that covers it and its owner, or nothing: one
-- HMGET of at most 16 interfaces' domains.
local function hostClaims(ownersKey, hosts)
  local candidates, spans = {}, {}
  for i, host in ipairs(hosts) do
    local domains = domainsOf(host)
    spans[i] = #candidates
    for _, domain in ipairs(domains) do candidates[#candidates + 1] = domain end
  end
  local claims = {}
  if #candidates == 0 then return claims end
  local owners = redis.call('HMGET', ownersKey, unpack(candidates))
  for i = 1, #hosts do
    local last = (spans[i + 1] or #candidates)
    for j = spans[i] + 1, last do
      if owners[j] then
        claims[i] = {domain = candidates[j], owner = owners[j]}
        break
      end
    end
  end
  return claims
end

-- The first proven domain among the hosts that another principal than `writer` owns, or nil.
local function refusingDomain(claims, count, writer)
  for i = 1, count do
    local claim = claims[i]
    if claim and claim.owner ~= writer then return claim.domain end
  end
  return nil
end

-- Whether every host lies on a domain `owner` proved (no hosts: not verified).
local function domainVerified(claims, count, owner)
  if count == 0 then return false end
  for i = 1, count do
    local claim = claims[i]
    if not claim or claim.owner ~= owner then return false end
  end
  return true
end

-- The one owner the proven domains give the hosts, or nil when none is proven or they disagree.
local function domainOwner(claims, count)
  local found = nil
  for i = 1, count do
    local claim = claims[i]
    if claim then
      if found and found ~= claim.owner then return nil end
      found = claim.owner
    end
  end
  return found
end
