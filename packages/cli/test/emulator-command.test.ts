import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, envFor, firstLine, runBin, startBin } from './helpers.js'

beforeAll(assertBuilt)

describe('m2m-auth emulator', () => {
  it('shows the emulator options with --help and exits 0', async () => {
    const run = await runBin(['emulator', '--help'])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('Usage: m2m-auth emulator [options]')
    expect(run.stdout).toContain('--seed <string>')
  })

  it('exits 2 on an unknown emulator option', async () => {
    const run = await runBin(['emulator', '--bogus'])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('m2m-auth emulator:')
  })

  it('serves tokens to the token commands and stops cleanly on SIGINT', async () => {
    const bin = startBin(['emulator', '--port', '0', '--json'])
    try {
      const started = JSON.parse(await firstLine(bin))
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const machine = started.machines[0]
      const create = await runBin(['token', 'create', '--json'], {
        env: envFor(started.url, { machine: machine.secretKey }),
      })
      expect(create.code, create.stderr).toBe(0)
      expect(JSON.parse(create.stdout).subject).toBe(machine.id)
    } finally {
      bin.child.kill('SIGINT')
    }
    const end = await bin.exited
    expect(end.code, end.stderr).toBe(0)
  })
})
