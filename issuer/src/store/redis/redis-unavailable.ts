import { errorCode, NETWORK_ERRNOS, unavailableWhen } from '../unavailable-when.ts'

/** Translates ioredis's errors: those that mean the server cannot serve now become StoreError('unavailable'). */
export const redisUnavailable = unavailableWhen('Redis', (err) => {
  const code = errorCode(err)
  if (code !== undefined && NETWORK_ERRNOS.has(code)) return code
  // ioredis's own messages: the connection ended, retries per request ran out, or the offline
  // queue is off while disconnected.
  if (/connection is closed/i.test(err.message)) return 'connection closed'
  if (/reached the max retries/i.test(err.message)) return 'max retries reached'
  if (/stream isn't writeable/i.test(err.message)) return 'stream not writeable'
  return null
})
