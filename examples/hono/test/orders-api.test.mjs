/**
 * The Hono example tested the way the emulator's README says: one emulator for the run (vitest
 * globalSetup), tokens from mintToken(), requests with app.request() and envFor() as the
 * bindings (as a Worker gets them), the 503 path through an emulator fault.
 */
import { connectEmulator } from '@m2m-auth/emulator'
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { createApp } from '../src/app.mjs'

const emulator = connectEmulator(inject('m2mEmulator'))
/** @type {import('hono').Hono} */
let app
/** @type {{ id: string }} */
let adminScope

beforeAll(async () => {
  adminScope = await emulator.createMachine({ name: `hono-reports-${Date.now()}` })
  app = createApp({ adminScope: adminScope.id })
})
afterEach(() => emulator.clearFaults())

// The API under test is billing-service: envFor gives its key, id and the emulator URL as bindings.
const get = (path, token) =>
  app.request(
    path,
    { headers: token ? { authorization: `Bearer ${token}` } : {} },
    emulator.envFor('billing-service'),
  )

describe('Hono orders API', () => {
  it('answers 200 with the caller for a token minted by orders-service', async () => {
    const { token } = await emulator.mintToken({ from: 'orders-service' })
    const res = await get('/orders', token)
    expect(res.status).toBe(200)
    expect((await res.json()).caller).toBe(emulator.machine('orders-service').id)
  })

  it('answers 401 with a challenge without a token, for a garbage one and for a revoked one', async () => {
    const missing = await get('/orders')
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/)
    expect((await get('/orders', 'not-a-token')).status).toBe(401)
    const { token, id } = await emulator.mintToken({ from: 'orders-service' })
    await emulator.revokeToken(id)
    expect((await get('/orders', token)).status).toBe(401)
  })

  it('answers 401 for a token that is not scoped to this API', async () => {
    const { token } = await emulator.mintToken({ from: 'orders-service', to: [] })
    expect((await get('/orders', token)).status).toBe(401)
  })

  it('answers 403 insufficient_scope when the token lacks the admin scope, 200 when it has it', async () => {
    const plain = await emulator.mintToken({ from: 'orders-service' })
    const denied = await get('/admin/reports', plain.token)
    expect(denied.status).toBe(403)
    expect(denied.headers.get('www-authenticate')).toMatch(/insufficient_scope/)
    const admin = await emulator.mintToken({ from: 'orders-service', to: ['billing-service', adminScope.id] })
    expect((await get('/admin/reports', admin.token)).status).toBe(200)
  })

  it('answers 503, not 401, when the token service fails', async () => {
    const { token } = await emulator.mintToken({ from: 'orders-service' })
    await emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['verify'] })
    expect((await get('/orders', token)).status).toBe(503)
  })
})
