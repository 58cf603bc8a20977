-- The term index: for each term, the numbers of the agents that belong to it (src/store/term-layout.ts).
-- A term with at most smallMax members is one set, smallPrefix .. term. Past that it is large, in
-- one of two forms decided when it outgrows its set, and the string countPrefix .. term holds its
-- member count:
-- - bucketed: one set per bucket of bucketWidth agent numbers, bucketPrefix .. bucket .. ':' .. term,
--   each small enough to stay an intset; the count is plain digits.
-- - dense (when more than 1 in denseShare of the numbers up to its highest member belonged to it
--   then; never when denseShare is 0): one bitmap per chunk of CHUNK_BUCKETS buckets, densePrefix ..
--   chunk .. ':' .. term, where bit n - chunk * chunkWidth is set when agent n belongs. Every chunk
--   from 0 to the highest one used exists, created at its full length (a bitmap grown bit by bit is
--   given about twice the memory); the count is -(count * CHUNK_SLOTS + highest chunk), so that a
--   save, which reads a hundred or more counts, reads each with arithmetic rather than string work.
-- A large term stays in its form until it has no member left. Searches walk it bucket by bucket,
-- in number order; a dense term's bucket is a range of bucketWidth / 8 bytes of its chunk.

-- Buckets per bitmap chunk of a dense term: 65,536 agent numbers at the default bucket width.
local CHUNK_BUCKETS = 64
-- How many chunks a dense term's count has room for: 268 million agent numbers at the default width.
local CHUNK_SLOTS = 4096

-- The layout arguments, six of them from ARGV[at]: the small, bucket, count and dense key
-- prefixes, 'bucketWidth smallMax denseShare', and the term of inactive agents.
local function termLayout(args, at)
  local bucketWidth, smallMax, denseShare = string.match(args[at + 4], '^(%d+) (%d+) (%d+)$')
  bucketWidth = tonumber(bucketWidth)
  return {
    smallPrefix = args[at],
    bucketPrefix = args[at + 1],
    countPrefix = args[at + 2],
    densePrefix = args[at + 3],
    bucketWidth = bucketWidth,
    chunkWidth = bucketWidth * CHUNK_BUCKETS,
    smallMax = tonumber(smallMax),
    denseShare = tonumber(denseShare),
    inactiveTerm = args[at + 5],
  }
end

local function bucketOf(layout, number)
  return math.floor(number / layout.bucketWidth)
end

local function chunkOf(layout, number)
  return math.floor(number / layout.chunkWidth)
end

-- The prefix of the bucket keys of the bucket that holds `number`, built once per agent: turning a
-- number into text is a large share of a write's time when done per term.
local function bucketKeyPrefix(layout, bucket)
  return layout.bucketPrefix .. digits(bucket) .. ':'
end

-- The prefix of the keys of a dense term's chunk `chunk`.
local function chunkKeyPrefix(layout, chunk)
  return layout.densePrefix .. digits(chunk) .. ':'
end

-- An empty chunk at its full length, made once per script run.
local function emptyChunk(layout)
  if not layout.emptyChunk then layout.emptyChunk = string.rep('\0', layout.chunkWidth / 8) end
  return layout.emptyChunk
end

-- Terms whose member counts one MGET reads.
local LOOKUP_CHUNK = 500

-- The stored member counts of terms[from..to], as one MGET answers them.
local function storedCounts(layout, terms, from, to)
  local keys, size = {}, 0
  for i = from, to do
    size = size + 1
    keys[size] = layout.countPrefix .. terms[i]
  end
  return redis.call('MGET', unpack(keys))
end

-- A stored count as the writer keeps it: the member count of a large term (false for any other),
-- and for a dense one its highest chunk (nil for a bucketed one).
local function largeCountOf(text)
  local value = text and tonumber(text)
  if not value then return false, nil end
  if value >= 0 then return value, nil end
  return math.floor(-value / CHUNK_SLOTS), -value % CHUNK_SLOTS
end

-- The stored count of a dense term.
local function denseCountText(count, top)
  return digits(-(count * CHUNK_SLOTS + top))
end

-- Member counts of large terms (false for a term that is not large) into `into`, and the highest
-- chunks of the dense ones into `chunks`, term by term.
local function readLargeCounts(layout, terms, into, chunks)
  for from = 1, #terms, LOOKUP_CHUNK do
    local to = math.min(from + LOOKUP_CHUNK - 1, #terms)
    local counts = storedCounts(layout, terms, from, to)
    for i = from, to do into[terms[i]], chunks[terms[i]] = largeCountOf(counts[i - from + 1]) end
  end
end

-- Sets the bits of `numbers` (any chunks) in dense `term`'s chunks, a batch of them per command.
local SET_BITS_BATCH = 256
local function setBits(layout, term, numbers)
  table.sort(numbers)
  local i = 1
  while i <= #numbers do
    local chunk = chunkOf(layout, numbers[i])
    local base = chunk * layout.chunkWidth
    local args, size = {}, 0
    while i <= #numbers and chunkOf(layout, numbers[i]) == chunk and size < 4 * SET_BITS_BATCH do
      args[size + 1], args[size + 2], args[size + 3], args[size + 4] = 'SET', 'u1', digits(numbers[i] - base), '1'
      size = size + 4
      i = i + 1
    end
    redis.call('BITFIELD', chunkKeyPrefix(layout, chunk) .. term, unpack(args))
  end
end

-- A writer of index memberships for one script run: adds and removes agent numbers, moves a term
-- that outgrows smallMax into buckets or bitmap chunks, and writes the changed member counts once,
-- at flush().
local function termWriter(layout)
  local counts = {}
  -- The highest chunk of each dense term (nil for any other).
  local tops = {}
  local changed = {}
  local writer = {}

  -- Looks up the layout of many terms at once, so that adding and removing need no lookup of their own.
  function writer.preload(terms)
    local unknown, size = {}, 0
    for i = 1, #terms do
      local term = terms[i]
      if counts[term] == nil then
        size = size + 1
        unknown[size] = term
      end
    end
    readLargeCounts(layout, unknown, counts, tops)
  end

  local function largeCount(term)
    if counts[term] == nil then readLargeCounts(layout, {term}, counts, tops) end
    return counts[term]
  end

  -- Creates dense `term`'s chunks after its highest one up to `chunk`, empty.
  local function growChunks(term, chunk)
    if chunk >= CHUNK_SLOTS then error('a dense term has room for ' .. CHUNK_SLOTS .. ' bitmap chunks') end
    for each = tops[term] + 1, chunk do redis.call('SET', chunkKeyPrefix(layout, each) .. term, emptyChunk(layout)) end
    tops[term] = chunk
    changed[term] = true
  end

  local function promote(term, key)
    local members = redis.call('SMEMBERS', key)
    local numbers, highest = {}, 0
    for i, member in ipairs(members) do
      local number = tonumber(member)
      numbers[i] = number
      if number > highest then highest = number end
    end
    if layout.denseShare > 0 and #numbers * layout.denseShare > highest + 1 then
      tops[term] = -1
      growChunks(term, chunkOf(layout, highest))
      setBits(layout, term, numbers)
    else
      local byBucket = {}
      for i, member in ipairs(members) do
        local bucket = bucketOf(layout, numbers[i])
        local list = byBucket[bucket]
        if not list then
          list = {}
          byBucket[bucket] = list
        end
        list[#list + 1] = member
      end
      for bucket, list in pairs(byBucket) do redis.call('SADD', bucketKeyPrefix(layout, bucket) .. term, unpack(list)) end
    end
    -- Freed by Redis's background thread: the set is past smallMax members, a hashtable that takes
    -- a while to free, during which every client would wait.
    redis.call('UNLINK', key)
    counts[term] = #members
    changed[term] = true
  end

  -- The memberships of one agent; `number` is its number as text.
  function writer.agent(number)
    local value = tonumber(number)
    local inBucket = bucketKeyPrefix(layout, bucketOf(layout, value))
    local chunk = chunkOf(layout, value)
    local inChunk = chunkKeyPrefix(layout, chunk)
    local bit = digits(value - chunk * layout.chunkWidth)
    local agent = {}

    -- Adds the agent to `term`, whose large count (false: not large) the caller looked up.
    local function addCounted(term, count)
      if count then
        local added
        if tops[term] then
          if chunk > tops[term] then growChunks(term, chunk) end
          -- The value as text, like the offset: Redis turns a number argument into text as a float, every call.
          added = redis.call('SETBIT', inChunk .. term, bit, '1') == 0
        else
          added = redis.call('SADD', inBucket .. term, number) == 1
        end
        if added then
          counts[term] = count + 1
          changed[term] = true
        end
        return
      end
      local key = layout.smallPrefix .. term
      if redis.call('SADD', key, number) == 1 and redis.call('SCARD', key) > layout.smallMax then promote(term, key) end
    end

    function agent.add(term)
      addCounted(term, largeCount(term))
    end

    function agent.remove(term)
      local count = largeCount(term)
      if count then
        local removed
        if tops[term] then
          removed = chunk <= tops[term] and redis.call('SETBIT', inChunk .. term, bit, '0') == 1
        else
          removed = redis.call('SREM', inBucket .. term, number) == 1
        end
        if removed then
          counts[term] = count - 1
          changed[term] = true
        end
        return
      end
      redis.call('SREM', layout.smallPrefix .. term, number)
    end

    -- Adds an agent that belongs to no term yet to every term of `terms`; the counts this writer
    -- does not know yet (a batch's earlier saves read the ones they share) are read first.
    function agent.addAll(terms)
      writer.preload(terms)
      for _, term in ipairs(terms) do addCounted(term, counts[term]) end
    end

    -- Moves the agent from the terms it had to the ones it has now.
    function agent.move(had, wanted)
      local keep = {}
      for _, term in ipairs(wanted) do keep[term] = true end
      local gone, all = {}, {}
      for _, term in ipairs(had) do
        if keep[term] then
          keep[term] = 'had'
        else
          gone[#gone + 1] = term
          all[#all + 1] = term
        end
      end
      for _, term in ipairs(wanted) do
        if keep[term] ~= 'had' then all[#all + 1] = term end
      end
      writer.preload(all)
      for _, term in ipairs(gone) do agent.remove(term) end
      for _, term in ipairs(wanted) do
        if keep[term] ~= 'had' then agent.add(term) end
      end
    end

    return agent
  end

  -- Writes the member counts of the large terms that changed; a large term without members is
  -- gone, with its chunks when dense, and small again for the rest of the run.
  function writer.flush()
    local set, gone = {}, {}
    for term in pairs(changed) do
      local count, top = counts[term], tops[term]
      if count > 0 then
        set[#set + 1] = layout.countPrefix .. term
        set[#set + 1] = top and denseCountText(count, top) or digits(count)
      else
        gone[#gone + 1] = layout.countPrefix .. term
        for chunk = 0, top or -1 do gone[#gone + 1] = chunkKeyPrefix(layout, chunk) .. term end
        counts[term], tops[term] = false, nil
      end
    end
    for from = 1, #set, 2 * LOOKUP_CHUNK do
      redis.call('MSET', unpack(set, from, math.min(from + 2 * LOOKUP_CHUNK - 1, #set)))
    end
    for from = 1, #gone, LOOKUP_CHUNK do
      redis.call('DEL', unpack(gone, from, math.min(from + LOOKUP_CHUNK - 1, #gone)))
    end
    changed = {}
  end

  return writer
end
