/**
 * Revocation: a token revoked at the token service stops working within `ttlMs` (the cache's
 * fresh window), measured per adapter with an injected clock (exact) and in real time (with
 * slack); and at once when the API itself revokes it through our client and drops its entry.
 */
import type { AddressInfo } from 'node:net'
import { createM2MClient } from '@m2m-auth/core'
import { m2mAuth } from '@m2m-auth/fastify'
import Fastify from 'fastify'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestClock, type IssuedToken, revokeToken } from '../helpers/emulator.js'
import { loopbackFetch } from '../helpers/http.js'
import { bearer, expectAccepted, expectInvalidToken, timedGet } from './support/answers.js'
import { REALM, type ReliabilityEnv, round1, startReliabilityEnv, subjects } from './support/env.js'
import { type ProcessFaults, watchProcessFaults } from './support/process.js'

const TTL_MS = 1000
const STEP_MS = 50
const REAL_TTL_MS = 500
/** Real-time slack: polling interval plus scheduling on a loaded 2-core machine. */
const REAL_SLACK_MS = 1500

let env: ReliabilityEnv
let watch: ProcessFaults
const lags: string[] = []

beforeAll(async () => {
  env = await startReliabilityEnv()
  watch = watchProcessFaults()
})

afterAll(async () => {
  watch?.stop()
  await env?.close()
  console.log(`[reliability] revocation lag, largest per adapter:\n${lags.join('\n')}`)
})

afterEach(() => {
  expect(watch.seen, 'unhandled rejections or uncaught exceptions').toEqual([])
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const revoke = (token: IssuedToken) => revokeToken(env.emulator.url, env.emulator.secretKey, token.id)

for (const subject of subjects) {
  describe(subject.name, () => {
    it(`a token revoked at the token service is refused within ttlMs (${TTL_MS} ms, injected clock)`, async () => {
      const clock = createTestClock()
      const server = await env.start(subject, { cache: { ttlMs: TTL_MS }, now: clock.now })
      try {
        const tokens = await env.issueMany(5)
        for (const t of tokens) expectAccepted((await timedGet(server.url, bearer(t.token))).response, t.id)
        let elapsed = 0
        let worst = 0
        // Revoke each at a later point of the shared fresh window, then step the clock until refused.
        for (const [i, token] of tokens.entries()) {
          const offset = (i * TTL_MS) / tokens.length
          clock.advance(offset - elapsed)
          elapsed = offset
          await revoke(token)
          let lag = 0
          for (; lag <= TTL_MS + STEP_MS; lag += STEP_MS) {
            const { response } = await timedGet(server.url, bearer(token.token))
            if (response.status !== 200) {
              expectInvalidToken(response)
              break
            }
            clock.advance(STEP_MS)
            elapsed += STEP_MS
          }
          worst = Math.max(worst, lag)
          expect(lag, `token #${i}, revoked ${offset} ms into its window`).toBeLessThanOrEqual(
            TTL_MS - offset + STEP_MS,
          )
        }
        lags.push(`  ${subject.name}: ${worst} ms (injected clock, ttlMs ${TTL_MS})`)
      } finally {
        await server.close()
      }
    }, 30_000)

    it(`a token revoked at the token service is refused within ttlMs (${REAL_TTL_MS} ms, real time)`, async () => {
      const server = await env.start(subject, { cache: { ttlMs: REAL_TTL_MS } })
      try {
        const tokens = await env.issueMany(4)
        for (const t of tokens) expectAccepted((await timedGet(server.url, bearer(t.token))).response, t.id)
        const measured = await Promise.all(
          tokens.map(async (token, i) => {
            await sleep((i * REAL_TTL_MS) / tokens.length)
            await revoke(token)
            const revokedAt = performance.now()
            for (let poll = 0; poll < 200; poll++) {
              const { response } = await timedGet(server.url, bearer(token.token))
              if (response.status !== 200) {
                expectInvalidToken(response)
                return performance.now() - revokedAt
              }
              await sleep(20)
            }
            throw new Error(`token #${i} was still accepted after 200 polls`)
          }),
        )
        const worst = Math.max(...measured)
        lags.push(`  ${subject.name}: ${round1(worst)} ms (real time, ttlMs ${REAL_TTL_MS})`)
        expect(worst).toBeLessThanOrEqual(REAL_TTL_MS + REAL_SLACK_MS)
      } finally {
        await server.close()
      }
    }, 30_000)
  })
}

describe('fastify 5, revoking through our own client', () => {
  it('invalidating the entry after client.revokeToken refuses the token at once; without it, ttlMs applies', async () => {
    const app = Fastify({ logger: false })
    await app.register(m2mAuth, { ...env.verifier({ cache: { ttlMs: 60_000 } }), realm: REALM })
    app.get('/protected', async (request) => ({ m2m: request.m2m }))
    await app.listen({ port: 0, host: '127.0.0.1' })
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const client = createM2MClient({
      secretKey: env.emulator.secretKey,
      apiUrl: env.emulator.url,
      fetch: loopbackFetch,
    })
    try {
      const [invalidated, cached] = await env.issueMany(2)
      expectAccepted((await timedGet(url, bearer(invalidated!.token))).response, invalidated!.id)
      expectAccepted((await timedGet(url, bearer(cached!.token))).response, cached!.id)

      await client.revokeToken({ m2mTokenId: invalidated!.id })
      await app.m2mAuth.verifier.invalidate(invalidated!.token)
      expectInvalidToken((await timedGet(url, bearer(invalidated!.token))).response)

      // The control: revoked the same way but not invalidated, it is served from the cache.
      await client.revokeToken({ m2mTokenId: cached!.id })
      expectAccepted((await timedGet(url, bearer(cached!.token))).response, cached!.id)
    } finally {
      await app.close()
    }
  }, 20_000)
})
