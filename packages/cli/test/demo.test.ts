import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { assertBuilt } from './helpers.js'

const DEMO = fileURLToPath(new URL('../../../scripts/demo.mjs', import.meta.url))

beforeAll(assertBuilt)

function runDemo(): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [DEMO], { env: { PATH: process.env.PATH ?? '' } })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s))
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s))
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the demo did not exit within 60 s:\n${output}`))
    }, 60_000)
    child.on('close', (code) => {
      clearTimeout(deadline)
      resolve({ code, output })
    })
  })
}

describe('pnpm demo (scripts/demo.mjs)', () => {
  it('walks the token life cycle, exits 0 by itself and prints no usable secret', async () => {
    const { code, output } = await runDemo()
    expect(code, output).toBe(0)
    for (const step of ['token create', 'token verify "$TOKEN"', 'token list', 'token revoke', 'demo: OK']) {
      expect(output).toContain(step)
    }
    expect(output).toContain('(exit code 1)') // the revoked token is rejected
    expect(output).not.toMatch(/\bak_[A-Za-z0-9]{4,}/)
    expect(output).not.toMatch(/\bsk_(test|live)_[A-Za-z0-9]{4,}/)
    // Token ids are mt_ + 32 hex characters and may be shown; tokens are longer and must not be.
    expect(output).not.toMatch(/\bmt_[A-Za-z0-9]{33,}/)
  }, 70_000)
})
