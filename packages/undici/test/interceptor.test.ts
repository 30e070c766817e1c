/**
 * createM2MInterceptor on a real undici Agent against loopback servers: the token goes to listed
 * origins only (exact origin), never across a redirect whichever way the redirect interceptor is
 * composed, also through undici's fetch and the global dispatcher; a 401 is answered by one replay
 * with a new token when the body can be sent again.
 */
import { Readable } from 'node:stream'
import { createTokenSource, M2MConfigError, M2MKeyRejectedError } from '@m2m-auth/core'
import { Agent, fetch, getGlobalDispatcher, interceptors, request, setGlobalDispatcher } from 'undici'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createM2MInterceptor } from '../src/index.js'
import { startWorld, type World } from './servers.js'

let world: World
let agent: Agent

beforeEach(async () => {
  world = await startWorld()
  agent = new Agent()
})
afterEach(async () => {
  await agent.close()
  await world.close()
})

const m2m = () => createM2MInterceptor({ source: world.source, origins: [world.billingUrl] })

describe('createM2MInterceptor attaches the token to listed origins only', () => {
  it('authenticates requests to the listed origin as the sending machine', async () => {
    const response = await request(`${world.billingUrl}/invoices`, { dispatcher: agent.compose(m2m()) })
    expect(response.statusCode).toBe(200)
    expect(await response.body.json()).toMatchObject({ caller: world.emulator.machines[0]!.id })
  })

  it('sends nothing to another origin on the same host, and replaces a caller-given header', async () => {
    const dispatcher = agent.compose(m2m())
    const other = await request(`${world.otherUrl}/landing`, { dispatcher })
    await other.body.text()
    expect(world.otherSeen[0]?.authorization).toBeUndefined()
    expect(world.creates()).toBe(0)
    const billing = await request(`${world.billingUrl}/invoices`, {
      dispatcher,
      headers: { Authorization: 'Bearer stale', 'x-trace': 'a' },
    })
    expect(billing.statusCode).toBe(200)
    expect(world.billingSeen[0]?.authorization).toMatch(/^Bearer mt_/)
  })

  it.each([
    ['a flat array', ['x-trace', 'a', 'Authorization', 'Bearer stale']],
    ['an iterable of pairs', new Map([['authorization', 'Bearer stale']])],
    ['an object with an array value', { authorization: ['Bearer stale'], 'x-trace': ['a', 'b'] }],
  ])('replaces the caller header whatever its shape: %s', async (_, headers) => {
    const response = await request(`${world.billingUrl}/invoices`, {
      dispatcher: agent.compose(m2m()),
      headers: headers as never,
    })
    expect(response.statusCode).toBe(200)
    await response.body.text()
    expect(world.billingSeen[0]?.authorization).toMatch(/^Bearer mt_\w+$/)
  })

  it('treats another host name for the same server as another origin', async () => {
    const aliased = world.billingUrl.replace('127.0.0.1', 'localhost')
    const response = await request(`${aliased}/invoices`, { dispatcher: agent.compose(m2m()) })
    expect(response.statusCode).toBe(401)
    await response.body.text()
    expect(world.billingSeen[0]?.authorization).toBeUndefined()
  })
})

describe('createM2MInterceptor and redirects', () => {
  const redirect = () => interceptors.redirect({ maxRedirections: 3 })

  it.each([
    ['redirect composed before (inside) it', () => agent.compose(redirect(), m2m())],
    ['redirect composed after (around) it', () => agent.compose(m2m(), redirect())],
  ])('never carries the token to another origin: %s', async (_, dispatcher) => {
    const response = await request(`${world.billingUrl}/moved`, { dispatcher: dispatcher() })
    expect(response.statusCode).toBe(200)
    expect(await response.body.json()).toEqual({ at: 'other' })
    expect(world.billingSeen[0]?.authorization).toMatch(/^Bearer mt_/)
    expect(world.otherSeen[0]?.authorization).toBeUndefined()
  })

  it("never carries it through undici's fetch, and gives it to a listed origin reached by a redirect", async () => {
    const dispatcher = agent.compose(m2m())
    const moved = await fetch(`${world.billingUrl}/moved`, { dispatcher })
    expect(moved.status).toBe(200)
    expect(world.otherSeen[0]?.authorization).toBeUndefined()
    const bounced = await fetch(`${world.otherUrl}/bounce`, { dispatcher })
    expect(bounced.status).toBe(200)
    expect(world.otherSeen[1]?.authorization).toBeUndefined()
    expect(world.billingSeen.at(-1)?.authorization).toMatch(/^Bearer mt_/)
  })

  it("works as the global dispatcher, for undici's request and Node's own fetch", async () => {
    const previous = getGlobalDispatcher()
    setGlobalDispatcher(agent.compose(m2m()))
    try {
      const response = await request(`${world.billingUrl}/invoices`)
      expect(response.statusCode).toBe(200)
      await response.body.text()
      const viaNodeFetch = await globalThis.fetch(`${world.billingUrl}/invoices`)
      expect(viaNodeFetch.status).toBe(200)
      await viaNodeFetch.text()
      const moved = await globalThis.fetch(`${world.billingUrl}/moved`)
      expect(await moved.json()).toEqual({ at: 'other' })
      expect(world.otherSeen).toHaveLength(1)
      expect(world.otherSeen[0]?.authorization).toBeUndefined()
      await world.revokeCurrentToken()
      expect((await globalThis.fetch(`${world.billingUrl}/invoices`)).status).toBe(200)
      expect(world.creates()).toBe(2)
    } finally {
      setGlobalDispatcher(previous)
    }
  })
})

describe('createM2MInterceptor retries a 401 once with a new token', () => {
  it('replays a GET and a POST with a string body after the receiver refused the token', async () => {
    const dispatcher = agent.compose(m2m())
    await (await request(`${world.billingUrl}/invoices`, { dispatcher })).body.text()
    await world.revokeCurrentToken()
    const get = await request(`${world.billingUrl}/invoices`, { dispatcher })
    expect(get.statusCode).toBe(200)
    await get.body.text()
    await world.revokeCurrentToken()
    const post = await request(`${world.billingUrl}/invoices`, { dispatcher, method: 'POST', body: 'pay=1' })
    expect(post.statusCode).toBe(200)
    expect(await post.body.json()).toMatchObject({ method: 'POST', body: 'pay=1' })
    expect(world.creates()).toBe(3)
    const tokens = world.billingSeen.map((s) => s.authorization)
    expect(tokens[1]).toBe(tokens[0]) // refused
    expect(tokens[2]).not.toBe(tokens[1]) // replayed with a new token
  })

  it('does not replay a stream body: the 401 reaches the caller', async () => {
    const dispatcher = agent.compose(m2m())
    await (await request(`${world.billingUrl}/invoices`, { dispatcher })).body.text()
    await world.revokeCurrentToken()
    const response = await request(`${world.billingUrl}/invoices`, {
      dispatcher,
      method: 'POST',
      body: Readable.from(['streamed']),
    })
    expect(response.statusCode).toBe(401)
    expect(await response.body.text()).toBe('refused')
    expect(world.creates()).toBe(1)
  })

  it('retries only once when the new token is refused too', async () => {
    const response = await request(`${world.billingUrl}/always-401`, { dispatcher: agent.compose(m2m()) })
    expect(response.statusCode).toBe(401)
    expect(await response.body.text()).toBe('no')
    expect(world.billingSeen).toHaveLength(2)
    expect(world.creates()).toBe(2)
  })
})

describe('createM2MInterceptor failures and options', () => {
  it("fails the request with the source's error when no token can be had, sending nothing", async () => {
    const source = createTokenSource({
      secretKey: 'ak_not_known_to_the_emulator',
      apiUrl: world.emulator.url,
      logger: { warn: () => undefined, error: () => undefined },
    })
    const dispatcher = agent.compose(createM2MInterceptor({ source, origins: [world.billingUrl] }))
    await expect(request(`${world.billingUrl}/invoices`, { dispatcher })).rejects.toBeInstanceOf(
      M2MKeyRejectedError,
    )
    expect(world.billingSeen).toHaveLength(0)
  })

  it('refuses unknown options and origins that are not origins, at startup', () => {
    const build = (options: object) => () => createM2MInterceptor(options as never)
    expect(build({ source: world.source, origins: [world.billingUrl], origin: 'x' })).toThrow(M2MConfigError)
    expect(build({ source: world.source, origins: [`${world.billingUrl}/api`] })).toThrow(/origins\[0\]/)
    expect(build({ origins: [world.billingUrl] })).toThrow(/source/)
  })
})
