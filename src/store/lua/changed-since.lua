-- One page of what changed at or after a time: agents by the time of their last change (the set
-- `changed`, agent numbers), and when asked the tombstones of deleted agents (by the time they were
-- deleted, ids), merged in (time, kind, key) order with agents ('a') before tombstones ('d') of the
-- same millisecond. Its work is bounded by the page: each set is ranged by rank from the cursor
-- (ZCOUNT finds the millisecond; a binary search the key within it), at most `limit` from each.
-- KEYS[1] changed agents zset, KEYS[2] tombstones zset, KEYS[3] tombstone info hash
-- ARGV[1] since (ms), ARGV[2] the cursor's time (ms; '' for none), ARGV[3] its kind ('a' or 'd'),
-- ARGV[4] its key (an agent number or a tombstone's id), ARGV[5] limit, ARGV[6] '1' to include
-- tombstones, ARGV[7] key prefix of the agent number -> id buckets, ARGV[8] numbers per bucket
-- Answers {total, entries: kind, ms, key, id or 'revision owner', ...}.
local changed, tombstones, info = KEYS[1], KEYS[2], KEYS[3]
local since, limit, withDeleted = ARGV[1], tonumber(ARGV[5]), ARGV[6] == '1'
local afterMs, afterKind, afterKey = ARGV[2], ARGV[3], ARGV[4]

-- Whether `a` sorts before `b` byte by byte, as Redis orders the members of one score (Lua's own
-- comparison follows the server's collation locale, which may not).
local function bytesBefore(a, b)
  local length = math.min(#a, #b)
  for k = 1, length do
    local x, y = string.byte(a, k), string.byte(b, k)
    if x ~= y then return x < y end
  end
  return #a < #b
end

-- The rank of the first member of `key` after (ms, member): the members of one score are in
-- member order, so a binary search over that score's ranks finds it.
local function rankAfter(key, ms, member)
  local low = redis.call('ZCOUNT', key, '-inf', '(' .. ms)
  local high = low + redis.call('ZCOUNT', key, ms, ms)
  while low < high do
    local middle = math.floor((low + high) / 2)
    if not bytesBefore(member, redis.call('ZRANGE', key, middle, middle)[1]) then low = middle + 1 else high = middle end
  end
  return low
end

-- Where each set's page starts.
local function startOf(key, kind)
  if afterMs == '' then return redis.call('ZCOUNT', key, '-inf', '(' .. since) end
  if afterKind == kind then return rankAfter(key, afterMs, afterKey) end
  -- The cursor is in the other set: agents of its millisecond came before it, tombstones come after.
  if kind == 'a' then return redis.call('ZCOUNT', key, '-inf', afterMs) end
  return redis.call('ZCOUNT', key, '-inf', '(' .. afterMs)
end

local function pageOf(key, kind)
  local start = startOf(key, kind)
  local flat = redis.call('ZRANGE', key, start, start + limit - 1, 'WITHSCORES')
  local rows = {}
  for i = 1, #flat, 2 do rows[#rows + 1] = {kind = kind, key = flat[i], ms = tonumber(flat[i + 1])} end
  return rows
end

local total = redis.call('ZCOUNT', changed, since, '+inf')
local agents, deleted = pageOf(changed, 'a'), {}
if withDeleted then
  total = total + redis.call('ZCOUNT', tombstones, since, '+inf')
  deleted = pageOf(tombstones, 'd')
end

local function before(a, b)
  if a.ms ~= b.ms then return a.ms < b.ms end
  if a.kind ~= b.kind then return a.kind < b.kind end
  return bytesBefore(a.key, b.key)
end
local page, i, j = {}, 1, 1
while #page < limit and (agents[i] or deleted[j]) do
  if deleted[j] == nil or (agents[i] and before(agents[i], deleted[j])) then
    page[#page + 1] = agents[i]
    i = i + 1
  else
    page[#page + 1] = deleted[j]
    j = j + 1
  end
end

local out = {digits(total)}
for _, row in ipairs(page) do
  local detail
  if row.kind == 'a' then
    detail = redis.call('HGET', ARGV[7] .. digits(math.floor(tonumber(row.key) / tonumber(ARGV[8]))), row.key) or ''
  else
    detail = redis.call('HGET', info, row.key) or ''
  end
  out[#out + 1] = row.kind
  out[#out + 1] = digits(row.ms)
  out[#out + 1] = row.key
  out[#out + 1] = detail
end
return out
