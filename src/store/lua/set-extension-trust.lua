-- Sets the trust level of an extension in the catalog, atomically with the check that it is there
-- (an extension no agent declares any more is gone, with its level).
-- KEYS[1] the catalog, ARGV[1] the prefix of its hashes (lib/extension-catalog.lua), ARGV[2..7] the
-- term layout (lib/term-index.lua),
-- ARGV[8] the URI (folded), ARGV[9] the trust level. Answers its row (see catalogRow), or {} when absent.
local catalog = { catalog = KEYS[1], infoPrefix = ARGV[1] }
local layout = termLayout(ARGV, 2)
local uri = ARGV[8]
if not redis.call('ZSCORE', catalog.catalog, uri) then return {} end
redis.call('HSET', catalog.infoPrefix .. uri, 'trust', ARGV[9])
return catalogRow(catalog, layout, uri)
