export {
  CACHE_OUTCOMES,
  emptyStats,
  MISS,
  type CachedScores,
  type CacheLookup,
  type CacheOutcome,
  type CacheWriteResult,
  type LabelCache,
  type LabelCacheStats,
} from './label-cache.js';
export { STORED_SCORES_FORMAT } from './stored-scores.js';
export { cacheKey, normaliseText } from './cache-key.js';
export { MemoryLabelCache, type MemoryLabelCacheOptions } from './memory-label-cache.js';
export { RedisLabelCache, type RedisLabelCacheOptions } from './redis-label-cache.js';
export { RedisAuthError, isRedisAuthFailure } from './redis-auth.js';
