-- One page of the agents that belong to every match term, in rank order: with preferred terms,
-- tier 0 holds the matches that belong to every preferred term too and tier 1 the others;
-- within a tier, by agent number. Its work is bounded by the page, never by the matches or the
-- agents: a small term's set is read whole (it holds at most smallMax numbers), large terms are
-- walked one bucket at a time from the cursor, and the walk stops once it has the page or has
-- spent its budget, answering where it stopped.
-- KEYS[1] agent number counter
-- ARGV[1..6] the term layout (lib/term-index.lua), ARGV[7] key prefix of the agent number -> id
-- buckets, ARGV[8] agent numbers per id bucket, ARGV[9] tier to start in, ARGV[10] agent number
-- to start after (0: from the first), ARGV[11] hits wanted, ARGV[12] walk budget, ARGV[13] cost
-- of visiting a bucket, ARGV[14] count budget, ARGV[15] buckets sampled for an estimate,
-- ARGV[16] '1' to leave inactive agents out, ARGV[17] number of match terms m,
-- ARGV[18..17+m] the match terms, ARGV[18+m..] the preferred terms.
-- Answers {hits (tier, number, id, tier, number, id, ...), tier and number where the walk stopped
-- with its budget spent ('' when it did not), total, '1' when the total is exact, work spent}.
local layout = termLayout(ARGV, 1)
local width = layout.bucketWidth
local wanted = tonumber(ARGV[11])
local budget = tonumber(ARGV[12])
local visitCost = tonumber(ARGV[13])
local countBudget = tonumber(ARGV[14])
local samples = tonumber(ARGV[15])
local function bucketKey(term, bucket)
  return bucketKeyPrefix(layout, bucket) .. term
end
local lastBucket = bucketOf(layout, tonumber(redis.call('GET', KEYS[1]) or '0'))

local matchCount = tonumber(ARGV[17])
local match, preferred = {}, {}
for i = 18, #ARGV do
  if i < 18 + matchCount then match[#match + 1] = ARGV[i] else preferred[#preferred + 1] = ARGV[i] end
end

-- Member counts, and which terms are large.
local sizes, large = {}, {}
local function sizeOf(term)
  if sizes[term] == nil then
    local counts = {}
    readLargeCounts(layout, {term}, counts)
    if counts[term] then
      sizes[term], large[term] = counts[term], true
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

-- A small term's members, ascending, and as a lookup once one is asked for; read once.
local smallSets = {}
local function smallSet(term)
  local set = smallSets[term]
  if not set then
    set = setmetatable({sorted = ascending(redis.call('SMEMBERS', layout.smallPrefix .. term))}, {
      __index = function(self, field)
        if field ~= 'has' then return nil end
        local has = {}
        for _, number in ipairs(self.sorted) do has[number] = true end
        self.has = has
        return has
      end,
    })
    smallSets[term] = set
  end
  return set
end

local function isMember(term, number)
  if large[term] then
    return redis.call('SISMEMBER', bucketKey(term, bucketOf(layout, number)), number) == 1
  end
  return smallSet(term).has[number] == true
end

-- The numbers of bucket `bucket` that belong to every one of `terms` (none of them empty), ascending.
local function bucketMatches(terms, bucket)
  local keys, smalls = {}, {}
  for _, term in ipairs(terms) do
    if large[term] then keys[#keys + 1] = bucketKey(term, bucket) else smalls[#smalls + 1] = smallSet(term) end
  end
  local members
  if #keys == 0 then
    members = {}
    local low, high = bucket * width, (bucket + 1) * width
    for _, number in ipairs(smalls[1].sorted) do
      if number >= low and number < high then members[#members + 1] = number end
    end
  elseif #keys == 1 then
    members = redis.call('SMEMBERS', keys[1])
  else
    members = redis.call('SINTER', unpack(keys))
  end
  local found = {}
  for _, number in ipairs(ascending(members)) do
    local belongs = true
    for _, set in ipairs(smalls) do
      if not set.has[number] then
        belongs = false
        break
      end
    end
    if belongs then found[#found + 1] = number end
  end
  return found
end

-- Whether `number`, a member of `driver`, belongs to every other one of `terms`.
local function inAllBut(terms, driver, number)
  for _, term in ipairs(terms) do
    if term ~= driver and not isMember(term, number) then return false end
  end
  return true
end

-- Whether `number` is left out: it belongs to every term of one of the groups.
local function excludedBy(groups, number)
  for _, group in ipairs(groups) do
    local all = true
    for _, term in ipairs(group) do
      if not isMember(term, number) then
        all = false
        break
      end
    end
    if all then return true end
  end
  return false
end

-- A test of whether a number of bucket `bucket` is left out by `groups`: one read per group with a
-- large term, instead of one per number.
local function exclusionIn(groups, bucket)
  local tests = {}
  for _, group in ipairs(groups) do
    local anyLarge = false
    for _, term in ipairs(group) do anyLarge = anyLarge or large[term] end
    if anyLarge then
      local members = {}
      for _, number in ipairs(bucketMatches(group, bucket)) do members[number] = true end
      tests[#tests + 1] = function(number) return members[number] == true end
    else
      tests[#tests + 1] = function(number)
        for _, term in ipairs(group) do
          if not smallSet(term).has[number] then return false end
        end
        return true
      end
    end
  end
  return function(number)
    for _, test in ipairs(tests) do
      if test(number) then return true end
    end
    return false
  end
end

-- How many numbers of bucket `bucket` belong to every one of `terms` and to no group; counted in
-- Redis (SINTERCARD) when every term is large and no group leaves any out, as is usual.
local function matchesIn(terms, groups, bucket)
  local keys = {}
  for _, term in ipairs(terms) do
    if large[term] then keys[#keys + 1] = bucketKey(term, bucket) end
  end
  if #groups == 0 and #keys == #terms then return redis.call('SINTERCARD', #keys, unpack(keys)) end
  local count = 0
  local excluded = exclusionIn(groups, bucket)
  for _, number in ipairs(bucketMatches(terms, bucket)) do
    if not excluded(number) then count = count + 1 end
  end
  return count
end

-- For each of `candidates` (numbers of bucket `bucket`, and the same as text), whether it belongs
-- to every one of `terms`: one SMISMEMBER per large term, whatever the bucket holds.
local function allAmong(terms, bucket, candidates, texts)
  local all = {}
  for i = 1, #candidates do all[i] = true end
  for _, term in ipairs(terms) do
    if large[term] then
      local flags = redis.call('SMISMEMBER', bucketKey(term, bucket), unpack(texts))
      for i = 1, #candidates do all[i] = all[i] and flags[i] == 1 end
    else
      local has = smallSet(term).has
      for i, number in ipairs(candidates) do all[i] = all[i] and has[number] == true end
    end
  end
  return all
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

-- Groups that leave an agent out; a group one of whose terms has no member leaves none out.
local function liveGroups(groups)
  local live = {}
  for _, group in ipairs(groups) do
    local _, least = driverOf(group)
    if least > 0 then live[#live + 1] = group end
  end
  return live
end

local hits = {}
local spent = 0

-- The share of bucket `bucket` that may belong to every large one of `terms`, from their counts
-- there as if they were independent, and the least count; 0 when one of them has none there.
local function bucketDensity(terms, bucket)
  local density, least = 1, width
  for _, term in ipairs(terms) do
    if large[term] then
      local count = redis.call('SCARD', bucketKey(term, bucket))
      if count == 0 then return 0, 0 end
      density = density * count / width
      if count < least then least = count end
    end
  end
  return density, least
end

-- Checks the consecutive numbers from `low` to `top` of bucket `bucket` against every term and
-- group at once (SMISMEMBER) and adds those that match; answers true once the page is full.
local function probeWindow(terms, groups, bucket, low, top, add)
  -- Numbers become text once here: Lua turns a number into text with sprintf on every use.
  local candidates, texts = {}, {}
  for number = low, top do
    candidates[#candidates + 1] = number
    texts[#texts + 1] = tostring(number)
  end
  local belongs = allAmong(terms, bucket, candidates, texts)
  local excluded = {}
  for _, group in ipairs(groups) do
    local inGroup = allAmong(group, bucket, candidates, texts)
    for i = 1, #candidates do excluded[i] = excluded[i] or inGroup[i] end
  end
  for i, number in ipairs(candidates) do
    if belongs[i] and not excluded[i] and add(number) then return true end
  end
  return false
end

-- Adds the matches of bucket `bucket` above `after`; answers true once the page is full. Where
-- the page needs only a part of a dense bucket, that part is probed number by number; otherwise,
-- or when the probe fell short, the rest is read with one SINTER.
local function visitBucket(terms, groups, bucket, after, add)
  local density, least = bucketDensity(terms, bucket)
  if density == 0 then return false end
  local low = math.max(after + 1, bucket * width)
  local high = (bucket + 1) * width - 1
  local window = math.ceil((wanted - #hits) / density * 1.25) + 8
  if window * 4 <= high - low + 1 then
    spent = spent + window
    if probeWindow(terms, groups, bucket, low, low + window - 1, add) then return true end
    low = low + window
  end
  local found = bucketMatches(terms, bucket)
  spent = spent + #found + math.floor(least / 8)
  local excluded = #found > 0 and exclusionIn(groups, bucket)
  for _, number in ipairs(found) do
    if number >= low and not excluded(number) and add(number) then return true end
  end
  return false
end

-- Walks one tier from after `after`, adding its hits. Answers 'full', 'done', or 'budget' with
-- the number up to which it examined every candidate.
local function walk(tier, terms, groups, after)
  local driver, least = driverOf(terms)
  if least == 0 then return 'done' end
  groups = liveGroups(groups)
  local function add(number)
    hits[#hits + 1] = {tier, number}
    return #hits == wanted
  end
  if not large[driver] then
    local examined = after
    for _, number in ipairs(smallSet(driver).sorted) do
      if number > after then
        if spent >= budget then return 'budget', examined end
        spent = spent + 1
        examined = number
        if inAllBut(terms, driver, number) and not excludedBy(groups, number) and add(number) then return 'full' end
      end
    end
    return 'done'
  end
  for bucket = bucketOf(layout, after + 1), lastBucket do
    if spent >= budget then return 'budget', math.max(after, bucket * width - 1) end
    spent = spent + visitCost
    if visitBucket(terms, groups, bucket, after, add) then return 'full' end
  end
  return 'done'
end

local inactive = ARGV[16] == '1' and {{layout.inactiveTerm}} or {}
local tiers
if #preferred > 0 then
  local both = {}
  for _, term in ipairs(match) do both[#both + 1] = term end
  for _, term in ipairs(preferred) do both[#both + 1] = term end
  local notPreferred = {preferred}
  for _, group in ipairs(inactive) do notPreferred[#notPreferred + 1] = group end
  tiers = {{both, inactive}, {match, notPreferred}}
else
  tiers = {{match, inactive}}
end

local startTier = tonumber(ARGV[9])
local stoppedTier, stoppedAt = '', ''
local finished = false
for tier = startTier, #tiers - 1 do
  local after = tier == startTier and tonumber(ARGV[10]) or 0
  local outcome, position = walk(tier, tiers[tier + 1][1], tiers[tier + 1][2], after)
  if outcome == 'full' then break end
  if outcome == 'budget' then
    stoppedTier, stoppedAt = tostring(tier), tostring(position)
    break
  end
  finished = tier == #tiers - 1
end

-- How many agents match in all: exact when every match is on this page or counting is cheap,
-- otherwise estimated from a sample of buckets.
local function total()
  if finished and startTier == 0 and tonumber(ARGV[10]) == 0 then return #hits, true end
  local driver, least = driverOf(match)
  if least == 0 then return 0, true end
  local groups = liveGroups(inactive)
  if #match == 1 and #groups == 0 then return least, true end
  if not large[driver] and least * (#match - 1 + #groups) <= countBudget then
    local count = 0
    for _, number in ipairs(smallSet(driver).sorted) do
      if inAllBut(match, driver, number) and not excludedBy(groups, number) then count = count + 1 end
    end
    return count, true
  end
  if #match == 1 then
    local _, left = driverOf(groups[1])
    if not large[layout.inactiveTerm] and left <= countBudget then
      local out = 0
      for _, number in ipairs(smallSet(layout.inactiveTerm).sorted) do
        if isMember(driver, number) then out = out + 1 end
      end
      return least - out, true
    end
  end
  -- Estimate: the share of a sample of the driver's members that match, spread over all of them.
  local seen, matched = 0, 0
  local function sampleOne(number)
    seen = seen + 1
    if inAllBut(match, driver, number) and not excludedBy(groups, number) then matched = matched + 1 end
  end
  if not large[driver] then
    local sorted = smallSet(driver).sorted
    local step = least / math.max(1, math.floor(countBudget / (#match - 1 + #groups)))
    for position = 1, least, math.max(1, step) do sampleOne(sorted[math.floor(position)]) end
  else
    for i = 1, samples do
      local bucket = math.floor((i - 0.5) * (lastBucket + 1) / samples)
      local present = redis.call('SCARD', bucketKey(driver, bucket))
      if present > 0 then
        seen = seen + present
        matched = matched + matchesIn(match, groups, bucket)
      end
    end
  end
  if seen == 0 then return math.max(#hits, 1), false end
  return math.max(#hits, math.floor(least * matched / seen + 0.5)), false
end

local count, exact = total()

-- The ids of the hits, one HMGET per number -> id hash they fall in: a page of neighbours is one read.
local function idsOf(numbers)
  local ids, byKey, order = {}, {}, {}
  for i, number in ipairs(numbers) do
    local key = ARGV[7] .. math.floor(number / tonumber(ARGV[8]))
    if not byKey[key] then
      byKey[key] = {}
      order[#order + 1] = key
    end
    table.insert(byKey[key], i)
  end
  for _, key in ipairs(order) do
    local fields = {}
    for j, i in ipairs(byKey[key]) do fields[j] = tostring(numbers[i]) end
    local found = redis.call('HMGET', key, unpack(fields))
    for j, i in ipairs(byKey[key]) do ids[i] = found[j] or '' end
  end
  return ids
end

local numbers = {}
for i, hit in ipairs(hits) do numbers[i] = hit[2] end
local ids = idsOf(numbers)
local flat = {}
for i, hit in ipairs(hits) do
  flat[#flat + 1] = tostring(hit[1])
  flat[#flat + 1] = tostring(hit[2])
  flat[#flat + 1] = ids[i]
end
return {flat, stoppedTier, stoppedAt, tostring(count), exact and '1' or '0', tostring(spent)}
