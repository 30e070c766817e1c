/**
 * The runner entries as a user meets them: a project with `@m2m-auth/emulator` in its node_modules,
 * a config with the one line, and the real runner started as a subprocess. The entries are the
 * built package (`dist`), as users get it: `pnpm build` first.
 */
import { spawn } from 'node:child_process'
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EMULATOR_ENV_VAR, startEmulator } from '../src/index.js'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(join(packageDir, 'package.json'))
let project: string
let out: string

beforeAll(() => {
  if (!existsSync(join(packageDir, 'dist/vitest.js'))) throw new Error('build first: pnpm build')
  project = mkdtempSync(join(tmpdir(), 'm2m-runner-entries-'))
  out = join(project, 'out')
  mkdirSync(out)
  cpSync(fileURLToPath(new URL('runner-fixtures', import.meta.url)), project, { recursive: true })
  mkdirSync(join(project, 'node_modules/@m2m-auth'), { recursive: true })
  symlinkSync(packageDir, join(project, 'node_modules/@m2m-auth/emulator'), 'dir')
  const vitestDir = dirname(realpathSync(require.resolve('vitest/package.json')))
  symlinkSync(vitestDir, join(project, 'node_modules/vitest'), 'dir')
})
afterAll(() => rmSync(project, { recursive: true, force: true }))

interface Run {
  code: number | null
  output: string
}

/** Runs `node ...args` in the fixture project, without any emulator of ours in its environment. */
function runNode(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k !== EMULATOR_ENV_VAR && !k.startsWith('VITEST')),
  )
  const child = spawn(process.execPath, args, {
    cwd: project,
    env: { ...base, NODE_ENV: 'test', FIXTURE_OUT: out, ...env },
  })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c))
  child.stderr.on('data', (c: Buffer) => (output += c))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`node ${args.join(' ')} did not finish in 60 s:\n${output}`))
    }, 60_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

const written = (name: string) => readFileSync(join(out, name), 'utf8')

/** Whether anything still answers at `url` (the run's emulator must be closed with the run). */
const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  )

describe('test-runner entries', () => {
  it('vitest: globalSetup starts one emulator for the run, provided to every file, closed after', async () => {
    const vitest = join(project, 'node_modules/vitest/vitest.mjs')
    const run = await runNode([vitest, 'run', '--config', 'vitest.config.mjs'])
    expect(run.code, run.output).toBe(0)
    expect(run.output).toMatch(/2 passed/)
    expect(written('vitest-first')).toBe(written('vitest-second'))
    expect(await answers(written('vitest-first'))).toBe(false)
  })

  it('jest: globalSetup/globalTeardown start and close the emulator; useEmulator() reaches it', async () => {
    const jest = require.resolve('jest/bin/jest')
    const run = await runNode([jest, '--config', 'jest.config.cjs', '--ci', '--watchman=false'])
    expect(run.code, run.output).toBe(0)
    expect(run.output).toMatch(/1 passed/)
    expect(await answers(written('jest'))).toBe(false)
  })

  it('node:test: useEmulator() starts an emulator in before() and closes it in after()', async () => {
    const run = await runNode(['--test', 'emulator.node-test.mjs'])
    expect(run.code, run.output).toBe(0)
    expect(await answers(written('node-test'))).toBe(false)
  })

  it('node:test: useEmulator() connects to the run emulator when M2M_AUTH_EMULATOR is set', async () => {
    const emulator = await startEmulator()
    try {
      const env = { [EMULATOR_ENV_VAR]: JSON.stringify(emulator.info()) }
      const run = await runNode(['--test', 'emulator.node-test.mjs'], env)
      expect(run.code, run.output).toBe(0)
      expect(written('node-test')).toBe(emulator.url)
      expect(emulator.stats().byRoute.verify).toBe(1)
    } finally {
      await emulator.close()
    }
  })
})
