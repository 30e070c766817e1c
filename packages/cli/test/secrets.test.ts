import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, type CliRun, envFor, runBin } from './helpers.js'

let emulator: Emulator
let sender: EmulatorMachine
let receiver: EmulatorMachine
let allKeys: string[]

beforeAll(async () => {
  assertBuilt()
  emulator = await startEmulator({ port: 0, host: '127.0.0.1' })
  ;[sender, receiver] = emulator.machines as [EmulatorMachine, EmulatorMachine]
  allKeys = [emulator.secretKey, sender.secretKey, receiver.secretKey]
})
afterAll(() => emulator?.close())

function expectNoneOf(run: CliRun, secrets: string[]): void {
  for (const secret of secrets) {
    expect(run.stdout.includes(secret), 'secret on stdout').toBe(false)
    expect(run.stderr.includes(secret), 'secret on stderr').toBe(false)
  }
}

async function createToken(): Promise<{ id: string; token: string }> {
  const run = await runBin(['token', 'create', '--json'], {
    env: envFor(emulator.url, { machine: sender.secretKey }),
  })
  expect(run.code, run.stderr).toBe(0)
  expectNoneOf(run, allKeys)
  return JSON.parse(run.stdout)
}

describe('secrets never reach the output', () => {
  it('never prints a secret key, whatever the command and outcome', async () => {
    const { id } = await createToken()
    const env = envFor(emulator.url, { machine: sender.secretKey, instance: emulator.secretKey })
    const runs = await Promise.all([
      runBin(['token', 'create'], { env }),
      runBin(['token', 'list', '--subject', sender.id], { env }),
      runBin(['token', 'list', '--subject', sender.id, '--json'], { env }),
      runBin(['token', 'revoke', id, '--reason', 'test'], { env }),
      runBin(['token', 'create', '--secret-key', emulator.secretKey], { env }),
      runBin(['token', 'create', '--claims', '{'], { env }),
      runBin(['token', 'verify', 'mt_unknown_token_value'], { env }),
    ])
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0, 0, 2, 2, 1])
    for (const run of runs) expectNoneOf(run, allKeys)
  })

  it('does not echo a rejected secret key (401)', async () => {
    const wrongKey = 'ak_this_key_is_wrong_0123456789abcdef'
    const run = await runBin(['token', 'list', '--subject', sender.id, '--json'], {
      env: envFor(emulator.url, { machine: wrongKey }),
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('HTTP 401')
    expect(run.stderr).toContain('the secret key from CLERK_MACHINE_SECRET_KEY was rejected')
    expectNoneOf(run, [wrongKey, ...allKeys])
  })

  it('never echoes the token that token verify checks, valid or not, human or JSON', async () => {
    const { id, token } = await createToken()
    const env = envFor(emulator.url, { machine: receiver.secretKey })
    const valid = await Promise.all([
      runBin(['token', 'verify', token], { env }),
      runBin(['token', 'verify', token, '--json'], { env }),
      runBin(['token', 'verify', '--stdin'], { env, stdin: token }),
    ])
    for (const run of valid) {
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain(id)
      expectNoneOf(run, [token, ...allKeys])
    }
    const revoke = await runBin(['token', 'revoke', id], {
      env: envFor(emulator.url, { machine: sender.secretKey }),
    })
    expect(revoke.code, revoke.stderr).toBe(0)
    const rejected = await Promise.all([
      runBin(['token', 'verify', token], { env }),
      runBin(['token', 'verify', token, '--json'], { env }),
      runBin(['token', 'verify', token, 'extra-argument'], { env }),
      runBin(['token', 'verify', token, '--stdin'], { env, stdin: token }),
    ])
    expect(rejected.map((r) => r.code)).toEqual([1, 1, 2, 2])
    for (const run of rejected) expectNoneOf(run, [token, ...allKeys])
  })
})
