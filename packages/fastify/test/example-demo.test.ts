import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, startEmulator } from './fixtures.js'

interface DemoResult {
  name: string
  status: number
  expected: number
}
type RunFastifyDemo = (options: { emulator: Emulator; log: (line: string) => void }) => Promise<DemoResult[]>

// The example is plain, untyped ESM JavaScript; here it runs on the plugin's sources (vitest's
// conditions), so it needs no build.
const demoPath = fileURLToPath(new URL('../../../examples/fastify/demo.mjs', import.meta.url))

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1' })
})
afterAll(() => emulator.close())

describe('examples/fastify demo', () => {
  it('answers every situation with the expected status and prints no secret', async () => {
    const { runFastifyDemo } = (await import(demoPath)) as { runFastifyDemo: RunFastifyDemo }
    const lines: string[] = []
    const results = await runFastifyDemo({ emulator, log: (line) => lines.push(line) })
    expect(results.map((r) => r.status)).toEqual([200, 200, 401, 401, 403, 401])
    for (const r of results) expect(r.status, r.name).toBe(r.expected)
    const printed = lines.join('\n')
    for (const machine of emulator.machines) expect(printed).not.toContain(machine.secretKey)
    expect(printed).not.toContain(emulator.secretKey)
  })
})
