import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Emulator, EmulatorMachine } from '../src/index.js'
import { type Answer, client, type createClock, startWithClock } from './support.js'

let emulator: Emulator
let clock: ReturnType<typeof createClock>
let api: ReturnType<typeof client>

beforeAll(async () => {
  ;({ emulator, clock } = await startWithClock())
  api = client(emulator)
})
afterAll(() => emulator.close())

/** A fresh sender per test, so token lists and reuse do not leak between tests. */
function sender(): { machine: EmulatorMachine; receiver: EmulatorMachine } {
  const receiver = emulator.createMachine({ name: `receiver-${Math.random()}` })
  const machine = emulator.createMachine({ name: `sender-${Math.random()}`, scopes: [receiver.id] })
  return { machine, receiver }
}

const create = (key: string, json: Record<string, unknown> = {}): Promise<Answer> =>
  api('POST', '/m2m_tokens', { key, json })

describe('min_remaining_ttl_seconds', () => {
  it('returns the live token with the same claims instead of minting a new one', async () => {
    const { machine } = sender()
    const first = await create(machine.secretKey, {
      seconds_until_expiration: 600,
      claims: { a: 1, b: [1, 2] },
    })
    const again = await create(machine.secretKey, {
      seconds_until_expiration: 600,
      claims: { b: [1, 2], a: 1 },
      min_remaining_ttl_seconds: 300,
    })
    expect(again.status).toBe(201)
    expect(again.body.id).toBe(first.body.id)
    expect(again.body.token).toBe(first.body.token)
  })

  it('mints a new token when the claims differ or no token has enough lifetime left', async () => {
    const { machine } = sender()
    const first = await create(machine.secretKey, { seconds_until_expiration: 600, claims: { a: 1 } })
    const otherClaims = await create(machine.secretKey, { claims: { a: 2 }, min_remaining_ttl_seconds: 10 })
    expect(otherClaims.body.id).not.toBe(first.body.id)
    clock.advance(400_000) // 200 s left on the first token
    const tooShort = await create(machine.secretKey, { claims: { a: 1 }, min_remaining_ttl_seconds: 300 })
    const enough = await create(machine.secretKey, { claims: { a: 1 }, min_remaining_ttl_seconds: 100 })
    expect(tooShort.body.id).not.toBe(first.body.id)
    expect(enough.body.id).toBe(tooShort.body.id) // the newest matching token wins
  })

  it('never reuses a revoked token or one minted with other scopes', async () => {
    const { machine } = sender()
    const first = await create(machine.secretKey, { claims: null })
    await api('POST', `/m2m_tokens/${first.body.id}/revoke`, { key: machine.secretKey })
    const afterRevoke = await create(machine.secretKey, { min_remaining_ttl_seconds: 1 })
    expect(afterRevoke.body.id).not.toBe(first.body.id)
    emulator.grantScope(machine.id, emulator.createMachine({ name: `extra-${Math.random()}` }).id)
    const afterGrant = await create(machine.secretKey, { min_remaining_ttl_seconds: 1 })
    expect(afterGrant.body.id).not.toBe(afterRevoke.body.id)
  })

  it('never deduplicates JWT-format tokens', async () => {
    const { machine } = sender()
    const json = { token_format: 'jwt', min_remaining_ttl_seconds: 1 }
    const [a, b] = [await create(machine.secretKey, json), await create(machine.secretKey, json)]
    expect(a.body.id).not.toBe(b.body.id)
  })
})

describe('expiration', () => {
  it('uses the machine default lifetime of 3600 s when none is given', async () => {
    const { machine } = sender()
    const res = await create(machine.secretKey)
    expect(res.body.expiration - res.body.created_at).toBe(3_600_000)
  })

  it('answers 404 on verify once the token expired, and lists it only with expired=true', async () => {
    const { machine, receiver } = sender()
    const res = await create(machine.secretKey, { seconds_until_expiration: 60 })
    clock.advance(60_001)
    const verify = await api('POST', '/m2m_tokens/verify', {
      key: receiver.secretKey,
      json: { token: res.body.token },
    })
    expect(verify.status).toBe(404)
    const key = machine.secretKey
    const hidden = await api('GET', `/m2m_tokens?subject=${machine.id}`, { key })
    const shown = await api('GET', `/m2m_tokens?subject=${machine.id}&expired=true`, { key })
    expect(hidden.body.total_count).toBe(0)
    expect(shown.body.m2m_tokens).toEqual([expect.objectContaining({ id: res.body.id, expired: true })])
  })

  it('accepts fractional lifetimes in seconds', async () => {
    const { machine } = sender()
    const res = await create(machine.secretKey, { seconds_until_expiration: 1.5 })
    expect(res.body.expiration - res.body.created_at).toBe(1500)
  })
})

describe('listing', () => {
  it('filters revoked tokens, counts the matches and pages newest first', async () => {
    const { machine } = sender()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push((await create(machine.secretKey)).body.id)
      clock.advance(1) // distinct creation times
    }
    await api('POST', `/m2m_tokens/${ids[0]}/revoke`, { key: machine.secretKey })
    const list = (query: string) =>
      api('GET', `/v1/m2m_tokens?subject=${machine.id}${query}`, { key: emulator.secretKey })
    const live = await list('')
    expect(live.body.total_count).toBe(4)
    expect(live.body.m2m_tokens.map((t: { id: string }) => t.id)).toEqual(ids.slice(1).reverse())
    const all = await list('&revoked=true')
    expect(all.body.total_count).toBe(5)
    const page = await list('&revoked=true&limit=2&offset=2')
    expect(page.body.m2m_tokens.map((t: { id: string }) => t.id)).toEqual([ids[2], ids[1]])
    expect(page.body.total_count).toBe(5)
    const past = await list('&revoked=true&offset=10')
    expect(past.body.m2m_tokens).toEqual([])
  })

  it('answers a field-level 400 for out-of-range limits and non-boolean flags', async () => {
    const { machine } = sender()
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'offset=-1', 'revoked=maybe', 'expired=1']) {
      const res = await api('GET', `/m2m_tokens?subject=${machine.id}&${query}`, { key: machine.secretKey })
      expect(res.status, query).toBe(400)
      expect(res.body.errors[0].meta.param_name).toBe(query.split('=')[0])
    }
  })

  it('lists opaque tokens only', async () => {
    const { machine } = sender()
    await create(machine.secretKey, { token_format: 'jwt' })
    const res = await api('GET', `/m2m_tokens?subject=${machine.id}`, { key: machine.secretKey })
    expect(res.body.total_count).toBe(0)
  })
})

describe('purging expired tokens', () => {
  it('drops tokens expired for longer than expiredTokenRetentionMs, so a long run stays bounded', async () => {
    const { emulator: short, clock: shortClock } = await startWithClock({ expiredTokenRetentionMs: 60_000 })
    try {
      const shortApi = client(short)
      const [orders] = short.machines as [EmulatorMachine]
      const old = await shortApi('POST', '/m2m_tokens', {
        key: orders.secretKey,
        json: { seconds_until_expiration: 1 },
      })
      const listAll = () =>
        shortApi('GET', `/m2m_tokens?subject=${orders.id}&expired=true&revoked=true`, {
          key: short.secretKey,
        })
      shortClock.advance(30_000) // expired, still inside the retention: listed with expired=true
      await shortApi('POST', '/m2m_tokens', { key: orders.secretKey })
      expect((await listAll()).body.m2m_tokens.map((t: { id: string }) => t.id)).toContain(old.body.id)
      shortClock.advance(60_000) // now expired for 89 s: the next creation sweeps it away
      const fresh = await shortApi('POST', '/m2m_tokens', { key: orders.secretKey })
      const ids = (await listAll()).body.m2m_tokens.map((t: { id: string }) => t.id)
      expect(ids).not.toContain(old.body.id)
      expect(ids).toContain(fresh.body.id)
      const revoke = await shortApi('POST', `/m2m_tokens/${old.body.id}/revoke`, { key: short.secretKey })
      expect(revoke.status).toBe(404)
    } finally {
      await short.close()
    }
  })

  it('rejects a negative expiredTokenRetentionMs at start', async () => {
    await expect(startWithClock({ expiredTokenRetentionMs: -1 })).rejects.toThrow(/expiredTokenRetentionMs/)
  })
})
