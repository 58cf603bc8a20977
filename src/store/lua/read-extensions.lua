-- The catalog entries of some URIs, those in the catalog, in the order asked.
-- KEYS[1] the catalog, ARGV[1] the prefix of its hashes (lib/extension-catalog.lua), ARGV[2..7] the
-- term layout (lib/term-index.lua),
-- ARGV[8..] the URIs (folded). Answers the rows, 7 fields each (see catalogRow).
local catalog = { catalog = KEYS[1], infoPrefix = ARGV[1] }
local layout = termLayout(ARGV, 2)
local rows = {}
for i = 8, #ARGV do
  if redis.call('ZSCORE', catalog.catalog, ARGV[i]) then
    for _, field in ipairs(catalogRow(catalog, layout, ARGV[i])) do rows[#rows + 1] = field end
  end
end
return rows
