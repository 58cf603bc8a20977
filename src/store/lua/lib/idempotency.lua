-- Outcomes of writes made under an idempotency key, kept with the write in the same atomic step.
-- A key of '' means the write was made without one.

-- The outcome kept under `key`, as its JSON text, or nil.
local function keptOutcome(key)
  if key == '' then return nil end
  local kept = redis.call('GET', key)
  if kept then return kept end
  return nil
end

-- Keeps `outcome` (text: what the caller knew before the write, then what the write decided) under
-- `key` for `seconds`.
local function keepOutcome(key, seconds, outcome)
  if key ~= '' then redis.call('SET', key, outcome, 'EX', seconds) end
end
