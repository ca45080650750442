export { emptyStats, type CachedLabels, type LabelCache, type LabelCacheStats } from './label-cache.js';
export { cacheKey, normaliseText } from './cache-key.js';
export { MemoryLabelCache, type MemoryLabelCacheOptions } from './memory-label-cache.js';
export { RedisLabelCache, type RedisLabelCacheOptions } from './redis-label-cache.js';
