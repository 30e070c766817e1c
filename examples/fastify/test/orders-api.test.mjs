/**
 * The Fastify example tested the way the emulator's README says: one emulator for the run
 * (vitest globalSetup), the API configured by envFor(), tokens from mintToken(), requests with
 * Fastify's inject(), the 503 path through an emulator fault.
 */
import { connectEmulator } from '@m2m-auth/emulator'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { createApp } from '../src/app.mjs'

const emulator = connectEmulator(inject('m2mEmulator'))
/** @type {import('fastify').FastifyInstance} */
let app
/** @type {{ id: string }} */
let adminScope

beforeAll(async () => {
  // The API under test is billing-service; its key, id and the emulator URL come from envFor.
  Object.assign(process.env, emulator.envFor('billing-service'))
  adminScope = await emulator.createMachine({ name: `fastify-reports-${Date.now()}` })
  app = await createApp({ adminScope: adminScope.id })
})
afterAll(() => app.close())
afterEach(() => emulator.clearFaults())

const get = (url, token) =>
  app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} })

describe('Fastify orders API', () => {
  it('answers 200 with the caller for a token minted by orders-service', async () => {
    const { token } = await emulator.mintToken({ from: 'orders-service' })
    const res = await get('/orders', token)
    expect(res.statusCode).toBe(200)
    expect(res.json().caller).toBe(emulator.machine('orders-service').id)
  })

  it('answers 401 with a challenge without a token, for a garbage one and for a revoked one', async () => {
    const missing = await get('/orders')
    expect(missing.statusCode).toBe(401)
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/)
    expect((await get('/orders', 'not-a-token')).statusCode).toBe(401)
    const { token, id } = await emulator.mintToken({ from: 'orders-service' })
    await emulator.revokeToken(id)
    expect((await get('/orders', token)).statusCode).toBe(401)
  })

  it('answers 401 for a token that is not scoped to this API', async () => {
    const { token } = await emulator.mintToken({ from: 'orders-service', to: [] })
    expect((await get('/orders', token)).statusCode).toBe(401)
  })

  it('answers 403 insufficient_scope when the token lacks the admin scope, 200 when it has it', async () => {
    const plain = await emulator.mintToken({ from: 'orders-service' })
    const denied = await get('/admin/reports', plain.token)
    expect(denied.statusCode).toBe(403)
    expect(denied.headers['www-authenticate']).toMatch(/insufficient_scope/)
    const admin = await emulator.mintToken({ from: 'orders-service', to: ['billing-service', adminScope.id] })
    expect((await get('/admin/reports', admin.token)).statusCode).toBe(200)
  })

  it('answers 503, not 401, when the token service fails', async () => {
    const { token } = await emulator.mintToken({ from: 'orders-service' })
    await emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['verify'] })
    expect((await get('/orders', token)).statusCode).toBe(503)
  })
})
