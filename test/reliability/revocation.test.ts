/**
 * Revocation: a token revoked at the token service stops working within `ttlMs` (the cache's
 * fresh window), measured per adapter with an injected clock (exact) and in real time (with
 * slack); and at once when the API itself revokes it through our client and drops its entry.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import type { Verifier, VerifierOptions } from '@m2m-auth/core'
import { m2mAuth as expressM2MAuth } from '@m2m-auth/express'
import { m2mAuth as fastifyM2MAuth } from '@m2m-auth/fastify'
import { m2mAuth as honoM2MAuth } from '@m2m-auth/hono'
import express from 'express'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestClock, type IssuedToken, revokeToken } from '../helpers/emulator.js'
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

/** Starts a real server for each adapter and hands back its verifier (the adapter's public handle). */
const adapters: Array<{
  name: string
  start(options: VerifierOptions): Promise<{ url: string; verifier: Verifier; close(): Promise<void> }>
}> = [
  {
    name: 'express 5',
    async start(options) {
      const auth = expressM2MAuth(options)
      const app = express()
        .use(auth)
        .get('/protected', (req, res) => {
          res.json({ m2m: req.m2m })
        })
      const server = await listen(createServer(app))
      return { ...server, verifier: auth.verifier }
    },
  },
  {
    name: 'fastify 5',
    async start(options) {
      const app = Fastify({ logger: false })
      await app.register(fastifyM2MAuth, { ...options, realm: REALM })
      app.get('/protected', async (request) => ({ m2m: request.m2m }))
      await app.listen({ port: 0, host: '127.0.0.1' })
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
      return { url, verifier: app.m2mAuth.verifier, close: () => app.close() }
    },
  },
  {
    name: 'hono 4',
    async start(options) {
      const auth = honoM2MAuth(options)
      const app = new Hono().use('/protected', auth).get('/protected', (c) => c.json({ m2m: c.var.m2m }))
      const server = await listen(createServer(getRequestListener(app.fetch)))
      return { ...server, verifier: auth.verifier }
    },
  },
]

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

for (const adapter of adapters) {
  describe(`${adapter.name}, revoking through the adapter's verifier`, () => {
    it('verifier.revokeToken refuses the token at once; a revocation made elsewhere waits for ttlMs', async () => {
      // env.verifier() uses the instance key (it may revoke any token) with machineId set.
      const server = await adapter.start(env.verifier({ cache: { ttlMs: 60_000 } }))
      try {
        const [revokedHere, revokedElsewhere] = await env.issueMany(2)
        expectAccepted((await timedGet(server.url, bearer(revokedHere!.token))).response, revokedHere!.id)
        expectAccepted(
          (await timedGet(server.url, bearer(revokedElsewhere!.token))).response,
          revokedElsewhere!.id,
        )

        const revoked = await server.verifier.revokeToken({ m2mTokenId: revokedHere!.id })
        expect(revoked.revoked).toBe(true)
        expectInvalidToken((await timedGet(server.url, bearer(revokedHere!.token))).response)

        // The control: revoked at the token service by someone else, it is served from the cache.
        await revoke(revokedElsewhere!)
        expectAccepted(
          (await timedGet(server.url, bearer(revokedElsewhere!.token))).response,
          revokedElsewhere!.id,
        )
      } finally {
        await server.close()
      }
    }, 20_000)
  })
}
