import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, envFor, runBin } from './helpers.js'

let emulator: Emulator
let orders: EmulatorMachine
let billing: EmulatorMachine

beforeAll(async () => {
  assertBuilt()
  emulator = await startEmulator()
  ;[orders, billing] = emulator.machines as [EmulatorMachine, EmulatorMachine]
})
afterAll(() => emulator?.close())

const asInstance = () => envFor(emulator.url, { instance: emulator.secretKey })

describe('m2m-auth machine (instance key, /machines API)', () => {
  it('creates a machine scoped to others and prints its key alone on the last line', async () => {
    const run = await runBin(['machine', 'create', '--name', 'reports-api', '--scope', orders.id], {
      env: asInstance(),
    })
    expect(run.code, run.stderr).toBe(0)
    const created = emulator.machine('reports-api')
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(created.secretKey)
    expect(run.stdout).toContain(created.id)
    expect(run.stdout).toContain(`orders-service (${orders.id})`)
    // The new key works: the machine mints a token scoped to orders-service.
    const minted = await emulator.mintToken({ from: 'reports-api' })
    expect(minted.scopes).toEqual([orders.id])
  })

  it('creates with --json, --scope repeated, and the key in "secretKey"', async () => {
    const args = [
      'machine',
      'create',
      '--name',
      'two-scopes',
      '--scope',
      orders.id,
      '--scope',
      billing.id,
      '--json',
    ]
    const run = await runBin(args, { env: asInstance() })
    expect(run.code, run.stderr).toBe(0)
    const created = JSON.parse(run.stdout)
    expect(created).toMatchObject({ name: 'two-scopes', secretKey: emulator.machine('two-scopes').secretKey })
    expect(created.scopedMachines.map((m: { id: string }) => m.id).sort()).toEqual(
      [orders.id, billing.id].sort(),
    )
  })

  it('lists machines as an aligned table, and filters with --query', async () => {
    const run = await runBin(['machine', 'list', '--limit', '100'], { env: asInstance() })
    expect(run.code, run.stderr).toBe(0)
    const rows = run.stdout.split('\n').filter((l) => l.includes('mch_'))
    expect(rows.length).toBe(emulator.machines.length)
    expect(new Set(rows.map((r) => r.indexOf('mch_'))).size).toBe(1)
    expect(run.stdout).not.toContain(orders.secretKey)
    const filtered = await runBin(['machine', 'list', '--query', 'billing', '--json'], { env: asInstance() })
    expect(JSON.parse(filtered.stdout)).toMatchObject({ totalCount: 1, data: [{ id: billing.id }] })
  })

  it('grants a scope that later tokens carry, and says so when it existed already', async () => {
    const worker = emulator.createMachine({ name: 'grant-target' })
    const run = await runBin(['machine', 'grant', orders.id, worker.id], { env: asInstance() })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^Granted: /)
    expect((await emulator.mintToken({ from: orders.id })).scopes).toContain(worker.id)
    const again = await runBin(['machine', 'grant', orders.id, worker.id, '--json'], { env: asInstance() })
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toEqual({
      fromMachineId: orders.id,
      toMachineId: worker.id,
      alreadyGranted: true,
    })
  })

  it('reports an unknown machine as the API answers it (404, exit 1)', async () => {
    const ghost = `mch_${'0'.repeat(27)}`
    const run = await runBin(['machine', 'grant', ghost, orders.id], { env: asInstance() })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/HTTP 404/)
  })

  it('refuses a Machine Secret Key before any request (exit 2), naming the key it needs', async () => {
    const before = emulator.stats().requests
    const run = await runBin(['machine', 'list'], {
      env: envFor(emulator.url, { machine: orders.secretKey }),
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('machine commands need the instance Secret Key (sk_...)')
    expect(run.stderr).toContain('CLERK_SECRET_KEY')
    expect(run.stderr).not.toContain(orders.secretKey)
    expect(emulator.stats().requests).toBe(before)
  })
})

describe('token commands: defaults and local checks', () => {
  it('token list takes its subject from CLERK_MACHINE_ID when --subject is left out', async () => {
    const minted = await emulator.mintToken({ from: 'billing-service' })
    const env = { ...envFor(emulator.url, { machine: billing.secretKey }), CLERK_MACHINE_ID: billing.id }
    const run = await runBin(['token', 'list', '--json'], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).data.map((t: { id: string }) => t.id)).toContain(minted.id)
  })

  it('token verify refuses a string that cannot be an M2M token without a request (exit 1)', async () => {
    const before = emulator.stats().requests
    const env = envFor(emulator.url, { machine: billing.secretKey })
    for (const garbage of ['not-a-token', 'mt_short', 'a.b.c']) {
      const run = await runBin(['token', 'verify', garbage, '--json'], { env })
      expect(run.code, garbage).toBe(1)
      expect(JSON.parse(run.stdout).error).toMatchObject({
        kind: 'token',
        message: expect.stringMatching(/not an M2M token/),
      })
      expect(run.stdout + run.stderr).not.toContain(garbage)
    }
    expect(emulator.stats().requests).toBe(before)
  })
})
