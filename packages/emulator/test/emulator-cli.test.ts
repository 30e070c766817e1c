import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { type Emulator, runEmulatorCli } from '../src/index.js'
import { call } from './support.js'

const dir = mkdtempSync(join(tmpdir(), 'm2m-emulator-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Runs the CLI in-process until `use` is done with the started emulator, then stops it. */
async function runCli(argv: string[], use: (e: Emulator, out: string[]) => Promise<void> = async () => {}) {
  const out: string[] = []
  const err: string[] = []
  const controller = new AbortController()
  let used: Promise<void> = Promise.resolve()
  const code = await runEmulatorCli(argv, {
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    signal: controller.signal,
    onStarted: (emulator) => {
      used = use(emulator, out).finally(() => controller.abort())
    },
  })
  await used
  return { code, out, err }
}

describe('runEmulatorCli', () => {
  it('prints one JSON line with the URL and every key with --json, and serves on that URL', async () => {
    const { code, out } = await runCli(['--json', '--seed', 'cli-seed'], async (emulator, lines) => {
      const printed = JSON.parse(lines[0]!)
      expect(printed).toEqual({
        url: emulator.url,
        secretKey: emulator.secretKey,
        machines: emulator.machines,
      })
      const token = await call(printed.url, 'POST', '/m2m_tokens', { key: printed.machines[0].secretKey })
      expect(token.status).toBe(201)
    })
    expect(code).toBe(0)
    expect(out).toHaveLength(1)
  })

  it('prints the URL, the instance key and each machine id, name and key as text', async () => {
    const { out } = await runCli(['--port', '0', '--host', '127.0.0.1'], async (emulator, lines) => {
      const text = lines.join('\n')
      expect(text).toContain(emulator.url)
      expect(text).toContain(emulator.secretKey)
      for (const m of emulator.machines)
        expect(text).toMatch(new RegExp(`${m.name}\\s+${m.id}\\s+${m.secretKey}`))
    })
    expect(out.at(-1)).toMatch(/Ctrl\+C/)
  })

  it('lines up the machine ids and keys in columns whatever the name lengths', async () => {
    const path = join(dir, 'names.json')
    writeFileSync(path, JSON.stringify([{ name: 'a' }, { name: 'a-much-longer-name' }]))
    const { out } = await runCli(['--machines', path], async () => {})
    const rows = out.filter((line) => /\bmch_/.test(line))
    expect(rows).toHaveLength(2)
    const columns = rows.map((line) => [line.indexOf('mch_'), line.indexOf('ak_')])
    expect(columns[0]).toEqual(columns[1])
  })

  it('loads machines from a file and never prints the keys that came from it', async () => {
    const path = join(dir, 'machines.json')
    const machines = [{ name: 'mine', secretKey: 'ak_from_my_file_123' }, { name: 'generated' }]
    writeFileSync(path, JSON.stringify({ instanceSecretKey: 'sk_test_from_my_file_1', machines }))
    const { out } = await runCli(['--machines', path, '--json'], async (emulator) => {
      expect(emulator.secretKey).toBe('sk_test_from_my_file_1')
    })
    const printed = JSON.parse(out[0]!)
    expect(out.join('\n')).not.toContain('from_my_file')
    expect(printed.secretKey).toBeUndefined()
    expect(printed.machines[1].secretKey).toMatch(/^ak_/)
  })

  it('applies --latency as a fixed value or a range', async () => {
    await runCli(['--latency', '60000'], async (emulator) => {
      const listing = fetch(`${emulator.url}/m2m_tokens?subject=${emulator.machines[0]!.id}`, {
        headers: { authorization: `Bearer ${emulator.secretKey}` },
        signal: AbortSignal.timeout(200),
      })
      await expect(listing).rejects.toThrow()
    })
    const { code } = await runCli(['--latency', '1-3'])
    expect(code).toBe(0)
  })

  it('prints usage and exits 0 for --help, 2 for bad arguments, 1 when it cannot start', async () => {
    const help = await runCli(['--help'])
    expect(help.code).toBe(0)
    expect(help.out.join('\n')).toMatch(/--machines <file>/)
    for (const argv of [['--bogus'], ['--port', 'eighty'], ['--latency', 'fast'], ['--latency', '9-1']]) {
      const bad = await runCli(argv)
      expect(bad.code, argv.join(' ')).toBe(2)
      expect(bad.err.join('\n')).toMatch(/Usage/)
    }
    const missing = await runCli(['--machines', join(dir, 'nope.json')])
    expect(missing.code).toBe(1)
  })
})

describe('the CLI as a process', () => {
  it('stops cleanly on SIGTERM', async () => {
    const tsx = createRequire(import.meta.url).resolve('tsx')
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url))
    const script = `import(${JSON.stringify(cli)}).then(async (m) => { process.exitCode = await m.runEmulatorCli(['--json']) })`
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    const firstLine = await new Promise<string>((resolve, reject) => {
      let buffer = ''
      const timer = setTimeout(() => reject(new Error('the CLI printed nothing in 15 s')), 15_000)
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString()
        if (buffer.includes('\n')) {
          clearTimeout(timer)
          resolve(buffer.split('\n')[0]!)
        }
      })
    }).catch((error: unknown) => {
      child.kill('SIGKILL')
      throw error
    })
    const { url, secretKey } = JSON.parse(firstLine)
    expect((await call(url, 'GET', '/machines', { key: secretKey })).status).toBe(200)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
  })
})
