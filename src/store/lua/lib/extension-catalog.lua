-- The extension catalog (src/store/extension-catalog.ts): a sorted set of the URIs (folded, as the
-- `ext` index terms hold them) that at least one agent declares, all at score 0 for pages by
-- ZRANGEBYLEX, and a hash per URI with when it was first and last seen, who declared it first and
-- the trust level an admin gave it. Who declares or requires an extension is not copied here: the
-- index sets of the terms `ext:URI` and `extreq:URI` hold it, and their sizes are the counts.

-- The catalog arguments, two of them from ARGV[at]: the catalog key and the prefix of the hashes.
local function catalogLayout(args, at)
  return { catalog = args[at], infoPrefix = args[at + 1] }
end

local EXTENSION_KIND = 'ext:'
local EXTENSION_KIND_FIRST_BYTE = string.byte(EXTENSION_KIND)

-- The URI of an `ext:` term, or nil for a term of another kind. Every term of a save passes here:
-- its first byte rules out most without building a string.
local function extensionOf(term)
  if string.byte(term) == EXTENSION_KIND_FIRST_BYTE and string.sub(term, 1, 4) == EXTENSION_KIND then return string.sub(term, 5) end
  return nil
end

-- Records the extensions among a saved card's terms: each enters the catalog, seen now.
local function catalogDeclared(catalog, terms, nowMs, id)
  for _, term in ipairs(terms) do
    local uri = extensionOf(term)
    if uri then
      local key = catalog.infoPrefix .. uri
      redis.call('ZADD', catalog.catalog, 0, uri)
      redis.call('HSETNX', key, 'firstSeen', nowMs)
      redis.call('HSETNX', key, 'firstBy', id)
      redis.call('HSET', key, 'lastSeen', nowMs)
    end
  end
end

-- Drops from the catalog the extensions among `terms` that no agent declares any more (run after
-- the index memberships moved and were flushed); their trust level goes with them.
local function catalogForgetUnused(catalog, layout, terms)
  for _, term in ipairs(terms) do
    local uri = extensionOf(term)
    if uri and redis.call('EXISTS', layout.smallPrefix .. term, layout.countPrefix .. term) == 0 then
      redis.call('ZREM', catalog.catalog, uri)
      redis.call('DEL', catalog.infoPrefix .. uri)
    end
  end
end

-- How many agents belong to a term: its count when large, its set's size when small.
local function termSize(layout, term)
  local count = largeCountOf(redis.call('GET', layout.countPrefix .. term))
  if count then return count end
  return redis.call('SCARD', layout.smallPrefix .. term)
end

-- One catalog entry as the store reads it: uri, firstSeen, lastSeen, firstBy, trust, declaring, requiring.
local function catalogRow(catalog, layout, uri)
  local info = redis.call('HMGET', catalog.infoPrefix .. uri, 'firstSeen', 'lastSeen', 'firstBy', 'trust')
  return {uri, info[1] or '0', info[2] or '0', info[3] or '', info[4] or 'unverified',
    digits(termSize(layout, 'ext:' .. uri)), digits(termSize(layout, 'extreq:' .. uri))}
end
