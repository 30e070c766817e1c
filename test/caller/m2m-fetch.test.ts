/**
 * createM2MFetch against real loopback servers: the token goes to the listed origin only (exact
 * origin: scheme, host and port), never across a redirect, and a 401 is answered by one replay with
 * a new token when the request can be sent again.
 */
import { createM2MClient, createM2MFetch, M2MConfigError } from '@m2m-auth/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loopbackFetch } from '../helpers/http.js'
import { type Apis, startApis } from './apis.js'
import { type SourceHarness, sourceHarness } from './support.js'

let h: SourceHarness
let apis: Apis
let m2mFetch: ReturnType<typeof createM2MFetch>

beforeEach(async () => {
  h = await sourceHarness()
  apis = await startApis(h.emulator)
  m2mFetch = createM2MFetch({ source: h.source, origins: [apis.billing.url], fetch: loopbackFetch })
})
afterEach(async () => {
  await apis.close()
  await h.close()
})

/** Revokes the source's current token at the emulator, so that billing refuses it from now on. */
async function revokeCurrentToken(): Promise<void> {
  const id = h.events.filter((e) => e.type === 'created').at(-1)?.tokenId
  const orders = createM2MClient({ secretKey: h.emulator.machines[0]!.secretKey, apiUrl: h.emulator.url })
  await orders.revokeToken({ m2mTokenId: id! })
}

describe('createM2MFetch attaches the token to listed origins only', () => {
  it('authenticates to the listed origin as the sending machine', async () => {
    const response = await m2mFetch(`${apis.billing.url}/invoices`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ caller: h.emulator.machines[0]!.id })
    expect(apis.billingSeen[0]?.authorization).toMatch(/^Bearer mt_/)
  })

  it('sends nothing to another origin, even one on the same host with another port', async () => {
    const response = await m2mFetch(`${apis.other.url}/landing`)
    expect(response.status).toBe(200)
    expect(apis.otherSeen[0]?.authorization).toBeUndefined()
    expect(h.source.stats().creates).toBe(0)
  })

  it('treats another host name for the same server as another origin', async () => {
    const aliased = apis.billing.url.replace('127.0.0.1', 'localhost')
    const response = await m2mFetch(`${aliased}/invoices`)
    expect(response.status).toBe(401)
    expect(apis.billingSeen[0]?.authorization).toBeUndefined()
  })

  it('replaces an Authorization header given by the caller on a listed origin', async () => {
    const response = await m2mFetch(`${apis.billing.url}/invoices`, {
      headers: { authorization: 'Bearer x' },
    })
    expect(response.status).toBe(200)
  })
})

describe('createM2MFetch and redirects', () => {
  it('never carries the token to another origin through a redirect', async () => {
    const response = await m2mFetch(`${apis.billing.url}/moved`)
    expect(response.status).toBe(200)
    expect(response.url).toBe(`${apis.other.url}/landing`)
    expect(apis.billingSeen[0]?.authorization).toMatch(/^Bearer mt_/)
    expect(apis.otherSeen).toHaveLength(1)
    expect(apis.otherSeen[0]?.authorization).toBeUndefined()
  })

  it("drops the caller's own credentials when a redirect leaves the origin", async () => {
    await m2mFetch(`${apis.billing.url}/moved`, { headers: { cookie: 'session=1' } })
    expect(apis.billingSeen[0]?.cookie).toBe('session=1')
    expect(apis.otherSeen[0]).toMatchObject({ authorization: undefined, cookie: undefined })
  })

  it('keeps the token on a same-origin redirect (307 keeps method and body)', async () => {
    const response = await m2mFetch(`${apis.billing.url}/moved-here`, { method: 'POST', body: 'pay' })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ method: 'POST', body: 'pay' })
    expect(apis.billingSeen.map((s) => s.authorization?.startsWith('Bearer mt_'))).toEqual([true, true])
  })

  it('attaches the token when a redirect leads from another origin to a listed one', async () => {
    const response = await m2mFetch(`${apis.other.url}/bounce`)
    expect(response.status).toBe(200)
    expect(apis.otherSeen[0]?.authorization).toBeUndefined()
    expect(apis.billingSeen[0]?.authorization).toMatch(/^Bearer mt_/)
  })

  it('returns the redirect itself with redirect: "manual" and fails with redirect: "error"', async () => {
    const manual = await m2mFetch(`${apis.billing.url}/moved`, { redirect: 'manual' })
    expect(manual.status).toBe(302)
    await expect(m2mFetch(`${apis.billing.url}/moved`, { redirect: 'error' })).rejects.toBeInstanceOf(
      TypeError,
    )
    expect(apis.otherSeen).toHaveLength(0)
  })
})

describe('createM2MFetch retries a 401 once with a new token', () => {
  it('replays a GET with a new token after the receiver refused the current one', async () => {
    await (await m2mFetch(`${apis.billing.url}/invoices`)).text()
    await revokeCurrentToken()
    const response = await m2mFetch(`${apis.billing.url}/invoices`)
    expect(response.status).toBe(200)
    expect(h.creates()).toBe(2)
    const [, refused, replayed] = apis.billingSeen
    expect(refused?.authorization).toBe(apis.billingSeen[0]?.authorization)
    expect(replayed?.authorization).not.toBe(refused?.authorization)
  })

  it('replays a string body, and lets concurrent refusals share one new token', async () => {
    await (await m2mFetch(`${apis.billing.url}/invoices`)).text()
    await revokeCurrentToken()
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        m2mFetch(`${apis.billing.url}/invoices`, { method: 'POST', body: `n=${i}` }),
      ),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    expect((await responses[3]!.json()).body).toBe('n=3')
    expect(h.creates()).toBe(2)
  })

  it('does not replay a stream body: the 401 is returned', async () => {
    await (await m2mFetch(`${apis.billing.url}/invoices`)).text()
    await revokeCurrentToken()
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'))
        controller.close()
      },
    })
    const response = await m2mFetch(`${apis.billing.url}/invoices`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(401)
    expect(h.creates()).toBe(1)
  })

  it('retries only once when the new token is refused too', async () => {
    const response = await m2mFetch(`${apis.billing.url}/always-401`)
    expect(response.status).toBe(401)
    expect(apis.billingSeen).toHaveLength(2)
    expect(h.creates()).toBe(2)
  })
})

describe('createM2MFetch without a token', () => {
  it("rejects with the source's error and sends nothing when no token can be had", async () => {
    h.emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['create'] })
    await expect(m2mFetch(`${apis.billing.url}/invoices`)).rejects.toMatchObject({ status: 503 })
    expect(apis.billingSeen).toHaveLength(0)
  })
})

describe('createM2MFetch options', () => {
  it('refuses unknown options and origins that are not origins, at startup', () => {
    const build = (options: object) => () => createM2MFetch(options as never)
    expect(build({ source: h.source, origins: [apis.billing.url], orgins: [] })).toThrow(M2MConfigError)
    expect(build({ source: h.source, origins: [`${apis.billing.url}/v1`] })).toThrow(/origins\[0\]/)
    expect(build({ source: h.source, origins: ['ftp://example.com'] })).toThrow(/http and https/)
    expect(build({ source: h.source, origins: [] })).toThrow(/non-empty/)
    expect(build({ origins: [apis.billing.url] })).toThrow(/source/)
  })
})
