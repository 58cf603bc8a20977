-- Adds or replaces entries of an ingested catalog (src/store/catalog-sources.ts), only while the
-- catalog is remembered: a sync that ends after its catalog was forgotten must not leave its entries.
-- KEYS[1] the catalog's hash, KEYS[2] its entries' hash; ARGV identifier, entry text, ... pairs.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV))
return 1
