import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, type Faults, startEmulator } from '../src/index.js'
import { call, client } from './support.js'

let emulator: Emulator
let api: ReturnType<typeof client>
let orders: Emulator['machines'][number]
let billing: Emulator['machines'][number]

beforeAll(async () => {
  emulator = await startEmulator()
  api = client(emulator)
  ;[orders, billing] = emulator.machines as [typeof orders, typeof billing]
})
afterEach(() => {
  emulator.setFaults({})
  emulator.setLatency(0)
})
afterAll(() => emulator.close())

const create = () => api('POST', '/m2m_tokens', { key: orders.secretKey })
const verify = (token: string) =>
  api('POST', '/m2m_tokens/verify', { key: billing.secretKey, json: { token } })

describe('faults set from code', () => {
  it('answers every request with the chosen 5xx in Clerk error format at errorRate 1', async () => {
    emulator.setFaults({ errorRate: 1, errorStatus: 503 })
    const res = await create()
    expect(res.status).toBe(503)
    expect(res.body.errors[0].code).toBe('internal_clerk_error')
  })

  it('limits faults to the listed routes', async () => {
    const { token } = (await create()).body
    emulator.setFaults({ errorRate: 1, routes: ['verify'] })
    expect((await create()).status).toBe(201)
    expect((await verify(token)).status).toBe(500)
  })

  it('answers 429 with Retry-After at rateLimitRate 1', async () => {
    emulator.setFaults({ rateLimitRate: 1, retryAfterSeconds: 7 })
    const res = await create()
    expect(res.status).toBe(429)
    expect(res.headers.get('retry-after')).toBe('7')
  })

  it('answers 200 with a body that is not JSON at malformedRate 1', async () => {
    emulator.setFaults({ malformedRate: 1 })
    const res = await fetch(`${emulator.url}/m2m_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${orders.secretKey}` },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/json')
    await expect(res.json()).rejects.toThrow()
  })

  it('destroys the socket at resetRate 1', async () => {
    emulator.setFaults({ resetRate: 1 })
    await expect(
      fetch(`${emulator.url}/jwks`, { headers: { authorization: `Bearer ${emulator.secretKey}` } }),
    ).rejects.toThrow(/fetch failed/)
  })

  it('never answers at hangRate 1, until the client gives up', async () => {
    emulator.setFaults({ hangRate: 1 })
    const started = Date.now()
    await expect(
      fetch(`${emulator.url}/m2m_tokens`, { method: 'POST', signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow()
    expect(Date.now() - started).toBeGreaterThanOrEqual(190)
  })

  it('leaves state untouched: a faulted create mints nothing', async () => {
    emulator.setFaults({ errorRate: 1, routes: ['create'] })
    await create()
    emulator.setFaults({})
    const listed = await api('GET', `/m2m_tokens?subject=${orders.id}&limit=100`, { key: emulator.secretKey })
    const before = listed.body.total_count
    emulator.setFaults({ errorRate: 1, routes: ['create'] })
    await create()
    emulator.setFaults({})
    const after = await api('GET', `/m2m_tokens?subject=${orders.id}&limit=100`, { key: emulator.secretKey })
    expect(after.body.total_count).toBe(before)
  })

  it('delays answers by slowMs and by the latency of the M2M routes', async () => {
    emulator.setFaults({ slowMs: 150, routes: ['create'] })
    let started = Date.now()
    expect((await create()).status).toBe(201)
    expect(Date.now() - started).toBeGreaterThanOrEqual(145)
    emulator.setFaults({})
    emulator.setLatency({ min: 120, max: 140 })
    started = Date.now()
    expect((await create()).status).toBe(201)
    expect(Date.now() - started).toBeGreaterThanOrEqual(115)
  })

  it('rejects invalid faults with an error naming the option', () => {
    expect(() => emulator.setFaults({ errorRate: 2 })).toThrow(/faults.errorRate/)
    expect(() => emulator.setFaults({ routes: ['everything'] } as unknown as Faults)).toThrow(/faults.routes/)
    expect(() => emulator.setLatency({ min: 5, max: 1 })).toThrow(/latencyMs/)
  })
})

describe('fractional fault rates', () => {
  it('draw the same faults for the same seed', async () => {
    const statuses = async () => {
      const e = await startEmulator({ seed: 'fault-seed', faults: { errorRate: 0.5, routes: ['machines'] } })
      const seen: number[] = []
      for (let i = 0; i < 20; i++)
        seen.push((await call(e.url, 'GET', '/machines', { key: e.secretKey })).status)
      await e.close()
      return seen
    }
    const first = await statuses()
    expect(first).toContain(500)
    expect(first).toContain(200)
    expect(await statuses()).toEqual(first)
  })
})

describe('latency option', () => {
  it('applies to the M2M routes but not to the machine routes', async () => {
    const slow = await startEmulator({ latencyMs: 60_000 })
    try {
      expect((await call(slow.url, 'GET', '/machines', { key: slow.secretKey })).status).toBe(200)
      const listing = fetch(`${slow.url}/m2m_tokens?subject=${slow.machines[0]!.id}`, {
        headers: { authorization: `Bearer ${slow.secretKey}` },
        signal: AbortSignal.timeout(300),
      })
      await expect(listing).rejects.toThrow()
    } finally {
      await slow.close()
    }
  })
})

describe('close()', () => {
  it('returns promptly with a hung request and a sleeping one open', async () => {
    const e = await startEmulator({ faults: { hangRate: 1, routes: ['verify'] }, latencyMs: 60_000 })
    const hung = fetch(`${e.url}/m2m_tokens/verify`, { method: 'POST' }).catch((error: unknown) => error)
    const sleeping = fetch(`${e.url}/m2m_tokens`, { method: 'POST' }).catch((error: unknown) => error)
    // Bounded wait until both requests reached the server (hung and sleeping there).
    for (let i = 0; i < 250 && e.stats().requests < 2; i++) await new Promise((r) => setTimeout(r, 20))
    expect(e.stats().requests).toBe(2)
    const started = Date.now()
    await e.close()
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(await hung).toBeInstanceOf(Error)
    expect(await sleeping).toBeInstanceOf(Error)
    await e.close() // idempotent
  })
})

describe('admin endpoints', () => {
  const admin = (method: string, path: string, key?: string, json?: unknown) =>
    call(emulator.url, method, `/__emulator/${path}`, { ...(key ? { key } : {}), ...(json ? { json } : {}) })

  it('require the instance secret key: 401 without or with an unknown key, 403 with a machine key', async () => {
    expect((await admin('POST', 'faults', undefined, { errorRate: 1 })).status).toBe(401)
    expect((await admin('POST', 'faults', 'sk_test_unknownunknown', { errorRate: 1 })).status).toBe(401)
    expect((await admin('POST', 'faults', orders.secretKey, { errorRate: 1 })).status).toBe(403)
    expect((await create()).status).toBe(201) // none of them took effect
  })

  it('set faults that apply at once, and clear them even while every route is faulted', async () => {
    const set = await admin('POST', 'faults', emulator.secretKey, { errorRate: 1, errorStatus: 502 })
    expect(set.status).toBe(200)
    expect(set.body.faults).toEqual({ errorRate: 1, errorStatus: 502 })
    expect((await create()).status).toBe(502)
    expect((await admin('GET', 'faults', emulator.secretKey)).body.faults.errorStatus).toBe(502)
    expect((await admin('POST', 'faults', emulator.secretKey, {})).status).toBe(200)
    expect((await create()).status).toBe(201)
  })

  it('answer 400 for invalid faults', async () => {
    const res = await admin('POST', 'faults', emulator.secretKey, { errorRate: 'often' })
    expect(res.status).toBe(400)
    expect(res.body.errors[0].long_message).toMatch(/errorRate/)
  })

  it('count requests per route and reset the counters', async () => {
    await admin('POST', 'reset-stats', emulator.secretKey)
    const { token } = (await create()).body
    await verify(token)
    await verify(token)
    await api('GET', '/nowhere')
    const stats = (await admin('GET', 'stats', emulator.secretKey)).body
    expect(stats).toEqual({ requests: 4, byRoute: { create: 1, verify: 2, unknown: 1 }, verify: 2 })
    expect(emulator.stats()).toEqual(stats)
    const reset = await admin('POST', 'reset-stats', emulator.secretKey)
    expect(reset.body).toEqual({ requests: 0, byRoute: {}, verify: 0 })
  })

  it('rotate the JWT signing key and set latency', async () => {
    const rotated = await admin('POST', 'rotate-jwks', emulator.secretKey, { keepOld: true })
    expect(rotated.body.kid).toEqual(expect.any(String))
    const jwks = await api('GET', '/jwks', { key: emulator.secretKey })
    expect(jwks.body.keys[0].kid).toBe(rotated.body.kid)
    expect(jwks.body.keys.length).toBeGreaterThanOrEqual(2)
    const latency = await admin('POST', 'latency', emulator.secretKey, { latencyMs: { min: 0, max: 5 } })
    expect(latency.body).toEqual({ latencyMs: { min: 0, max: 5 } })
    expect((await admin('POST', 'rotate-jwks', emulator.secretKey, { keepOld: 'yes' })).status).toBe(400)
  })

  it('answer 404 for an unknown admin route', async () => {
    expect((await admin('POST', 'explode', emulator.secretKey)).status).toBe(404)
  })
})
