-- Records the last read of an ingested catalog (src/store/catalog-sources.ts), only while the
-- catalog is remembered: a read that ends after its catalog was forgotten must not leave a stub.
-- KEYS[1] the catalog's hash; ARGV[1] the read as JSON.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'lastRead', ARGV[1])
return 1
