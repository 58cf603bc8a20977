-- Reads a page of the change log, with what a reader needs to trust it, in one atomic step.
-- KEYS[1] the change log stream, KEYS[2] the data set's epoch
-- ARGV[1] read strictly after this event id ('' from the oldest kept), ARGV[2] most events,
-- ARGV[3] a new epoch token, written when the data set has none yet
-- Answers: the epoch, the id of the last event ever added ('0-0' for none), a position no earlier
-- than the last event trimmed away ('0-0' for none), and the events as XRANGE gives them.
local epoch = redis.call('SET', KEYS[2], ARGV[3], 'NX', 'GET') or ARGV[3]
-- An error here means there is no log yet.
local info = redis.pcall('XINFO', 'STREAM', KEYS[1])
if info.err then
  return {epoch, '0-0', '0-0', {}}
end
local last, length, added, first = '0-0', 0, 0, nil
for i = 1, #info, 2 do
  local field, value = info[i], info[i + 1]
  if field == 'last-generated-id' then last = value end
  if field == 'length' then length = value end
  if field == 'entries-added' then added = value end
  if field == 'first-entry' and value then first = value[1] end
end
-- Trimming leaves no record of what it removed (max-deleted-entry-id tracks only XDEL), but every
-- event before the first one kept is gone once fewer are kept than were added: the reader is told
-- the position just before the first one kept.
local trimmed = '0-0'
if added > length and first then
  local ms, seq = string.match(first, '^(%d+)-(%d+)$')
  if tonumber(seq) > 0 then
    trimmed = ms .. '-' .. digits(tonumber(seq) - 1)
  else
    trimmed = digits(tonumber(ms) - 1) .. '-999999999999999'
  end
end
-- XRANGE with COUNT 0 answers nil, not an empty list.
if tonumber(ARGV[2]) == 0 then
  return {epoch, last, trimmed, {}}
end
local start = '-'
if ARGV[1] ~= '' then start = '(' .. ARGV[1] end
return {epoch, last, trimmed, redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', tonumber(ARGV[2]))}
