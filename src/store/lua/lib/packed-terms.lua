-- Calls visit(term) for every index term packed by packTerms (src/store/packed-terms.ts):
-- one line per kind, 'kind:value<TAB>value...'. The kind ends at the line's first colon.
local function eachTerm(packed, visit)
  for line in string.gmatch(packed or '', '[^\n]+') do
    local kind, values = string.match(line, '^([^:]*:)(.*)$')
    for value in string.gmatch(values, '[^\t]+') do
      visit(kind .. value)
    end
  end
end

