import { runRecordsConformance } from '../../testing/records-conformance.ts'
import { REDIS_URL, redisTestKeys } from '../../testing/redis-test-keys.ts'
import { createRedisStore } from './redis-store.ts'

const redis = redisTestKeys()

runRecordsConformance('redis', async (collections) => {
  await redis.reachable()
  const prefix = redis.freshPrefix()
  const store = createRedisStore({ url: REDIS_URL, prefix, collections })
  return {
    store,
    reopen: (later) => createRedisStore({ url: REDIS_URL, prefix, collections: later }),
    cleanup: async () => {
      await store.close()
      await redis.dropPrefix(prefix)
    },
  }
})
