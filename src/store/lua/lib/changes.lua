-- Every change to an agent is told twice, in the same atomic step as the change itself: appended
-- to the change log, a stream that readers page through and resume from (src/changes/), and
-- published on the invalidation channel that every replica's cache listens to
-- (src/cache/invalidation-subscriber.ts) as 'id revision writtenAtMs eventId'. Every script that
-- changes an agent calls recordChange. The time of an agent's last change is kept too, in the
-- sorted set `changed` (agent number by ms), which listings of what changed since a time range.

-- Where a script tells its changes: the invalidation channel, the stream, about how many events
-- the stream keeps (it is trimmed in whole nodes, so a few more may stay), and the set of the
-- agents' last change times.
local function changeLog(channel, stream, keep, changed)
  return {channel = channel, stream = stream, keep = keep, changed = changed}
end

-- `kind`: what happened (CHANGE_KINDS in src/store/change-log.ts); `summary`: the record's summary
-- as JSON when the card changed, else nil; `number`: the agent's number while it has one (nil for a
-- removal, which calls leaveTombstone); `extra`: more fields of the event (field, value, ...), or
-- nil. Returns the event's id in the stream.
local function recordChange(log, id, revision, writtenAtMs, kind, summary, number, extra)
  local fields = {'a', id, 'k', kind, 'r', digits(revision), 't', writtenAtMs}
  if summary then
    fields[#fields + 1] = 's'
    fields[#fields + 1] = summary
  end
  if extra then
    for _, value in ipairs(extra) do fields[#fields + 1] = value end
  end
  if number then redis.call('ZADD', log.changed, writtenAtMs, number) end
  local eventId = redis.call('XADD', log.stream, 'MAXLEN', '~', log.keep, '*', unpack(fields))
  redis.call('PUBLISH', log.channel, id .. ' ' .. digits(revision) .. ' ' .. writtenAtMs .. ' ' .. eventId)
  return eventId
end

-- Tombstones of deleted agents: `tombstones` (id by the time it was deleted, ms) and
-- `tombstoneInfo` (id -> 'revision owner'), kept until the worker's sweep removes them.
local function tombstoneStore(tombstones, info)
  return {tombstones = tombstones, info = info}
end

-- An agent (number `number`) was removed: it leaves the set of changes by time, and its tombstone takes its place.
local function leaveTombstone(log, store, number, id, revision, atMs, owner)
  redis.call('ZREM', log.changed, number)
  redis.call('ZADD', store.tombstones, atMs, id)
  redis.call('HSET', store.info, id, digits(revision) .. ' ' .. (owner or ''))
end

-- A new agent takes an id: the tombstone of an earlier agent of that id goes.
local function clearTombstone(store, id)
  if redis.call('ZREM', store.tombstones, id) == 1 then redis.call('HDEL', store.info, id) end
end
