export {
  fromIoredis,
  type IoredisLike,
  type IoredisSubscriberLike,
  type RedisClientLike,
  type RedisSetOptions,
  type RedisSubscriberLike,
} from './client.js'
export {
  createRedisStore,
  DEFAULT_REDIS_TIMEOUT_MS,
  type RedisStore,
  type RedisStoreErrorContext,
  type RedisStoreOptions,
} from './store.js'
export { type RedisStoreOperation, RedisStoreTimeoutError } from './timeout.js'
