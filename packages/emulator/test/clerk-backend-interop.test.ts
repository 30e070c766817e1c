import { createClerkClient } from '@clerk/backend'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../src/index.js'

/**
 * Clerk's own SDK (@clerk/backend 3.25.0) against a running emulator: its m2m API calls the
 * unversioned /m2m_tokens paths, its JWT verification fetches /v1/jwks with the instance key, and
 * its machines API calls /v1/machines.
 */
let emulator: Emulator
let orders: Emulator['machines'][number]
let billing: Emulator['machines'][number]

beforeAll(async () => {
  emulator = await startEmulator()
  ;[orders, billing] = emulator.machines as [typeof orders, typeof billing]
})
afterAll(() => emulator.close())

const clerkFor = (machineSecretKey: string) =>
  createClerkClient({ apiUrl: emulator.url, secretKey: emulator.secretKey, machineSecretKey })

describe('@clerk/backend m2m API', () => {
  it('creates, lists, verifies and revokes opaque tokens', async () => {
    const sender = clerkFor(orders.secretKey)
    const created = await sender.m2m.createToken({ secondsUntilExpiration: 120, claims: { job: 'nightly' } })
    expect(created.token).toMatch(/^mt_/)
    expect(created.scopes).toEqual([billing.id])

    const receiver = clerkFor(billing.secretKey)
    const verified = await receiver.m2m.verify({ token: created.token! })
    expect(verified).toMatchObject({ id: created.id, subject: orders.id, claims: { job: 'nightly' } })

    const listed = await sender.m2m.list({ subject: orders.id })
    expect(listed.totalCount).toBeGreaterThanOrEqual(1)
    expect(listed.data.map((t) => t.id)).toContain(created.id)

    const revoked = await sender.m2m.revokeToken({ m2mTokenId: created.id, revocationReason: 'done' })
    expect(revoked).toMatchObject({ revoked: true, revocationReason: 'done' })
    await expect(receiver.m2m.verify({ token: created.token! })).rejects.toMatchObject({ status: 404 })
  })

  it('reuses a live token with minRemainingTtlSeconds', async () => {
    const sender = clerkFor(orders.secretKey)
    const first = await sender.m2m.createToken({ secondsUntilExpiration: 600, claims: { pool: 1 } })
    const again = await sender.m2m.createToken({
      secondsUntilExpiration: 600,
      claims: { pool: 1 },
      minRemainingTtlSeconds: 60,
    })
    expect(again.id).toBe(first.id)
  })

  it('surfaces the emulator errors as ClerkAPIResponseError with status, code and trace id', async () => {
    const stranger = clerkFor('ak_not_a_key_of_this_instance')
    const error = await stranger.m2m.createToken().catch((e: unknown) => e)
    expect(error).toMatchObject({
      status: 401,
      errors: [expect.objectContaining({ code: 'clerk_key_invalid' })],
    })
    expect((error as { clerkTraceId?: string }).clerkTraceId).toMatch(/^[0-9a-f]{32}$/)
  })

  it('verifies JWT-format tokens locally with the JWKS fetched from the emulator', async () => {
    const created = await clerkFor(orders.secretKey).m2m.createToken({
      tokenFormat: 'jwt',
      claims: { tier: 'gold' },
    })
    const verified = await clerkFor(billing.secretKey).m2m.verify({ token: created.token! })
    expect(verified).toMatchObject({
      id: created.id,
      subject: orders.id,
      scopes: [billing.id],
      expired: false,
    })
    expect(verified.claims).toMatchObject({ tier: 'gold' })
  })

  it('authenticates a request carrying an M2M token through authenticateRequest', async () => {
    const token = (await clerkFor(orders.secretKey).m2m.createToken()).token!
    const clerk = createClerkClient({ apiUrl: emulator.url, secretKey: emulator.secretKey })
    const request = new Request('http://api.local/orders', { headers: { authorization: `Bearer ${token}` } })
    const state = await clerk.authenticateRequest(request, { acceptsToken: 'm2m_token' })
    expect(state.isAuthenticated).toBe(true)
    expect(state.toAuth()).toMatchObject({ tokenType: 'm2m_token', subject: orders.id })
  })
})

describe('@clerk/backend machines API', () => {
  it('creates a machine, grants a scope and reads the secret key', async () => {
    const clerk = createClerkClient({ apiUrl: emulator.url, secretKey: emulator.secretKey })
    const machine = await clerk.machines.create({ name: 'sdk-made', scopedMachines: [orders.id] })
    expect(machine.id).toMatch(/^mch_/)
    expect(machine.scopedMachines.map((m) => m.id)).toEqual([orders.id])
    const scope = await clerk.machines.createScope(machine.id, billing.id)
    expect(scope).toMatchObject({ fromMachineId: machine.id, toMachineId: billing.id })
    const { secret } = await clerk.machines.getSecretKey(machine.id)
    expect(secret).toBe(machine.secretKey)
    const fetched = await clerk.machines.get(machine.id)
    expect(fetched.scopedMachines.map((m) => m.id)).toEqual([orders.id, billing.id])
    const list = await clerk.machines.list()
    expect(list.totalCount).toBe(emulator.machines.length)
  })
})
