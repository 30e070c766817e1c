/**
 * examples/express: the demo walk-through (in-process, on sources) and `server.mjs` started with
 * plain `node` (on the built packages, like a user would run it).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueToken } from '../../../test/helpers/emulator.js'
import { send } from '../../../test/helpers/http.js'
import { type Fixture, startFixture } from './support.js'

const exampleDir = new URL('../../../examples/express/', import.meta.url)
const builtAdapter = new URL('../dist/index.js', import.meta.url)

interface DemoResult {
  name: string
  status: number
  expected: number
}
interface DemoModule {
  runExpressDemo(options: {
    emulator: Fixture['emulator']
    log: (line: string) => void
  }): Promise<DemoResult[]>
}

let fx: Fixture

beforeAll(async () => {
  fx = await startFixture()
})

afterAll(async () => {
  await fx?.close()
})

describe('examples/express', () => {
  it('demo: every situation gets the status design.md promises, and no secret is printed', async () => {
    const demo = (await import(new URL('demo.mjs', exampleDir).href)) as DemoModule
    const lines: string[] = []
    const results = await demo.runExpressDemo({ emulator: fx.emulator, log: (line) => lines.push(line) })
    expect(results.map((r) => [r.name, r.status])).toEqual(results.map((r) => [r.name, r.expected]))
    expect(results.map((r) => r.status)).toEqual([200, 200, 401, 401, 403, 401])
    const printed = lines.join('\n')
    for (const key of [fx.emulator.secretKey, ...fx.emulator.machines.map((m) => m.secretKey)]) {
      expect(printed.includes(key)).toBe(false)
    }
    expect(printed).not.toMatch(/mt_[0-9A-Za-z]{20,}/)
  })

  it.skipIf(!existsSync(builtAdapter))(
    'server.mjs (built packages) runs with plain node, settings from the environment',
    async () => {
      const child = spawn(process.execPath, [fileURLToPath(new URL('server.mjs', exampleDir))], {
        env: {
          PATH: process.env.PATH,
          PORT: '0',
          CLERK_MACHINE_SECRET_KEY: fx.api.secretKey,
          CLERK_API_URL: fx.emulator.url,
          ADMIN_SCOPE: fx.caller.id,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      try {
        const url = await listeningUrl(child)
        expect((await send(`${url}/health`)).status).toBe(200)
        expect((await send(`${url}/orders`)).status).toBe(401)
        const token = await issueToken(fx.emulator.url, fx.caller.secretKey)
        const orders = await send(`${url}/orders`, { headers: { authorization: `Bearer ${token.token}` } })
        expect(orders.json).toMatchObject({ caller: fx.caller.id })
        const admin = await send(`${url}/admin/reports`, {
          headers: { authorization: `Bearer ${token.token}` },
        })
        expect(admin.status).toBe(403)
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve))
          child.kill('SIGTERM')
          await exited
        }
      }
    },
  )
})

/** Waits (bounded) for the "listening on <url>" line of the example server. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`server.mjs did not start: ${output}`)), 10_000)
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server.mjs exited with ${code}: ${output}`))
    })
  })
}
