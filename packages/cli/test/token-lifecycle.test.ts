import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, envFor, runBin } from './helpers.js'

let emulator: Emulator
let sender: EmulatorMachine
let receiver: EmulatorMachine

beforeAll(async () => {
  assertBuilt()
  emulator = await startEmulator({ port: 0, host: '127.0.0.1' })
  ;[sender, receiver] = emulator.machines as [EmulatorMachine, EmulatorMachine]
})
afterAll(() => emulator?.close())

const asSender = () => envFor(emulator.url, { machine: sender.secretKey })
const asReceiver = () => envFor(emulator.url, { machine: receiver.secretKey })
const asInstance = () => envFor(emulator.url, { instance: emulator.secretKey })

describe('create -> verify -> list -> revoke -> verify through the m2m-auth bin', () => {
  it('walks a token through its whole life and rejects it once revoked (exit 1)', async () => {
    const args = ['token', 'create', '--json', '--expires-in', '600', '--claims', '{"role":"reader"}']
    const create = await runBin(args, { env: asSender() })
    expect(create.code, create.stderr).toBe(0)
    const created = JSON.parse(create.stdout)
    expect(created).toMatchObject({ subject: sender.id, scopes: [receiver.id], claims: { role: 'reader' } })
    expect(created.token).toMatch(/^mt_/)

    const verify = await runBin(['token', 'verify', created.token, '--json'], { env: asReceiver() })
    expect(verify.code, verify.stderr).toBe(0)
    expect(JSON.parse(verify.stdout)).toMatchObject({ id: created.id, subject: sender.id, revoked: false })

    const list = await runBin(['token', 'list', '--subject', sender.id, '--json'], { env: asInstance() })
    expect(list.code, list.stderr).toBe(0)
    const page = JSON.parse(list.stdout)
    expect(page.data.map((t: { id: string }) => t.id)).toContain(created.id)
    expect(page.totalCount).toBeGreaterThanOrEqual(1)

    const revoke = await runBin(['token', 'revoke', created.id, '--reason', 'key rotation', '--json'], {
      env: asSender(),
    })
    expect(revoke.code, revoke.stderr).toBe(0)
    expect(JSON.parse(revoke.stdout)).toMatchObject({
      id: created.id,
      revoked: true,
      revocationReason: 'key rotation',
    })

    const again = await runBin(['token', 'verify', created.token, '--json'], { env: asReceiver() })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('token verify failed')
    expect(JSON.parse(again.stdout).error.kind).toMatch(/^(api|token)$/)
  })

  it('prints the created token alone on the last line of human output', async () => {
    const run = await runBin(['token', 'create'], { env: asSender() })
    expect(run.code, run.stderr).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    const token = lines.at(-1) ?? ''
    expect(token).toMatch(/^mt_\S+$/)
    expect(run.stdout).toContain(`subject     ${sender.id}`)
    const verify = await runBin(['token', 'verify', token], { env: asInstance() })
    expect(verify.code, verify.stderr).toBe(0)
    expect(verify.stdout).toMatch(/^Valid M2M token\./)
  })

  it('creates a JWT-format token when asked with --format jwt', async () => {
    const run = await runBin(['token', 'create', '--format', 'jwt', '--json'], { env: asSender() })
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).token.split('.')).toHaveLength(3)
  })

  it('verifies a token read from standard input with --stdin', async () => {
    const created = JSON.parse((await runBin(['token', 'create', '--json'], { env: asSender() })).stdout)
    const run = await runBin(['token', 'verify', '--stdin', '--json'], {
      env: asReceiver(),
      stdin: `${created.token}\n`,
    })
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).id).toBe(created.id)
  })

  it('takes the key and API URL from flags, which win over the environment', async () => {
    const env = envFor('http://127.0.0.1:9', { machine: 'ak_not_a_real_key_0000000000' })
    const flags = ['--secret-key', sender.secretKey, '--api-url', emulator.url]
    const run = await runBin(['token', 'create', '--json', ...flags], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).subject).toBe(sender.id)
  })

  it('prefers CLERK_MACHINE_SECRET_KEY over CLERK_SECRET_KEY when both are set', async () => {
    const env = envFor(emulator.url, { machine: sender.secretKey, instance: emulator.secretKey })
    const run = await runBin(['token', 'create', '--json'], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout).subject).toBe(sender.id)
  })

  it('talks to /v1 paths with --path-style v1', async () => {
    const run = await runBin(['token', 'list', '--subject', sender.id, '--path-style', 'v1', '--json'], {
      env: asInstance(),
    })
    expect(run.code, run.stderr).toBe(0)
    expect(typeof JSON.parse(run.stdout).totalCount).toBe('number')
  })

  it('lists one page as a table and says where the next page starts', async () => {
    const creates = await Promise.all([1, 2, 3].map(() => runBin(['token', 'create'], { env: asSender() })))
    expect(creates.map((r) => r.code)).toEqual([0, 0, 0])
    const run = await runBin(['token', 'list', '--subject', sender.id, '--limit', '2'], { env: asSender() })
    expect(run.code, run.stderr).toBe(0)
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+EXPIRES/)
    expect(lines.filter((l) => l.startsWith('mt_'))).toHaveLength(2)
    expect(lines.at(-1)).toMatch(/^Showing 1-2 of \d+\. Next page: --offset 2$/)
  })
})
