-- Every change to an agent is told twice, in the same atomic step as the change itself: appended
-- to the change log, a stream that readers page through and resume from (src/changes/), and
-- published on the invalidation channel that every replica's cache listens to
-- (src/cache/invalidation-subscriber.ts) as 'id revision writtenAtMs eventId'. Every script that
-- changes an agent calls recordChange.

-- Where a script tells its changes: the invalidation channel, the stream, and about how many
-- events the stream keeps (it is trimmed in whole nodes, so a few more may stay).
local function changeLog(channel, stream, keep)
  return {channel = channel, stream = stream, keep = keep}
end

-- `kind`: what happened (CHANGE_KINDS in src/store/change-log.ts); `summary`: the record's summary as JSON when
-- the card changed, else nil. Returns the event's id in the stream.
local function recordChange(log, id, revision, writtenAtMs, kind, summary)
  local fields = {'a', id, 'k', kind, 'r', digits(revision), 't', writtenAtMs}
  if summary then
    fields[#fields + 1] = 's'
    fields[#fields + 1] = summary
  end
  local eventId = redis.call('XADD', log.stream, 'MAXLEN', '~', log.keep, '*', unpack(fields))
  redis.call('PUBLISH', log.channel, id .. ' ' .. digits(revision) .. ' ' .. writtenAtMs .. ' ' .. eventId)
  return eventId
end
