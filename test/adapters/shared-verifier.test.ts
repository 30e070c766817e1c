/**
 * One verifier shared by the three frameworks: a token that Express, Fastify and Hono apps all see
 * (each with its own rule) costs one call to the token service, counted by the emulator.
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import { createVerifier } from '@m2m-auth/core'
import { m2mAuth as expressAuth } from '@m2m-auth/express'
import { m2mAuth as fastifyAuth } from '@m2m-auth/fastify'
import { m2mAuth as honoAuth } from '@m2m-auth/hono'
import Fastify from 'fastify'
import { Hono } from 'hono'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Emulator, issueToken, startTestEmulator } from '../helpers/emulator.js'
import { express5 } from '../helpers/express.js'
import { loopbackFetch } from '../helpers/http.js'
import { listen, type RunningServer } from '../helpers/server.js'

let emulator: Emulator
const closers: (() => Promise<void>)[] = []

beforeAll(async () => {
  ;({ emulator } = await startTestEmulator())
})

afterAll(async () => {
  await Promise.all(closers.map((close) => close()))
  await emulator?.close()
})

function track(server: RunningServer): string {
  closers.push(server.close)
  return server.url
}

it('makes one upstream call for a token seen by Express, Fastify and Hono sharing one verifier', async () => {
  const [caller, api] = emulator.machines
  if (!caller || !api) throw new Error('the emulator should start with two machines')
  const verifier = createVerifier({
    secretKey: api.secretKey,
    apiUrl: emulator.url,
    machineId: api.id,
    fetch: loopbackFetch,
  })

  const express = express5()
  express.get('/orders', expressAuth({ verifier, scope: api.id }), (req, res) => {
    res.json({ caller: req.m2m?.subject })
  })
  const expressUrl = track(await listen(express))

  const fastify = Fastify({ logger: false })
  await fastify.register(fastifyAuth, { verifier, callers: caller.id })
  fastify.get('/orders', async (request) => ({ caller: request.m2m?.subject }))
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  closers.push(() => fastify.close())
  const fastifyUrl = `http://127.0.0.1:${(fastify.server.address() as AddressInfo).port}`

  const hono = new Hono().get(
    '/orders',
    honoAuth({ verifier, authorize: async (t) => t.subject === caller.id }),
    (c) => c.json({ caller: c.var.m2m?.subject }),
  )
  const honoUrl = track(await listen(createAdaptorServer({ fetch: hono.fetch }) as Server))

  const { token } = await issueToken(emulator.url, caller.secretKey)
  const before = emulator.stats().verify
  for (const url of [expressUrl, fastifyUrl, honoUrl, expressUrl]) {
    const res = await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ caller: caller.id })
  }
  expect(emulator.stats().verify - before).toBe(1)
  expect(verifier.stats().upstreamCalls).toBe(1)
})
