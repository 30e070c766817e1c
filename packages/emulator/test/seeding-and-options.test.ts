import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { type Emulator, type EmulatorOptions, startEmulator } from '../src/index.js'
import { call } from './support.js'

const dir = mkdtempSync(join(tmpdir(), 'm2m-emulator-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Starts, reads what the test needs, and always closes. */
async function withEmulator<T>(options: EmulatorOptions, use: (e: Emulator) => T | Promise<T>): Promise<T> {
  const emulator = await startEmulator(options)
  try {
    return await use(emulator)
  } finally {
    await emulator.close()
  }
}

const identity = (e: Emulator) => ({ secretKey: e.secretKey, machines: e.machines })

describe('default machines', () => {
  it('are orders-service and billing-service, each scoped to the other', async () => {
    await withEmulator({}, async (e) => {
      const [orders, billing] = e.machines
      expect([orders!.name, billing!.name]).toEqual(['orders-service', 'billing-service'])
      expect(e.secretKey).toMatch(/^sk_test_\w{40}$/)
      expect(orders!.secretKey).toMatch(/^ak_\w{40}$/)
      const fromOrders = await call(e.url, 'POST', '/m2m_tokens', { key: orders!.secretKey })
      const fromBilling = await call(e.url, 'POST', '/m2m_tokens', { key: billing!.secretKey })
      expect(fromOrders.body.scopes).toEqual([billing!.id])
      expect(fromBilling.body.scopes).toEqual([orders!.id])
    })
  })
})

describe('seed', () => {
  it('gives the same instance key, machine ids and machine keys on every start', async () => {
    const first = await withEmulator({ seed: 'team-dev' }, identity)
    const second = await withEmulator({ seed: 'team-dev' }, identity)
    expect(second).toEqual(first)
    const later = await withEmulator({ seed: 'team-dev' }, (e) => e.createMachine({ name: 'late' }))
    const laterAgain = await withEmulator({ seed: 'team-dev' }, (e) => e.createMachine({ name: 'late' }))
    expect(laterAgain).toEqual(later)
  })

  it('gives other keys for another seed, and random keys without one', async () => {
    const a = await withEmulator({ seed: 'a' }, identity)
    const b = await withEmulator({ seed: 'b' }, identity)
    const random1 = await withEmulator({}, identity)
    const random2 = await withEmulator({}, identity)
    expect(b.secretKey).not.toBe(a.secretKey)
    expect(b.machines[0]!.id).not.toBe(a.machines[0]!.id)
    expect(random2.secretKey).not.toBe(random1.secretKey)
  })
})

describe('machines option', () => {
  it('takes ids, keys and scopes given by name or id', async () => {
    const apiId = `mch_${'A'.repeat(27)}`
    const machines = [
      { name: 'gateway', secretKey: 'ak_gateway_local_key', scopes: ['api', 'worker'] },
      { name: 'api', id: apiId },
      { name: 'worker', scopes: [apiId] },
    ]
    await withEmulator({ machines, instanceSecretKey: 'sk_test_local_instance' }, async (e) => {
      expect(e.secretKey).toBe('sk_test_local_instance')
      const [gateway, api, worker] = e.machines
      expect(gateway!.secretKey).toBe('ak_gateway_local_key')
      expect(api!.id).toBe(apiId)
      const token = await call(e.url, 'POST', '/m2m_tokens', { key: gateway!.secretKey })
      expect(token.body.scopes).toEqual([apiId, worker!.id])
      const workerToken = await call(e.url, 'POST', '/m2m_tokens', { key: worker!.secretKey })
      expect(workerToken.body.scopes).toEqual([apiId])
    })
  })

  it.each<[string, EmulatorOptions, RegExp]>([
    ['an unknown scope', { machines: [{ name: 'a', scopes: ['ghost'] }] }, /machines\[0\]\.scopes/],
    ['a malformed id', { machines: [{ name: 'a', id: 'mch_short' }] }, /machines\[0\]\.id/],
    [
      'a key without ak_',
      { machines: [{ name: 'a', secretKey: 'sk_test_abcdefgh' }] },
      /machines\[0\]\.secretKey/,
    ],
    ['a duplicate name', { machines: [{ name: 'a' }, { name: 'a' }] }, /used twice/],
    ['an empty name', { machines: [{ name: '' }] }, /machines\[0\]\.name/],
    ['a bad instance key', { instanceSecretKey: 'ak_abcdefghij' }, /instanceSecretKey/],
    ['a bad port', { port: 70_000 }, /port/],
    ['bad faults', { faults: { errorRate: -1 } }, /faults\.errorRate/],
    ['bad latency', { latencyMs: -1 }, /latencyMs/],
    [
      'a misspelt option, with a suggestion',
      { latencyMS: 5 } as EmulatorOptions,
      /^M2MConfigError: Unknown option `latencyMS` \(did you mean `latencyMs`\?\)$/,
    ],
    ['an unknown option', { colour: 'blue' } as EmulatorOptions, /^M2MConfigError: Unknown option `colour`$/],
    [
      'a misspelt machine key',
      { machines: [{ name: 'a', scope: ['b'] }] } as unknown as EmulatorOptions,
      /Unknown option `machines\[0\]\.scope` \(did you mean `machines\[0\]\.scopes`\?\)/,
    ],
  ])('rejects %s at start with an error naming the option', async (_name, options, message) => {
    const error = await startEmulator(options).catch((e: unknown) => e)
    expect(String(error)).toMatch(message)
  })
})

describe('statePath', () => {
  it('reads seed, instance key and machines from a JSON file; options given in code win', async () => {
    const path = join(dir, 'state.json')
    const machines = [{ name: 'from-file-a', scopes: ['from-file-b'] }, { name: 'from-file-b' }]
    writeFileSync(
      path,
      JSON.stringify({ seed: 'file-seed', instanceSecretKey: 'sk_test_from_file_key', machines }),
    )
    const fromFile = await withEmulator({ statePath: path }, identity)
    expect(fromFile.secretKey).toBe('sk_test_from_file_key')
    expect(fromFile.machines.map((m) => m.name)).toEqual(['from-file-a', 'from-file-b'])
    const seeded = await withEmulator({ seed: 'file-seed', machines }, identity)
    expect(seeded.machines).toEqual(fromFile.machines)
    const overridden = await withEmulator({ statePath: path, machines: [{ name: 'code' }] }, identity)
    expect(overridden.machines.map((m) => m.name)).toEqual(['code'])
  })

  it('accepts a bare array of machines', async () => {
    const path = join(dir, 'machines.json')
    writeFileSync(path, JSON.stringify([{ name: 'solo' }]))
    expect((await withEmulator({ statePath: path }, identity)).machines.map((m) => m.name)).toEqual(['solo'])
  })

  it('refuses a key the file may not hold', async () => {
    const path = join(dir, 'typo.json')
    writeFileSync(path, JSON.stringify({ seeed: 'x', machines: [{ name: 'a' }] }))
    const error = await startEmulator({ statePath: path }).catch((e: Error) => e)
    expect(String(error)).toContain('Unknown option `statePath.seeed` (did you mean `statePath.seed`?)')
  })

  it('fails with a message that names the file but does not quote its content', async () => {
    const path = join(dir, 'broken.json')
    writeFileSync(path, '{"instanceSecretKey": "sk_test_do_not_print_me"')
    const error = await startEmulator({ statePath: path }).catch((e: Error) => e)
    expect(String(error)).toMatch(/not valid JSON/)
    expect(String(error)).not.toContain('do_not_print_me')
    await expect(startEmulator({ statePath: join(dir, 'missing.json') })).rejects.toThrow(/ENOENT/)
  })
})

describe('createMachine and grantScope from code', () => {
  it('accept names or ids and reject unknown machines', async () => {
    await withEmulator({}, async (e) => {
      const probe = e.createMachine({ name: 'probe', scopes: ['orders-service'] })
      e.grantScope('probe', e.machines[1]!.id)
      const token = await call(e.url, 'POST', '/m2m_tokens', { key: probe.secretKey })
      expect(token.body.scopes).toEqual([e.machines[0]!.id, e.machines[1]!.id])
      expect(() => e.grantScope('probe', 'ghost')).toThrow(/ghost/)
      expect(() => e.createMachine({ name: '' })).toThrow(/name/)
      expect(e.machines).toHaveLength(3)
    })
  })
})
