import type { CacheStore } from '@m2m-auth/core'
import { createClient, type createCluster } from 'redis'
import { expectTypeOf, it } from 'vitest'
import {
  createRedisStore,
  type IoredisLike,
  type RedisClientLike,
  type RedisStore,
  type RedisStoreOptions,
} from '../src/index.js'

// Checked by the type checker (tsc over test/); at run time this only has to load.
it('takes node-redis clients (6, the version installed) and clusters as they are, and returns a core CacheStore', () => {
  expectTypeOf<ReturnType<typeof createClient>>().toExtend<RedisClientLike>()
  expectTypeOf<ReturnType<typeof createCluster>>().toExtend<RedisClientLike>()
  const resp3 = () => createClient({ RESP: 3 })
  expectTypeOf<ReturnType<typeof resp3>>().toExtend<RedisClientLike>()
  expectTypeOf(createRedisStore).returns.toEqualTypeOf<RedisStore>()
  expectTypeOf<RedisStore>().toExtend<CacheStore>()
  expectTypeOf<RedisStoreOptions['timeoutMs']>().toEqualTypeOf<number | undefined>()
})

it('does not take an ioredis client without fromIoredis (its set has no options object)', () => {
  expectTypeOf<IoredisLike>().not.toExtend<RedisClientLike>()
})
