-- Reads the index terms packed by packTerms (src/store/packed-terms.ts): one line per kind,
-- 'kind:value<TAB>value...'. The kind ends at the line's first colon.

-- The terms packed in one argument, as a list. Every save reads a hundred or more terms, so this
-- walks the text with plain finds: a line's kind is cut once, and no pattern, closure or
-- intermediate line string is built per term (string building is a large share of a write's time).
local function termList(packed)
  local terms, count = {}, 0
  local find, sub = string.find, string.sub
  local text = packed or ''
  local length = #text
  local at = 1
  while at <= length do
    local lineEnd = find(text, '\n', at, true) or (length + 1)
    local colon = find(text, ':', at, true)
    if colon and colon < lineEnd then
      local kind = sub(text, at, colon)
      local from = colon + 1
      while from < lineEnd do
        local tab = find(text, '\t', from, true)
        if not tab or tab > lineEnd then tab = lineEnd end
        if tab > from then
          count = count + 1
          terms[count] = kind .. sub(text, from, tab - 1)
        end
        from = tab + 1
      end
    end
    at = lineEnd + 1
  end
  return terms
end
