-- One page of the extension catalog in URI order, from a cursor, keeping the entries whose URI
-- holds a text and whose trust level is among some. Its work is bounded by the page and a walk
-- budget, never by the catalog: it reads the catalog a chunk at a time and stops at the page or
-- when it has examined its budget of entries, answering where it stopped.
-- KEYS[1] the catalog, ARGV[1] the prefix of its hashes (lib/extension-catalog.lua), ARGV[2..7] the
-- term layout (lib/term-index.lua),
-- ARGV[8] the URI to start after ('' from the first), ARGV[9] entries wanted, ARGV[10] walk budget,
-- ARGV[11] text the URI must hold ('' for any), ARGV[12] trust levels to keep, space-separated ('' for any).
-- Answers {rows (7 fields each, see catalogRow), the last URI examined when the budget was spent
-- before the catalog's end ('' otherwise), the catalog's size, entries examined}.
local catalog = { catalog = KEYS[1], infoPrefix = ARGV[1] }
local layout = termLayout(ARGV, 2)
local after, wanted, budget = ARGV[8], tonumber(ARGV[9]), tonumber(ARGV[10])
local contains, trustArg = ARGV[11], ARGV[12]
local trusted = nil
if trustArg ~= '' then
  trusted = {}
  for level in string.gmatch(trustArg, '%S+') do trusted[level] = true end
end

local CHUNK = 100
local rows, found, examined = {}, 0, 0
local min = '-'
if after ~= '' then min = '(' .. after end
local stoppedAt = ''
while found < wanted do
  if examined >= budget then
    stoppedAt = string.sub(min, 2)
    break
  end
  local asked = math.min(CHUNK, budget - examined)
  local chunk = redis.call('ZRANGEBYLEX', catalog.catalog, min, '+', 'LIMIT', 0, asked)
  for _, uri in ipairs(chunk) do
    examined = examined + 1
    min = '(' .. uri
    -- The cheap tests first: the URI's text costs no call, its trust level one; the row only for a match.
    local kept = contains == '' or string.find(uri, contains, 1, true)
    if kept and trusted then
      kept = trusted[redis.call('HGET', catalog.infoPrefix .. uri, 'trust') or 'unverified']
    end
    if kept then
      for _, field in ipairs(catalogRow(catalog, layout, uri)) do rows[#rows + 1] = field end
      found = found + 1
      if found == wanted then break end
    end
  end
  if #chunk < asked then break end
end
return {rows, stoppedAt, redis.call('ZCARD', catalog.catalog), examined}
