-- Calls visit(term) for every index term packed by packTerms (src/store/packed-terms.ts):
-- one line per kind, 'kind:value<TAB>value...'. The kind ends at the line's first colon.
-- A line's kind is cut once: string building is a large share of a write's time.
local function eachTerm(packed, visit)
  for line in string.gmatch(packed or '', '[^\n]+') do
    local colon = string.find(line, ':', 1, true)
    local kind = string.sub(line, 1, colon)
    for value in string.gmatch(string.sub(line, colon + 1), '[^\t]+') do
      visit(kind .. value)
    end
  end
end

-- The terms packed in one argument, as a list.
local function termList(packed)
  local terms = {}
  eachTerm(packed, function(term) terms[#terms + 1] = term end)
  return terms
end
