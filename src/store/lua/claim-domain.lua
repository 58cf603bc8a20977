-- Records a proven domain (RedisDomainStore.claim) when the prover's challenge still holds the
-- token it published, and uses that challenge up, in one atomic step: an expired or replaced
-- challenge proves nothing. A claim by another principal on the same domain is replaced.
local challengeKey, domainOwners, claimKey = KEYS[1], KEYS[2], KEYS[3]
local token, domain, owner, provenAtMs, method = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]

if redis.call('GET', challengeKey) ~= token then
  return {'expired'}
end
redis.call('DEL', challengeKey)
local previous = redis.call('HGET', domainOwners, domain)
redis.call('HSET', domainOwners, domain, owner)
redis.call('DEL', claimKey)
redis.call('HSET', claimKey, 'owner', owner, 'provenAt', provenAtMs, 'method', method)
if previous and previous ~= owner then
  redis.call('HSET', claimKey, 'previousOwner', previous)
  return {'ok', previous}
end
return {'ok', ''}
