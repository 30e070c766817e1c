/**
 * The fleet demo, one command: `node examples/fleet/run.mjs [--mode cluster|processes] [--size 3]`
 * (or `pnpm --filter @m2m-auth/example-fleet start`), after `pnpm build`. Starts the emulator (as
 * Clerk, counting calls), a redis-server on a free loopback port and N Express processes sharing
 * it, then prints what the fleet costs and does: upstream calls for a burst of first requests,
 * how fast a revocation reaches every process, what a forged cache entry gets, and a Redis outage.
 */
import { parseArgs } from 'node:util'
import { createM2MClient } from '@m2m-auth/core'
import { startEmulator } from '@m2m-auth/emulator'
import { createClient } from 'redis'
import { startFleet } from './fleet.mjs'
import { startRedis } from './redis.mjs'

const { values } = parseArgs({
  options: { mode: { type: 'string', default: 'cluster' }, size: { type: 'string', default: '3' } },
})
const size = Number(values.size)
const mode = values.mode === 'processes' ? 'processes' : 'cluster'

const redis = await startRedis()
const emulator = await startEmulator({ port: 0, host: '127.0.0.1' })
const [caller, api] = emulator.machines
const env = {
  CLERK_API_URL: emulator.url,
  CLERK_SECRET_KEY: emulator.secretKey,
  MACHINE_ID: api.id,
  REDIS_URL: redis.url,
  TTL_MS: '60000',
  FLEET_QUIET: '1',
}
const { members, stop } = await startFleet({ mode, size, env })
console.log(`${size} Express processes (${mode}) on ${redis.url}, Clerk emulated at ${emulator.url}\n`)

const newToken = async () => {
  const client = createM2MClient({ secretKey: caller.secretKey, apiUrl: emulator.url })
  const { id, token } = await client.createToken({ secondsUntilExpiration: 600 })
  return { id, token }
}
const ask = (member, token) =>
  fetch(`${member.url}/whoami`, {
    headers: { authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(5000),
  })
const calls = () => emulator.stats().verify
const time = () => performance.now()

try {
  // Warm-up: every process has served once.
  const warm = await newToken()
  for (const member of members) await ask(member, warm.token)

  // 1. A burst of first requests of a new token.
  const burst = await newToken()
  emulator.setLatency(100)
  let before = calls()
  const answers = await Promise.all(
    members.flatMap((m) => Array.from({ length: 20 }, () => ask(m, burst.token))),
  )
  emulator.setLatency(0)
  const ok = answers.filter((res) => res.status === 200).length
  console.log(
    `1. ${size} x 20 concurrent first requests: ${ok} answered 200, ${calls() - before} upstream call(s)`,
  )

  // 2. Revocation through one process.
  const doomed = await newToken()
  for (const member of members) await ask(member, doomed.token)
  await members[0].revoke(doomed.id)
  const revokedAt = time()
  const refused = await Promise.all(
    members.map(async (member) => {
      while ((await ask(member, doomed.token)).status !== 401) if (time() - revokedAt > 5000) return Infinity
      return time() - revokedAt
    }),
  )
  console.log(
    `2. revokeToken() in process 1: every process answers 401 after ${refused.map((ms) => ms.toFixed(1)).join(', ')} ms`,
  )

  // 3. A forged entry: another subject written straight into Redis.
  const admin = createClient({ url: redis.url })
  admin.on('error', () => undefined)
  await admin.connect()
  const target = await newToken()
  const keysBefore = new Set(await admin.keys('m2m:v2:*'))
  await ask(members[0], target.token)
  let key
  for (let i = 0; i < 100 && key === undefined; i++) {
    key = (await admin.keys('m2m:v2:*')).find((k) => !keysBefore.has(k) && !k.endsWith(':lock'))
    if (key === undefined) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  const sealed = JSON.parse(await admin.get(key))
  const body = JSON.parse(sealed.body)
  body.token.subject = 'mch_forged'
  await admin.set(key, JSON.stringify({ ...sealed, body: JSON.stringify(body) }), { PX: 60_000 })
  admin.destroy()
  before = calls()
  const forged = await (await ask(members[1], target.token)).json()
  const rejected = (await members[1].stats()).storeRejected
  console.log(
    `3. forged entry in Redis: process 2 answers caller ${forged.caller} (real: ${caller.id}); entries rejected: ${rejected}; upstream calls: ${calls() - before}`,
  )

  // 4. Redis goes away, then comes back.
  await redis.stop()
  const outage = await newToken()
  before = calls()
  const started = time()
  const statuses = []
  for (const member of members) statuses.push((await ask(member, outage.token)).status)
  console.log(
    `4. Redis down: answers ${statuses.join(', ')} in ${(time() - started).toFixed(0)} ms, ${calls() - before} upstream calls (no sharing)`,
  )
  await redis.restart()
  const back = time()
  for (;;) {
    const probe = await newToken()
    await ask(members[0], probe.token)
    const c = calls()
    if ((await ask(members[1], probe.token)).status === 200 && calls() === c) break
    if (time() - back > 15_000) throw new Error('sharing did not come back within 15 s')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  console.log(`   Redis back: sharing again after ${(time() - back).toFixed(0)} ms`)
} finally {
  await stop()
  await redis.stop()
  await emulator.close()
}
