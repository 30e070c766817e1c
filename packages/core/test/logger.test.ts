import { describe, expect, it } from 'vitest'
import { createLibraryLog, createVerifier } from '../src/index.js'

function recorder() {
  const lines: Array<[string, string]> = []
  return {
    lines,
    logger: {
      warn: (m: string) => lines.push(['warn', m]),
      error: (m: string) => lines.push(['error', m]),
    },
  }
}

describe('the library log', () => {
  it('writes a configuration message once per key', () => {
    const { lines, logger } = recorder()
    const log = createLibraryLog(logger)
    log.once('a', 'warn', 'first')
    log.once('a', 'warn', 'again')
    log.once('b', 'error', 'other')
    expect(lines).toEqual([
      ['warn', '[m2m-auth] first'],
      ['error', '[m2m-auth] other'],
    ])
  })

  it('writes at most one outage line per interval and counts what it held back', () => {
    const { lines, logger } = recorder()
    let t = 0
    const log = createLibraryLog(logger, () => t, 10_000)
    for (let i = 0; i < 50; i++) {
      log.outage('token service failing')
      t += 100
    }
    expect(lines).toHaveLength(1)
    t = 20_000
    log.outage('token service failing')
    expect(lines).toHaveLength(2)
    expect(lines[1]?.[1]).toContain('49 similar messages suppressed')
  })

  it('is refused at startup when it is not a logger', () => {
    expect(() => createVerifier({ secretKey: 'ak_x', logger: {} as never })).toThrow(/logger/)
  })
})
