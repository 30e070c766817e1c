export { fromIoredis, type IoredisLike, type RedisClientLike, type RedisSetOptions } from './client.js'
export {
  createRedisStore,
  DEFAULT_REDIS_TIMEOUT_MS,
  type RedisStoreErrorContext,
  type RedisStoreOptions,
} from './store.js'
export { type RedisStoreOperation, RedisStoreTimeoutError } from './timeout.js'
