import { readFileSync } from 'node:fs'
import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt, envFor, runBin } from './helpers.js'

let emulator: Emulator
let sender: EmulatorMachine

beforeAll(async () => {
  assertBuilt()
  emulator = await startEmulator({ port: 0, host: '127.0.0.1' })
  sender = emulator.machines[0] as EmulatorMachine
})
afterAll(() => emulator?.close())

const asSender = () => envFor(emulator.url, { machine: sender.secretKey })

describe('usage errors exit 2 and cost no request', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no command', [], /missing command/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['an unknown token action', ['token', 'frob'], /unknown token action 'frob'/],
    ['token without an action', ['token'], /missing token action/],
    ['an unknown flag', ['token', 'list', '--subject', 'mch_x', '--bogus'], /Unknown option '--bogus'/],
    ['bad JSON in --claims', ['token', 'create', '--claims', '{role:'], /--claims is not valid JSON/],
    ['a missing --subject', ['token', 'list'], /--subject is required/],
    ['a subject that is not a machine id', ['token', 'list', '--subject', 'mch_short'], /invalid --subject/],
    [
      'a token id that is not mt_ + 32 hex',
      ['token', 'revoke', 'mt_123'],
      /not a token id[\s\S]*mt_ followed by 32/,
    ],
    [
      'a token given to revoke in place of its id',
      ['token', 'revoke', `mt_${'a'.repeat(48)}`],
      /not a token id[\s\S]*this is a token, not a token id/,
    ],
    ['a missing --subject without CLERK_MACHINE_ID', ['token', 'list'], /or set CLERK_MACHINE_ID/],
    ['machine create without --name', ['machine', 'create'], /--name is required/],
    [
      'machine create with a --scope that is no id',
      ['machine', 'create', '--name', 'x', '--scope', 'nope'],
      /--scope is not a machine id/,
    ],
    ['machine grant without TO', ['machine', 'grant', 'mch_x'], /missing required args/],
    ['an unknown machine action', ['machine', 'frob'], /unknown machine action 'frob'/],
    ['a revoke without a token id', ['token', 'revoke'], /missing required args/],
    ['a verify without a token', ['token', 'verify'], /missing token/],
    [
      '--limit out of range',
      ['token', 'list', '--subject', 'mch_x'.padEnd(31, 'x'), '--limit', '0'],
      /--limit/,
    ],
    [
      '--limit that is not a number',
      ['token', 'list', '--subject', 'mch_x', '--limit', 'ten'],
      /--limit must be a number/,
    ],
    ['an unknown --format', ['token', 'create', '--format', 'xml'], /--format must be one of: opaque, jwt/],
    ['an unknown --path-style', ['token', 'create', '--path-style', 'v2'], /--path-style must be one of/],
    ['a negative --expires-in', ['token', 'create', '--expires-in=-5'], /invalid --expires-in/],
    ['a zero --timeout', ['token', 'create', '--timeout', '0'], /--timeout must be/],
    ['a flag without its value', ['token', 'create', '--claims'], /--claims/],
  ]

  it.each(cases)('%s', async (_name, args, message) => {
    const before = emulator.stats().requests
    const run = await runBin(args, { env: asSender() })
    expect(run.code, run.stderr).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toMatch(/run: m2m-auth .*--help/)
    expect(run.stdout).toBe('')
    expect(emulator.stats().requests).toBe(before)
  })

  it('says clearly that create needs a Machine Secret Key when only CLERK_SECRET_KEY is set', async () => {
    const run = await runBin(['token', 'create'], {
      env: envFor(emulator.url, { instance: emulator.secretKey }),
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('token create needs a Machine Secret Key (ak_...)')
    expect(run.stderr).toContain('CLERK_SECRET_KEY is an instance Secret Key (sk_...)')
    expect(run.stderr).toContain('set CLERK_MACHINE_SECRET_KEY')
  })

  it('names the environment variables when no key is configured at all', async () => {
    const run = await runBin(['token', 'list', '--subject', sender.id], {
      env: { CLERK_API_URL: emulator.url },
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/no secret key configured[\s\S]*CLERK_MACHINE_SECRET_KEY.*CLERK_SECRET_KEY/)
  })

  it('rejects an API URL that is not http(s) as a usage error', async () => {
    const run = await runBin(['token', 'list', '--subject', sender.id, '--api-url', 'ftp://example'], {
      env: asSender(),
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('invalid --api-url / CLERK_API_URL')
  })

  it('prints a JSON error document on stdout with --json', async () => {
    const run = await runBin(['token', 'create', '--claims', 'nope', '--json'], { env: asSender() })
    expect(run.code).toBe(2)
    expect(JSON.parse(run.stdout)).toEqual({
      error: { kind: 'usage', message: '--claims is not valid JSON', hint: expect.any(String) },
    })
  })
})

describe('--help and --version', () => {
  const commands: Array<[string[], RegExp]> = [
    [[], /\$ m2m-auth <command> \[options\]/],
    [['token'], /\$ m2m-auth token <create\|list\|revoke\|verify> \[options\]/],
    [['token', 'create'], /\$ m2m-auth token create \[options\][\s\S]*--expires-in <seconds>[\s\S]*--json/],
    [['token', 'list'], /\$ m2m-auth token list \[options\][\s\S]*--subject <machineId>/],
    [['token', 'revoke'], /\$ m2m-auth token revoke <tokenId> \[options\][\s\S]*--reason <text>/],
    [['token', 'verify'], /\$ m2m-auth token verify \[token\] \[options\][\s\S]*--stdin/],
    [['machine'], /\$ m2m-auth machine <create\|list\|grant> \[options\]/],
    [['machine', 'create'], /\$ m2m-auth machine create \[options\][\s\S]*--scope <machineId>/],
    [['machine', 'grant'], /\$ m2m-auth machine grant <from> <to> \[options\]/],
  ]

  it.each(commands)('m2m-auth %j --help shows its usage and exits 0', async (args, usage) => {
    for (const flag of ['--help', '-h']) {
      const run = await runBin([...args, flag])
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toMatch(usage)
      expect(run.stderr).toBe('')
    }
  })

  it('tells scripts to use --json in the help of token create', async () => {
    const run = await runBin(['token', 'create', '--help'])
    expect(run.stdout).toMatch(/--json\s+Print one JSON document on stdout: use this in scripts/)
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*2\s+usage error/)
  })

  it('prints the version of package.json with --version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
    for (const flag of ['--version', '-v']) {
      const run = await runBin([flag])
      expect(run.code).toBe(0)
      expect(run.stdout).toBe(`m2m-auth ${pkg.version}\n`)
    }
  })
})
