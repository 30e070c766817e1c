import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectEmulator, type Emulator, type EmulatorClient, startEmulator } from '../src/index.js'
import { call } from './support.js'

let emulator: Emulator
let remote: EmulatorClient

beforeAll(async () => {
  emulator = await startEmulator()
  remote = connectEmulator(JSON.parse(JSON.stringify(emulator.info())))
})
afterAll(() => emulator.close())

/** Verifies `token` as the receiving API would, with the key envFor gives it. */
const verifyAs = (receiver: string, token: string) =>
  call(emulator.url, 'POST', '/m2m_tokens/verify', {
    key: emulator.envFor(receiver).CLERK_MACHINE_SECRET_KEY,
    json: { token },
  })

describe.each([
  ['in process (startEmulator)', () => emulator],
  ['over HTTP (connectEmulator)', () => remote],
] as const)('test helpers %s', (_name, get) => {
  it('mints a token the receiver verifies, scoped to the sender grants by default', async () => {
    const minted = await get().mintToken({ from: 'orders-service', claims: { job: 'sync' } })
    const orders = emulator.machine('orders-service')
    const billing = emulator.machine('billing-service')
    expect(minted).toMatchObject({ subject: orders.id, scopes: [billing.id], claims: { job: 'sync' } })
    expect(minted.id).toMatch(/^mt_[0-9a-f]{32}$/)
    const verified = await verifyAs('billing-service', minted.token!)
    expect(verified.status).toBe(200)
    expect(verified.body.id).toBe(minted.id)
  })

  it('mints exactly the scopes given in `to`, by name or id, and JWTs on request', async () => {
    const billing = emulator.machine('billing-service')
    const toOrders = await get().mintToken({ from: billing.id, to: 'orders-service' })
    expect((await verifyAs('orders-service', toOrders.token!)).status).toBe(200)
    const toNobody = await get().mintToken({ from: 'billing-service', to: [] })
    expect((await verifyAs('orders-service', toNobody.token!)).status).toBe(404)
    const jwt = await get().mintToken({ from: 'orders-service', format: 'jwt', expiresInSeconds: 60 })
    expect(jwt.token!.split('.')).toHaveLength(3)
    // JWT times are whole seconds: iat rounds down, exp up.
    expect(jwt.expiration! - jwt.createdAt).toBeGreaterThanOrEqual(60_000)
    expect(jwt.expiration! - jwt.createdAt).toBeLessThanOrEqual(61_000)
  })

  it('revokes a minted token, after which the receiver is refused it', async () => {
    const minted = await get().mintToken({ from: 'orders-service' })
    const revoked = await get().revokeToken(minted.id, { reason: 'test' })
    expect(revoked).toMatchObject({ id: minted.id, revoked: true, revocationReason: 'test' })
    expect((await verifyAs('billing-service', minted.token!)).status).toBe(404)
  })

  it('still mints while every route is faulted, and clearFaults restores the routes', async () => {
    await get().setFaults({ errorRate: 1, errorStatus: 503 })
    try {
      const minted = await get().mintToken({ from: 'orders-service' })
      expect((await verifyAs('billing-service', minted.token!)).status).toBe(503)
      await get().clearFaults()
      expect((await verifyAs('billing-service', minted.token!)).status).toBe(200)
    } finally {
      emulator.clearFaults()
    }
  })

  it('gives the receiving API its URL, Machine Secret Key and machine id', () => {
    const billing = emulator.machine('billing-service')
    expect(get().envFor('billing-service')).toEqual({
      CLERK_API_URL: emulator.url,
      CLERK_MACHINE_SECRET_KEY: billing.secretKey,
      CLERK_MACHINE_ID: billing.id,
    })
    expect(get().envFor(billing.id)).toEqual(get().envFor('billing-service'))
    expect(() => get().envFor('ghost-service')).toThrow(/no machine named or with id ghost-service/)
  })

  it('refuses unknown machines, misspelt options and bad lifetimes with a message naming them', async () => {
    await expect(get().mintToken({ from: 'ghost' })).rejects.toThrow(
      /from: no machine named or with id ghost/,
    )
    const misspelt = { from: 'orders-service', expiresIn: 5 } as never
    await expect(get().mintToken(misspelt)).rejects.toThrow(/unknown option expiresIn/)
    await expect(get().mintToken({ from: 'orders-service', expiresInSeconds: 0 })).rejects.toThrow(
      /expiresInSeconds/,
    )
    const reserved = { from: 'orders-service', format: 'jwt', claims: { sub: 'x' } } as const
    await expect(get().mintToken(reserved)).rejects.toThrow(/must not set sub/)
    await expect(get().revokeToken('mt_00000000000000000000000000000000')).rejects.toThrow(/no stored token/)
  })
})

describe('connectEmulator', () => {
  it('creates machines and grants scopes through the admin routes', async () => {
    const api = await remote.createMachine({ name: 'reports-api' })
    expect(remote.machine('reports-api')).toEqual(api)
    expect(emulator.machine('reports-api')).toEqual(api)
    await remote.grantScope('orders-service', 'reports-api')
    const minted = await remote.mintToken({ from: 'orders-service' })
    expect(minted.scopes).toContain(api.id)
  })

  it('rejects what is not an emulator description', () => {
    expect(() => connectEmulator({ url: 'http://127.0.0.1:1' } as never)).toThrow(/url, secretKey, machines/)
  })

  it('answers the admin mint route 401 without the instance key and 403 with a machine key', async () => {
    const body = { from: 'orders-service' }
    const anonymous = await fetch(`${emulator.url}/__emulator/tokens`, {
      method: 'POST',
      body: JSON.stringify(body),
    })
    const byMachine = await fetch(`${emulator.url}/__emulator/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.machine('orders-service').secretKey}` },
      body: JSON.stringify(body),
    })
    expect([anonymous.status, byMachine.status]).toEqual([401, 403])
  })
})
