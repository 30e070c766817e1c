import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from '../src/index.js'
import { client, PATH_STYLES } from './support.js'

let emulator: Emulator
let api: ReturnType<typeof client>

beforeAll(async () => {
  emulator = await startEmulator()
  api = client(emulator)
})
afterAll(() => emulator.close())

const admin = () => ({ key: emulator.secretKey })

describe.each(PATH_STYLES)('the machine routes on %s paths', (_style, prefix) => {
  it('create a machine with scopes whose secret key can then mint tokens for those scopes', async () => {
    const [orders] = emulator.machines
    const res = await api('POST', `${prefix}/machines`, {
      ...admin(),
      json: { name: 'reports-service', scoped_machines: [orders!.id] },
    })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ object: 'machine', name: 'reports-service', default_token_ttl: 3600 })
    expect(res.body.id).toMatch(/^mch_\w{27}$/)
    expect(res.body.instance_id).toMatch(/^ins_\w{27}$/)
    expect(res.body.secret_key).toMatch(/^ak_/)
    expect(res.body.scoped_machines.map((m: { id: string }) => m.id)).toEqual([orders!.id])
    const token = await api('POST', `${prefix}/m2m_tokens`, { key: res.body.secret_key })
    expect(token.body.scopes).toEqual([orders!.id])
  })

  it('get a machine and its secret key, and 404 for an unknown id', async () => {
    const [orders] = emulator.machines
    const got = await api('GET', `${prefix}/machines/${orders!.id}`, admin())
    expect(got.status).toBe(200)
    expect(got.body.name).toBe('orders-service')
    const secret = await api('GET', `${prefix}/machines/${orders!.id}/secret_key`, admin())
    expect(secret.body).toEqual({ object: 'machine_secret_key', secret: orders!.secretKey })
    const missing = await api('GET', `${prefix}/machines/mch_${'0'.repeat(27)}`, admin())
    expect(missing.status).toBe(404)
  })

  it('grant a scope once (409 the second time) and delete it', async () => {
    const a = emulator.createMachine({ name: `a-${prefix}` })
    const b = emulator.createMachine({ name: `b-${prefix}` })
    const grant = () =>
      api('POST', `${prefix}/machines/${a.id}/scopes`, { ...admin(), json: { to_machine_id: b.id } })
    const first = await grant()
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ object: 'machine_scope', from_machine_id: a.id, to_machine_id: b.id })
    expect((await grant()).status).toBe(409)
    expect((await api('POST', '/m2m_tokens', { key: a.secretKey })).body.scopes).toEqual([b.id])
    const removed = await api('DELETE', `${prefix}/machines/${a.id}/scopes/${b.id}`, admin())
    expect(removed.body).toMatchObject({ deleted: true, to_machine_id: b.id })
    const again = await api('DELETE', `${prefix}/machines/${a.id}/scopes/${b.id}`, admin())
    expect(again.status).toBe(404)
  })
})

describe('machine listing', () => {
  it('lists newest first with a total count, pages, and filters by name or exact id', async () => {
    const res = await api('GET', '/machines?limit=2', admin())
    expect(res.status).toBe(200)
    expect(res.body.data).toHaveLength(2)
    expect(res.body.total_count).toBe(emulator.machines.length)
    const names = (await api('GET', '/machines?order_by=name&limit=500', admin())).body.data.map(
      (m: { name: string }) => m.name,
    )
    expect(names).toEqual([...names].sort((x: string, y: string) => x.localeCompare(y)))
    const [orders] = emulator.machines
    const byName = await api('GET', '/machines?query=ORDERS', admin())
    expect(byName.body.data.map((m: { id: string }) => m.id)).toEqual([orders!.id])
    const byId = await api('GET', `/machines?query=${orders!.id}`, admin())
    expect(byId.body.total_count).toBe(1)
  })

  it('answers 400 for a bad order_by or limit', async () => {
    expect((await api('GET', '/machines?order_by=secret', admin())).status).toBe(400)
    expect((await api('GET', '/machines?limit=501', admin())).status).toBe(400)
  })
})

describe('machine route rules', () => {
  it('requires the instance secret key: 403 with a machine key, 401 without', async () => {
    const [orders] = emulator.machines
    const byMachine = await api('GET', `/machines/${orders!.id}/secret_key`, { key: orders!.secretKey })
    const anonymous = await api('POST', '/machines', { json: { name: 'x' } })
    expect([byMachine.status, anonymous.status]).toEqual([403, 401])
  })

  it('answers field-level 400s for a missing name, unknown fields and unknown scoped machines', async () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'name'],
      [{ name: '' }, 'name'],
      [{ name: 'x', colour: 'red' }, 'colour'],
      [{ name: 'x', scoped_machines: 'mch_x' }, 'scoped_machines'],
      [{ name: 'x', scoped_machines: [`mch_${'9'.repeat(27)}`] }, 'scoped_machines'],
      [{ name: 'x', default_token_ttl: 0 }, 'default_token_ttl'],
    ]
    for (const [json, param] of cases) {
      const res = await api('POST', '/machines', { ...admin(), json })
      expect(res.status, JSON.stringify(json)).toBe(400)
      expect(res.body.errors[0].meta.param_name).toBe(param)
    }
  })

  it('uses a machine default_token_ttl for its tokens', async () => {
    const res = await api('POST', '/machines', {
      ...admin(),
      json: { name: 'short-lived', default_token_ttl: 90 },
    })
    const token = await api('POST', '/m2m_tokens', { key: res.body.secret_key })
    expect(token.body.expiration - token.body.created_at).toBe(90_000)
  })

  it('answers 400 for a malformed to_machine_id and 404 for an unknown one', async () => {
    const [orders] = emulator.machines
    const path = `/machines/${orders!.id}/scopes`
    expect((await api('POST', path, { ...admin(), json: { to_machine_id: 'x' } })).status).toBe(400)
    const unknown = await api('POST', path, { ...admin(), json: { to_machine_id: `mch_${'1'.repeat(27)}` } })
    expect(unknown.status).toBe(404)
  })
})
