-- The term index: for each term, the numbers of the agents that belong to it (src/store/term-layout.ts).
-- A term with at most smallMax members is one set, smallPrefix .. term. Past that it is large: one
-- set per bucket of bucketWidth agent numbers, bucketPrefix .. bucket .. ':' .. term, each small
-- enough to stay an intset, and the string countPrefix .. term holds its member count. A large
-- term stays large until it has no member left; searches walk it bucket by bucket, in number order.

-- The layout arguments, six of them from ARGV[at].
local function termLayout(args, at)
  return {
    smallPrefix = args[at],
    bucketPrefix = args[at + 1],
    countPrefix = args[at + 2],
    bucketWidth = tonumber(args[at + 3]),
    smallMax = tonumber(args[at + 4]),
    inactiveTerm = args[at + 5],
  }
end

local function bucketOf(layout, number)
  return math.floor(number / layout.bucketWidth)
end

-- The prefix of the bucket keys of the bucket that holds `number`, built once per agent: turning a
-- number into text is a large share of a write's time when done per term.
local function bucketKeyPrefix(layout, bucket)
  return layout.bucketPrefix .. digits(bucket) .. ':'
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

-- A stored count as the writer keeps it: a number for a large term, false for any other.
local function largeCountOf(text)
  return text and tonumber(text) or false
end

-- Member counts of large terms (false for a term that is not large) into `into`, term by term.
local function readLargeCounts(layout, terms, into)
  for from = 1, #terms, LOOKUP_CHUNK do
    local to = math.min(from + LOOKUP_CHUNK - 1, #terms)
    local counts = storedCounts(layout, terms, from, to)
    for i = from, to do into[terms[i]] = largeCountOf(counts[i - from + 1]) end
  end
end

-- A writer of index memberships for one script run: adds and removes agent numbers, moves a term
-- that outgrows smallMax into buckets, and writes the changed member counts once, at flush().
local function termWriter(layout)
  local counts = {}
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
    readLargeCounts(layout, unknown, counts)
  end

  local function largeCount(term)
    if counts[term] == nil then readLargeCounts(layout, {term}, counts) end
    return counts[term]
  end

  local function promote(term, key)
    local members = redis.call('SMEMBERS', key)
    local byBucket = {}
    for _, member in ipairs(members) do
      local bucket = bucketOf(layout, tonumber(member))
      local list = byBucket[bucket]
      if not list then
        list = {}
        byBucket[bucket] = list
      end
      list[#list + 1] = member
    end
    for bucket, list in pairs(byBucket) do redis.call('SADD', bucketKeyPrefix(layout, bucket) .. term, unpack(list)) end
    -- Freed by Redis's background thread: the set is past smallMax members, a hashtable that takes
    -- a while to free, during which every client would wait.
    redis.call('UNLINK', key)
    counts[term] = #members
    changed[term] = true
  end

  -- The memberships of one agent; `number` is its number as text.
  function writer.agent(number)
    local inBucket = bucketKeyPrefix(layout, bucketOf(layout, tonumber(number)))
    local agent = {}

    -- Adds the agent to `term`, whose large count (false: not large) the caller looked up.
    local function addCounted(term, count)
      if count then
        if redis.call('SADD', inBucket .. term, number) == 1 then
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
        if redis.call('SREM', inBucket .. term, number) == 1 then
          counts[term] = count - 1
          changed[term] = true
        end
        return
      end
      redis.call('SREM', layout.smallPrefix .. term, number)
    end

    -- Adds an agent that belongs to no term yet to every term of `terms`: each chunk's counts are
    -- read in one MGET and used as they come, without the lookup table and second pass that
    -- preload and add take (a new agent's save spends most of its time here).
    function agent.addAll(terms)
      for from = 1, #terms, LOOKUP_CHUNK do
        local to = math.min(from + LOOKUP_CHUNK - 1, #terms)
        local stored = storedCounts(layout, terms, from, to)
        for i = from, to do
          local term = terms[i]
          -- A count this writer changed is newer than the stored one.
          local count = counts[term]
          if count == nil then count = largeCountOf(stored[i - from + 1]) end
          addCounted(term, count)
        end
      end
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

  -- Writes the member counts of the large terms that changed; a large term without members is gone.
  function writer.flush()
    local set, gone = {}, {}
    for term in pairs(changed) do
      if counts[term] > 0 then
        set[#set + 1] = layout.countPrefix .. term
        set[#set + 1] = digits(counts[term])
      else
        gone[#gone + 1] = layout.countPrefix .. term
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
