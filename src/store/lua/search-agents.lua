-- One page of the agents that belong to every match term, in rank order: with preferred terms,
-- tier 0 holds the matches that belong to every preferred term too and tier 1 the others;
-- deprecated agents follow in tiers of their own in the same order (2 and 3; without preferred
-- terms, tier 0 and then tier 1); within a tier, by agent number. Its work is bounded by the page, never by the matches or the
-- agents: a small term's set is read whole (it holds at most smallMax numbers) or asked for a few
-- candidates, large terms are
-- walked one bucket at a time from the cursor (a dense term's bucket is a range of its bitmap),
-- and the walk stops once it has the page or has spent its budget, answering where it stopped.
-- KEYS[1] agent number counter
-- ARGV[1..6] the term layout (lib/term-index.lua), ARGV[7] tier to start in, ARGV[8] agent number
-- to start after (0: from the first), ARGV[9] hits wanted, ARGV[10] walk budget, ARGV[11] cost
-- of visiting a bucket, ARGV[12] cost of a membership command, ARGV[13] count budget, ARGV[14]
-- buckets sampled for an estimate, ARGV[15] '1' to leave inactive agents out, ARGV[16] number of
-- match terms m, ARGV[17] the index term of deprecated agents, ARGV[18] a recent estimate of the
-- match terms' total to answer instead of making one ('' for none), ARGV[19..18+m] the match terms,
-- ARGV[19+m..] the preferred terms.
-- Answers {hits (tier, number, tier, number, ...; the replica maps numbers to ids, see
-- src/store/agent-ids-by-number.ts), tier and number where the walk stopped
-- with its budget spent ('' when it did not), total, '1' when the total is exact, work spent, the
-- agent number counter}.
local layout = termLayout(ARGV, 1)
local width = layout.bucketWidth
local bucketBytes = width / 8
local wanted = tonumber(ARGV[9])
local budget = tonumber(ARGV[10])
local visitCost = tonumber(ARGV[11])
local callCost = tonumber(ARGV[12])
local countBudget = tonumber(ARGV[13])
local samples = tonumber(ARGV[14])
local lastNumber = tonumber(redis.call('GET', KEYS[1]) or '0')
local lastBucket = bucketOf(layout, lastNumber)

local matchCount = tonumber(ARGV[16])
local deprecatedTerm = ARGV[17]
local knownEstimate = tonumber(ARGV[18])
local match, preferred = {}, {}
for i = 19, #ARGV do
  if i < 19 + matchCount then match[#match + 1] = ARGV[i] else preferred[#preferred + 1] = ARGV[i] end
end

-- A key builder for bucket or chunk keys: the prefix of each bucket (chunk) is built once.
local function keyBuilder(prefixOf)
  local prefixes = {}
  return function(term, at)
    local prefix = prefixes[at]
    if not prefix then
      prefix = prefixOf(layout, at)
      prefixes[at] = prefix
    end
    return prefix .. term
  end
end
local bucketKey, chunkKey = keyBuilder(bucketKeyPrefix), keyBuilder(chunkKeyPrefix)

-- Member counts, which terms are large, and the highest chunk of the dense ones. The stored counts
-- of every term a tier may look at are read at once, with one command.
local sizes, large, tops, largeCounts = {}, {}, {}, {}
do
  local every = {layout.inactiveTerm, deprecatedTerm}
  for i = 18, #ARGV do every[#every + 1] = ARGV[i] end
  readLargeCounts(layout, every, largeCounts, tops)
end
local function sizeOf(term)
  if sizes[term] == nil then
    if largeCounts[term] == nil then readLargeCounts(layout, {term}, largeCounts, tops) end
    if largeCounts[term] then
      sizes[term], large[term] = largeCounts[term], true
    else
      sizes[term] = redis.call('SCARD', layout.smallPrefix .. term)
    end
  end
  return sizes[term]
end

-- Members as numbers, ascending. Intsets answer in order already, so the sort is mostly skipped.
local function ascending(members)
  local numbers, inOrder = {}, true
  for i, member in ipairs(members) do
    local number = tonumber(member)
    numbers[i] = number
    if i > 1 and number < numbers[i - 1] then inOrder = false end
  end
  if not inOrder then table.sort(numbers) end
  return numbers
end

-- A small term's members, read once: `size` of them, `members` ascending (as text or numbers: read
-- each with tonumber), `all()` as a plain list of numbers and `has` as a lookup, each made when first
-- asked for. An intset (what every small set is under the recommended Redis settings) answers in
-- ascending order already, so its members are kept as Redis gave them and become numbers only as
-- they are looked at: a page of a term of hundreds of agents converts about a page of them.
local smallSets = {}
local function smallSet(term)
  local set = smallSets[term]
  if set then return set end
  local key = layout.smallPrefix .. term
  local members = redis.call('SMEMBERS', key)
  if redis.pcall('OBJECT', 'ENCODING', key) ~= 'intset' then members = ascending(members) end
  set = setmetatable({size = #members, members = members}, {
    __index = function(self, field)
      if field ~= 'has' then return nil end
      local has = {}
      for i = 1, self.size do has[tonumber(members[i])] = true end
      self.has = has
      return has
    end,
  })
  function set.all()
    local list = {}
    for i = 1, set.size do list[i] = tonumber(members[i]) end
    return list
  end
  -- The position of the first member past `after` (size + 1 when there is none).
  function set.firstAfter(after)
    local low, high = 1, set.size + 1
    while low < high do
      local middle = math.floor((low + high) / 2)
      if tonumber(members[middle]) <= after then low = middle + 1 else high = middle end
    end
    return low
  end
  smallSets[term] = set
  return set
end

-- `terms` rarest first (sizes known), so that the first check drops most candidates.
local function rarestFirst(terms)
  local ordered = {}
  for i, term in ipairs(terms) do ordered[i] = term end
  table.sort(ordered, function(a, b) return sizeOf(a) < sizeOf(b) end)
  return ordered
end

-- The smallest of `terms` and its size; size 0 when one of them has no member.
local function driverOf(terms)
  local driver, least
  for _, term in ipairs(terms) do
    local size = sizeOf(term)
    if least == nil or size < least then driver, least = term, size end
  end
  return driver, least
end

-- The share of all agents that may belong to every one of `terms`, from their sizes as if they
-- were independent.
local function expectedDensity(terms)
  local density = 1
  for _, term in ipairs(terms) do density = density * math.min(1, sizeOf(term) / math.max(1, lastNumber)) end
  return density
end

local spent = 0
-- The most candidates of a small term's walk checked together: a batch of them costs about one
-- command per large term when they share its bucket or chunk.
local RUN_MOST = 64

-- Up to `most` numbers from `members[i]` on (ascending, as text or numbers, `size` of them), and
-- the index of the first member after them.
local function runOf(members, size, i, most)
  local run, count = {}, 0
  while i <= size and count < most do
    count = count + 1
    run[count] = tonumber(members[i])
    i = i + 1
  end
  return run, i
end

-- Bit masks of a byte's bits, as Redis numbers them: bit 0 is the most significant.
local MASKS = {128, 64, 32, 16, 8, 4, 2, 1}
local band, byteAt = bit.band, string.byte

-- Whole chunks of dense terms this run has read, by key: once a walk checks several candidates in a
-- chunk, every later check there (a later run of candidates, another tier) is a lookup.
local wholeChunks = {}
-- Candidates of one chunk from which its whole bitmap is read rather than their bits, when they lie
-- across a quarter of it or more: each bit asked for is a Redis argument to make and an answer to
-- convert, dearer than the bytes of a chunk are to copy once it is read for several of them, and
-- then reused. Candidates closer together are read as one range of bytes.
local WHOLE_CHUNK_LEAST = 8
-- Bytes read that a walk is charged as one candidate examined: copying bytes into the script is far
-- cheaper than checking a candidate, but a chunk is thousands of them.
local BYTES_PER_CANDIDATE = 256

-- Of `kept[first..last]`, ascending and all in chunk `chunk` (at or below the highest), adds those
-- in dense `term` to `survivors`: looked up in the chunk's bitmap when this run has read it or reads
-- it now for them, else read as one range when they lie close together, else asked for bit by bit (a
-- few candidates far apart). Answers what the walk is charged for it: nothing for a lookup in a
-- chunk read before.
local function keepDense(term, chunk, kept, first, last, survivors)
  local base, key = chunk * layout.chunkWidth, chunkKey(term, chunk)
  local bits, from, charge = wholeChunks[key], 0, 0
  local count = last - first + 1
  if not bits then
    from = math.floor((kept[first] - base) / 8)
    local to = math.floor((kept[last] - base) / 8)
    if count >= WHOLE_CHUNK_LEAST and (to - from + 1) * 4 >= layout.chunkWidth / 8 then
      bits, from = redis.call('GET', key) or '', 0
      wholeChunks[key] = bits
      charge = callCost + math.floor(#bits / BYTES_PER_CANDIDATE)
    elseif to - from < BYTES_PER_CANDIDATE * count then
      -- One candidate always: a byte is as cheap an answer as a bit.
      bits = redis.call('GETRANGE', key, from, to)
      charge = callCost + math.floor(#bits / BYTES_PER_CANDIDATE)
    else
      local args = {}
      for i = first, last do
        local at = 3 * (i - first)
        args[at + 1], args[at + 2], args[at + 3] = 'GET', 'u1', digits(kept[i] - base)
      end
      local flags = redis.call('BITFIELD_RO', key, unpack(args))
      for i = first, last do
        if flags[i - first + 1] == 1 then survivors[#survivors + 1] = kept[i] end
      end
      return callCost
    end
  end
  -- Bit n of `bits` is set when its byte, modulo twice its mask, is at least the mask: arithmetic
  -- only, besides reading the byte, as this runs for every candidate a walk checks. A bitmap's
  -- missing bytes are zero.
  local offset, size = base + from * 8, #survivors
  for i = first, last do
    local number = kept[i]
    local bit = number - offset
    local within = bit % 8
    local byte = byteAt(bits, (bit - within) / 8 + 1)
    local mask = MASKS[within + 1]
    if byte and byte % (mask + mask) >= mask then
      size = size + 1
      survivors[size] = number
    end
  end
  return charge
end

-- Of `kept[first..last]`, adds those in the set at `key` to `survivors`, with one command.
local function keepMembers(key, kept, first, last, survivors)
  if first == last then
    -- One candidate, as a small term's walk mostly has: a number is a cheaper answer to hand to
    -- Lua than a list.
    if redis.call('SISMEMBER', key, digits(kept[first])) == 1 then survivors[#survivors + 1] = kept[first] end
    return
  end
  local texts = {}
  for i = first, last do texts[i - first + 1] = digits(kept[i]) end
  local flags = redis.call('SMISMEMBER', key, unpack(texts))
  for i = first, last do
    if flags[i - first + 1] == 1 then survivors[#survivors + 1] = kept[i] end
  end
end

-- Of `kept[first..last]`, ascending and all in bucket `bucket`, adds those in bucketed `term` to
-- `survivors`, with one command. Answers what the walk is charged for it.
local function keepBucketed(term, bucket, kept, first, last, survivors)
  keepMembers(bucketKey(term, bucket), kept, first, last, survivors)
  return callCost
end

-- Of `kept` (ascending), those that belong to large `term`: at most one command per bucket (per
-- chunk when the term is dense) that they fall in, each charged to the walk.
local function keepLarge(term, kept)
  local top = tops[term]
  local span = top and layout.chunkWidth or width
  local survivors = {}
  local first, count = 1, #kept
  while first <= count do
    local at = math.floor(kept[first] / span)
    local past = (at + 1) * span
    local last = first
    while last < count and kept[last + 1] < past do last = last + 1 end
    if not top then
      spent = spent + keepBucketed(term, at, kept, first, last, survivors)
    elseif at <= top then
      -- Past the term's highest chunk there is no member.
      spent = spent + keepDense(term, at, kept, first, last, survivors)
    end
    first = last + 1
  end
  return survivors
end

-- What keepAll and inGroup answer when nothing is left or asked: shared, as their answers are only read.
local NONE = {}

-- Candidates asked of Redis so far, by small term whose set this run has not read.
local askedOfSmall = {}

-- Of `kept` (ascending), those that belong to small `term`: asked of Redis while the candidates
-- checked against the term stay under half its members, else looked up in its set, read whole
-- once. A set of hundreds read to check a handful costs far more than asking for them: each member
-- read becomes a number in Lua, each candidate asked for is an argument and an answer.
local function keepSmall(term, kept)
  local survivors, count = {}, #kept
  local asked = (askedOfSmall[term] or 0) + count
  if not smallSets[term] and asked * 2 < sizeOf(term) then
    askedOfSmall[term] = asked
    keepMembers(layout.smallPrefix .. term, kept, 1, count, survivors)
    spent = spent + callCost
    return survivors
  end
  local has = smallSet(term).has
  for _, number in ipairs(kept) do
    if has[number] then survivors[#survivors + 1] = number end
  end
  return survivors
end

-- Of `candidates`, ascending numbers, those that belong to every one of `terms` but `skip`.
local function keepAll(terms, skip, candidates)
  local kept = candidates
  for _, term in ipairs(terms) do
    if #kept == 0 then return NONE end
    if term ~= skip then
      if large[term] then kept = keepLarge(term, kept) else kept = keepSmall(term, kept) end
    end
  end
  return kept
end

-- Of `numbers`, the lookup of those that belong to every term of `group`.
local function inGroup(group, numbers)
  if not group then return NONE end
  local members = {}
  for _, number in ipairs(keepAll(group, nil, numbers)) do members[number] = true end
  return members
end

-- The range of bits of dense `term` that bucket `bucket` covers, and the byte it starts at in its chunk.
local function bucketRange(term, bucket)
  local chunk = math.floor(bucket / CHUNK_BUCKETS)
  local from = (bucket - chunk * CHUNK_BUCKETS) * bucketBytes
  return chunkKey(term, chunk), from, chunk > tops[term]
end

-- Zero bytes to make up a bucket's range that a bitmap does not reach (one grown bit by bit by an
-- older layout): its missing bytes are zero.
local ZERO_BYTES = string.rep('\0', bucketBytes)

-- The bytes of bucket `bucket` of each of `terms`, all dense, as a list of bucketBytes byte values
-- for each (taken from the string with one call, not one a byte); nil when one has no chunk there.
local function bucketRows(terms, bucket)
  local rows = {}
  for i, term in ipairs(terms) do
    local key, from, beyond = bucketRange(term, bucket)
    if beyond then return nil end
    local bytes = redis.call('GETRANGE', key, from, from + bucketBytes - 1)
    if #bytes < bucketBytes then bytes = bytes .. string.sub(ZERO_BYTES, #bytes + 1) end
    rows[i] = {byteAt(bytes, 1, bucketBytes)}
  end
  return rows
end

-- `into` ANDed with `row`, byte by byte, in place; a zero byte stays zero without a call.
local function andInto(into, row)
  for at = 1, bucketBytes do
    local byte = into[at]
    if byte ~= 0 then into[at] = band(byte, row[at]) end
  end
end

-- The bytes of `rows` ANDed, without the bits set in every one of `outRows` (nil: none): a group
-- leaves out the agents in all of its terms, as inGroup finds them. Made in the first row, row by
-- row in plain loops: a bucket's every byte passes here, and a call per byte cost more than its work.
local function matchingBytes(rows, outRows)
  local matching = rows[1]
  for i = 2, #rows do andInto(matching, rows[i]) end
  if outRows then
    local out = outRows[1]
    for i = 2, #outRows do andInto(out, outRows[i]) end
    for at = 1, bucketBytes do
      local byte = matching[at]
      if byte ~= 0 and out[at] ~= 0 then matching[at] = band(byte, 255 - out[at]) end
    end
  end
  return matching
end

-- The numbers of bucket `bucket` in every one of `terms`, all dense, ascending: their bits there,
-- ANDed, each byte's bits taken from the most significant with arithmetic.
local function denseMatches(terms, bucket)
  local rows = bucketRows(terms, bucket)
  if not rows then return {} end
  local bytes = matchingBytes(rows, nil)
  local found, size, base = {}, 0, bucket * width
  for at = 1, bucketBytes do
    local byte = bytes[at]
    local number = base + (at - 1) * 8
    for b = 1, 8 do
      if byte == 0 then break end
      local mask = MASKS[b]
      if byte >= mask then
        size = size + 1
        found[size] = number + b - 1
        byte = byte - mask
      end
    end
  end
  return found
end

-- How many members large `term` has in bucket `bucket`.
local function bucketCount(term, bucket)
  if not tops[term] then return redis.call('SCARD', bucketKey(term, bucket)) end
  local key, from, beyond = bucketRange(term, bucket)
  if beyond then return 0 end
  return redis.call('BITCOUNT', key, from, from + bucketBytes - 1)
end

-- The numbers of bucket `bucket` that belong to every one of `terms` (at least one large), ascending.
-- Bucketed terms are intersected in Redis, dense ones ANDed here when no term is bucketed; the
-- others check what that found.
local function bucketMatches(terms, bucket)
  local keys, denseOnes, others = {}, {}, {}
  for _, term in ipairs(terms) do
    if not large[term] then
      others[#others + 1] = term
    elseif tops[term] then
      denseOnes[#denseOnes + 1] = term
    else
      keys[#keys + 1] = bucketKey(term, bucket)
    end
  end
  local found
  if #keys == 0 then
    found = denseMatches(denseOnes, bucket)
  else
    found = ascending(#keys == 1 and redis.call('SMEMBERS', keys[1]) or redis.call('SINTER', unpack(keys)))
    for _, term in ipairs(denseOnes) do others[#others + 1] = term end
  end
  return #others == 0 and found or keepAll(others, nil, found)
end

-- The share of bucket `bucket` that may belong to every large one of `terms`, from their counts
-- there as if they were independent, and the least count; 0 when one of them has none there.
local function bucketDensity(terms, bucket)
  local density, least = 1, width
  for _, term in ipairs(terms) do
    if large[term] then
      local count = bucketCount(term, bucket)
      if count == 0 then return 0, 0 end
      density = density * count / width
      if count < least then least = count end
    end
  end
  return density, least
end

-- `terms` but `driver`, in their order.
local function othersThan(terms, driver)
  local others = {}
  for _, term in ipairs(terms) do
    if term ~= driver then others[#others + 1] = term end
  end
  return others
end

-- Whether `driver` is the only one of `terms` kept in buckets: the others are small or dense.
local function onlyBucketed(terms, driver)
  for _, term in ipairs(terms) do
    if term ~= driver and large[term] and not tops[term] then return false end
  end
  return true
end

-- The most buckets of a sparse driver read with one SUNION.
local UNION_MOST = 64

-- Walks from after `after` the buckets of `driver`, a bucketed term that holds about `perBucket`
-- numbers a bucket and meets the other `terms` rarely. A run of buckets expected to hold about
-- RUN_MOST of its numbers is read with one SUNION, and those numbers are checked together with
-- `consider`: read one by one, its sparse buckets cost a command or more each for a few numbers.
-- Each bucket is charged as a visit all the same, so a budget covers about as many buckets as
-- before, in fewer commands. Answers as walk does.
local function walkUnions(driver, terms, after, perBucket, consider)
  local others = othersThan(terms, driver)
  local span = math.max(1, math.min(UNION_MOST, math.floor(RUN_MOST / math.max(1, perBucket))))
  local bucket = bucketOf(layout, after + 1)
  while bucket <= lastBucket do
    if spent >= budget then return 'budget', math.max(after, bucket * width - 1) end
    -- No more buckets than the budget left pays for, so that a walk overruns it by a bucket at most.
    local last = math.min(lastBucket, bucket + math.min(span, math.max(1, math.floor((budget - spent) / visitCost))) - 1)
    local keys = {}
    for at = bucket, last do keys[#keys + 1] = bucketKey(driver, at) end
    local members = ascending(#keys == 1 and redis.call('SMEMBERS', keys[1]) or redis.call('SUNION', unpack(keys)))
    spent = spent + callCost + #keys * visitCost + #members
    local candidates = {}
    for _, number in ipairs(members) do
      if number > after then candidates[#candidates + 1] = number end
    end
    if #candidates > 0 and consider(candidates, others) then return 'full' end
    bucket = last + 1
  end
  return 'done'
end

local hits = {}
-- What the walk through the match tier saw of its driver's members, when it read them (a small
-- term's, or a sparse term's many buckets at a time): how many, the matches among them, and whether
-- it saw every one from the first (then `matched` is the exact total).
local seen, matched, sawAll = 0, 0, false

-- Walks one tier from after `after`, adding its hits. A tier is its terms, whether inactive agents
-- are left out, the preferred terms whose common members it leaves to tier 0, and whether it leaves
-- deprecated agents to the tiers after it (they still count as matches). Answers 'full', 'done',
-- or 'budget' with the number up to which it examined every candidate.
local function walk(tier, spec, after)
  local driver, least = driverOf(spec.terms)
  if least == 0 then return 'done' end
  local terms = rarestFirst(spec.terms)
  local inactive = spec.leaveInactive and sizeOf(layout.inactiveTerm) > 0 and {layout.inactiveTerm} or nil
  local _, preferredLeast = driverOf(spec.preferred or {})
  local shared = spec.preferred and preferredLeast > 0 and spec.preferred or nil
  local demoted = spec.leaveDeprecated and sizeOf(deprecatedTerm) > 0 and {deprecatedTerm} or nil

  -- Of `candidates`, adds those in every one of `checks` that neither group leaves out, until the
  -- page is full; answers whether it is, and how many of the candidates matched (tier 0's members
  -- included): all of them were checked, in the same commands, so the ones past the page count too.
  local function consider(candidates, checks)
    local kept = keepAll(checks, nil, candidates)
    if #kept == 0 then return false, 0 end
    local dropped, inTier0, later = inGroup(inactive, kept), inGroup(shared, kept), inGroup(demoted, kept)
    local matches, full = 0, false
    for _, number in ipairs(kept) do
      if not dropped[number] then
        matches = matches + 1
        if not full and not inTier0[number] and not later[number] then
          hits[#hits + 1] = {tier, number}
          full = #hits == wanted
        end
      end
    end
    return full, matches
  end

  -- `consider` for candidates that are the driver's members, as a sample of them: in the tier that
  -- counts the matches, how many it checked and how many matched go to `seen` and `matched`, from
  -- which the total is counted or estimated. Answers true once the page is full.
  local function considerMembers(candidates, checks)
    local full, matches = consider(candidates, checks)
    if spec.counts then seen, matched = seen + #candidates, matched + matches end
    return full
  end

  -- Candidates examined together where the page needs `wanted - #hits` more from matches this dense.
  local function windowFor(density) return math.ceil((wanted - #hits) / density * 1.25) + 8 end

  if not large[driver] then
    local others = othersThan(terms, driver)
    local examined = after
    local set = smallSet(driver)
    local density = expectedDensity(others)
    local i = set.firstAfter(after)
    while i <= set.size do
      if spent >= budget then return 'budget', examined end
      local candidates
      candidates, i = runOf(set.members, set.size, i, math.min(RUN_MOST, windowFor(density)))
      spent = spent + #candidates
      if considerMembers(candidates, others) then return 'full' end
      examined = candidates[#candidates]
    end
    if spec.counts and after == 0 then sawAll = true end
    return 'done'
  end

  -- Checks the numbers `from` to `to` one by one; answers true once the page is full.
  local function probe(from, to, checks)
    local candidates = {}
    for number = from, to do candidates[#candidates + 1] = number end
    spent = spent + #candidates
    return (consider(candidates, checks))
  end
  -- Terms that meet this rarely never fill a page from a window of a bucket, so their buckets are
  -- intersected at once, without counting each term's members there first: most hold no match.
  local sparse = windowFor(expectedDensity(terms)) * 4 > width
  local typicalFewest = least / (lastBucket + 1)
  -- A driver whose buckets are mostly empty is read many buckets at a time.
  if sparse and not tops[driver] and typicalFewest * 4 <= width and onlyBucketed(terms, driver) then
    local outcome, position = walkUnions(driver, terms, after, typicalFewest, considerMembers)
    if outcome == 'done' and spec.counts and after == 0 then sawAll = true end
    return outcome, position
  end
  for bucket = bucketOf(layout, after + 1), lastBucket do
    if spent >= budget then return 'budget', math.max(after, bucket * width - 1) end
    spent = spent + visitCost
    local density, fewest = 1, typicalFewest
    if not sparse then density, fewest = bucketDensity(terms, bucket) end
    if density > 0 then
      local low = math.max(after + 1, bucket * width)
      -- The first number past the bucket's agents.
      local stop = math.min((bucket + 1) * width, lastNumber + 1)
      local window = not sparse and windowFor(density)
      if window and window * 4 <= stop - low then
        if probe(low, low + window - 1, terms) then return 'full' end
        low = low + window
      end
      if (stop - low) * 4 <= fewest then
        -- Probing a number costs about four reads of one, so a rest this short is probed as well.
        if low < stop and probe(low, stop - 1, terms) then return 'full' end
      else
        -- The rest of the bucket is read with one intersection.
        local found = bucketMatches(terms, bucket)
        spent = spent + #found + math.floor(fewest / 8)
        local rest = {}
        for _, number in ipairs(found) do
          if number >= low then rest[#rest + 1] = number end
        end
        if #rest > 0 and consider(rest, {}) then return 'full' end
      end
    end
  end
  return 'done'
end

local leaveInactive = ARGV[15] == '1'
-- `terms` and the deprecated term, for the tiers of deprecated agents.
local function deprecatedOnes(terms)
  local all = {deprecatedTerm}
  for _, term in ipairs(terms) do all[#all + 1] = term end
  return all
end
local tiers
if #preferred > 0 then
  local both = {}
  for _, term in ipairs(match) do both[#both + 1] = term end
  for _, term in ipairs(preferred) do both[#both + 1] = term end
  tiers = {
    {terms = both, leaveInactive = leaveInactive, leaveDeprecated = true},
    {terms = match, leaveInactive = leaveInactive, preferred = preferred, counts = true, leaveDeprecated = true},
    {terms = deprecatedOnes(both), leaveInactive = leaveInactive},
    {terms = deprecatedOnes(match), leaveInactive = leaveInactive, preferred = preferred},
  }
else
  tiers = {
    {terms = match, leaveInactive = leaveInactive, counts = true, leaveDeprecated = true},
    {terms = deprecatedOnes(match), leaveInactive = leaveInactive},
  }
end

local startTier = tonumber(ARGV[7])
local stoppedTier, stoppedAt = '', ''
local finished = false
for tier = startTier, #tiers - 1 do
  local after = tier == startTier and tonumber(ARGV[8]) or 0
  local outcome, position = walk(tier, tiers[tier + 1], after)
  if outcome == 'full' then break end
  if outcome == 'budget' then
    stoppedTier, stoppedAt = digits(tier), digits(position)
    break
  end
  finished = tier == #tiers - 1
end

-- How many of `numbers` (ascending, any buckets) belong to every one of `terms` but `skip` and not
-- to `out` (a group, or nil).
local function countAmong(numbers, terms, skip, out)
  local kept = keepAll(terms, skip, numbers)
  local dropped = inGroup(out, kept)
  local count = 0
  for _, number in ipairs(kept) do
    if not dropped[number] then count = count + 1 end
  end
  return count
end

-- How many bits each byte value has, by value: made when first needed.
local bitsPerByte
local function bitCounts()
  if not bitsPerByte then
    bitsPerByte = {[0] = 0}
    for value = 1, 255 do bitsPerByte[value] = bitsPerByte[(value - value % 2) / 2] + value % 2 end
  end
  return bitsPerByte
end

-- Whether every one of `terms` (nil: none) is dense.
local function allDense(terms)
  for _, term in ipairs(terms or NONE) do
    if not tops[term] then return false end
  end
  return true
end

-- How many numbers of bucket `bucket` belong to every one of `terms` and not to `out`: counted
-- inside Redis when every term is bucketed and nothing is left out, and from the bits of the
-- bucket, without listing them, when every term and `out` are dense.
local function countInBucket(terms, bucket, out)
  local keys = {}
  for _, term in ipairs(terms) do
    if large[term] and not tops[term] then keys[#keys + 1] = bucketKey(term, bucket) end
  end
  if not out and #keys == #terms then return redis.call('SINTERCARD', #keys, unpack(keys)) end
  if allDense(terms) and allDense(out) then
    local rows = bucketRows(terms, bucket)
    if not rows then return 0 end
    local outRows = out and bucketRows(out, bucket)
    local bytes = matchingBytes(rows, outRows)
    local count, bits = 0, bitCounts()
    for at = 1, bucketBytes do count = count + bits[bytes[at]] end
    return count
  end
  local found = bucketMatches(terms, bucket)
  return out and #found - countAmong(found, out, nil, nil) or #found
end

-- How many agents match in all: exact when every match was seen or counting is cheap, otherwise
-- estimated from what the walk saw or from a sample.
local function total()
  if finished and startTier == 0 and tonumber(ARGV[8]) == 0 then return #hits, true end
  if sawAll then return matched, true end
  local driver, least = driverOf(match)
  if least == 0 then return 0, true end
  local inactive = leaveInactive and sizeOf(layout.inactiveTerm) > 0 and {layout.inactiveTerm} or nil
  if #match == 1 and not inactive then return least, true end
  local terms = rarestFirst(match)
  if not large[driver] and least <= countBudget then
    return countAmong(smallSet(driver).all(), terms, driver, inactive), true
  end
  if #match == 1 and not large[layout.inactiveTerm] and sizeOf(layout.inactiveTerm) <= countBudget then
    return least - countAmong(smallSet(layout.inactiveTerm).all(), {driver}, nil, nil), true
  end
  -- The replica's recent estimate of these terms (an earlier page's): the same total page after
  -- page, without sampling again.
  if knownEstimate then return math.max(#hits, knownEstimate), false end
  local estimate = 0
  if seen >= 16 then
    estimate = least * matched / seen
  elseif not large[driver] then
    local sorted, sample = smallSet(driver).members, {}
    for position = 1, least, least / countBudget do sample[#sample + 1] = tonumber(sorted[math.floor(position)]) end
    estimate = least * countAmong(sample, terms, driver, inactive) / #sample
  else
    local sampled, found = 0, 0
    for i = 1, samples do
      local bucket = math.floor((i - 0.5) * (lastBucket + 1) / samples)
      local present = bucketCount(driver, bucket)
      if present > 0 then
        sampled = sampled + present
        found = found + countInBucket(terms, bucket, inactive)
      end
    end
    if sampled > 0 then estimate = least * found / sampled end
  end
  return math.max(#hits, math.floor(estimate + 0.5)), false
end

local count, exact = total()

local flat = {}
for _, hit in ipairs(hits) do
  flat[#flat + 1] = digits(hit[1])
  flat[#flat + 1] = digits(hit[2])
end
return {flat, stoppedTier, stoppedAt, digits(count), exact and '1' or '0', digits(spent), digits(lastNumber)}
