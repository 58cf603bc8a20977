-- Calls visit(prefix .. term) for every index term packed by packTerms (src/store/packed-terms.ts):
-- one line per kind, 'kind:value<TAB>value...'. The kind ends at the line's first colon.
-- The key of a line's kind is built once: string building is a large share of a write's time.
local function eachTermKey(packed, prefix, visit)
  for line in string.gmatch(packed or '', '[^\n]+') do
    local colon = string.find(line, ':', 1, true)
    local kindKey = prefix .. string.sub(line, 1, colon)
    for value in string.gmatch(string.sub(line, colon + 1), '[^\t]+') do
      visit(kindKey .. value)
    end
  end
end
