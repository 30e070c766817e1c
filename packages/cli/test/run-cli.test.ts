import { readFileSync } from 'node:fs'
import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliIo, runCli, VERSION } from '../src/index.js'

let emulator: Emulator
let sender: EmulatorMachine

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1' })
  sender = emulator.machines[0] as EmulatorMachine
})
afterAll(() => emulator?.close())

function collect(env: Record<string, string>): CliIo & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    env,
    out: () => out,
    err: () => err,
  }
}

describe('runCli in-process', () => {
  it('returns the exit code and writes only to the io it is given', async () => {
    const io = collect({ CLERK_MACHINE_SECRET_KEY: sender.secretKey, CLERK_API_URL: emulator.url })
    expect(await runCli(['token', 'create', '--json'], io)).toBe(0)
    expect(JSON.parse(io.out()).subject).toBe(sender.id)
    expect(io.err()).toBe('')
  })

  it('finds the token action wherever the flags are placed', async () => {
    const io = collect({ CLERK_SECRET_KEY: emulator.secretKey })
    const argv = ['--api-url', emulator.url, 'token', '--json', 'list', '--subject', sender.id]
    expect(await runCli(argv, io), io.err()).toBe(0)
    expect(typeof JSON.parse(io.out()).totalCount).toBe('number')
  })

  it('aborts a pending request when the io signal fires', async () => {
    emulator.setFaults({ hangRate: 1 })
    try {
      const io = { ...collect({ CLERK_SECRET_KEY: emulator.secretKey, CLERK_API_URL: emulator.url }) }
      const controller = new AbortController()
      const pending = runCli(['token', 'list', '--subject', sender.id], { ...io, signal: controller.signal })
      controller.abort()
      expect(await pending).toBe(1)
      expect(io.err()).toBe('error: interrupted\n')
    } finally {
      emulator.setFaults({})
    }
  })

  it('reports the version written in package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    expect(VERSION).toBe(pkg.version)
  })
})
