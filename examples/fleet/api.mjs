/**
 * One API process of the fleet: Express behind `m2mAuth`, its verifier on a shared Redis store
 * (`@m2m-auth/redis-store`). Started by `fleet.mjs` as a node:cluster worker or as a separate
 * process; reads CLERK_API_URL, CLERK_SECRET_KEY + MACHINE_ID (or CLERK_MACHINE_SECRET_KEY),
 * REDIS_URL, REDIS_TIMEOUT_MS and TTL_MS from the environment, listens on a port of its own (127.0.0.1) and reports
 * it over IPC. IPC also carries the demo's controls (revoke a token id, read the stats): the HTTP
 * API has no admin routes.
 */
import { m2mAuth } from '@m2m-auth/express'
import { createRedisStore } from '@m2m-auth/redis-store'
import express from 'express'
import { createClient } from 'redis'

const redis = createClient({
  url: process.env.REDIS_URL,
  // While Redis is down, fail commands at once (the store answers a miss) instead of queueing them.
  disableOfflineQueue: true,
  socket: { reconnectStrategy: (retries) => Math.min(50 * (retries + 1), 500) },
})
redis.on('error', () => undefined) // the store reports its own failures; node-redis throws without a listener
await redis.connect()

// REDIS_TIMEOUT_MS: how long one Redis call may take (default 50 ms); past it the request goes on.
const store = createRedisStore(redis, {
  timeoutMs: Number(process.env.REDIS_TIMEOUT_MS ?? 50),
  onError: () => undefined,
})
const quiet = { warn: () => undefined, error: () => undefined }
const auth = m2mAuth({
  machineId: process.env.MACHINE_ID || undefined,
  cache: { ttlMs: Number(process.env.TTL_MS ?? 60_000), store },
  logger: process.env.FLEET_QUIET === '1' ? quiet : undefined,
})

const app = express()
app.disable('x-powered-by')
app.use(auth)
app.get('/whoami', (req, res) => {
  res.json({ caller: req.m2m.subject, pid: process.pid })
})

// Its own port even as a cluster worker (`exclusive`): the demo talks to each process by name.
const server = app.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
  process.send?.({ type: 'ready', port: server.address().port, pid: process.pid })
})

const commands = {
  stats: async () => auth.verifier.stats(),
  revoke: async ({ id }) => {
    await auth.verifier.revokeToken({ m2mTokenId: id })
    return { revoked: id }
  },
}

process.on('message', (message) => {
  const command = commands[message?.type]
  if (command === undefined) return
  command(message).then(
    (result) => process.send?.({ type: 'reply', requestId: message.requestId, result }),
    (error) => process.send?.({ type: 'reply', requestId: message.requestId, error: String(error) }),
  )
})

let closing = false
async function close() {
  if (closing) return
  closing = true
  server.closeAllConnections()
  server.close()
  await store.close()
  if (redis.isOpen) redis.destroy()
  process.disconnect?.()
}
process.on('SIGTERM', close)
process.on('disconnect', close)
