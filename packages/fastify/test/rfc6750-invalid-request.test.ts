import { describe, expect, it } from 'vitest'
import { m2mAuth } from '../src/index.js'
import { errorAnswer, newApp, transports, useScenario } from './fixtures.js'

const scenario = useScenario()

const malformed: [string, string | string[]][] = [
  ['two Authorization header lines', ['Bearer mt_aaaa', 'Bearer mt_bbbb']],
  ['the Bearer scheme without a token', 'Bearer'],
  ['two tokens', 'Bearer mt_aaaa mt_bbbb'],
  ['characters outside b64token', 'Bearer mt_{not}a"token'],
  ['a second credential after a comma', 'Bearer mt_aaaa, Bearer mt_bbbb'],
  ['a token longer than the cap', `Bearer mt_${'a'.repeat(5000)}`],
]

describe.each(transports)('RFC 6750 3.1: a malformed Authorization header (%s)', (_name, send) => {
  it.each(malformed)('is answered 400 invalid_request: %s', async (_case, authorization) => {
    const app = newApp()
    let handled = 0
    await app.register(m2mAuth, scenario.options)
    app.get('/orders', async () => {
      handled++
      return {}
    })
    const before = scenario.emulator.stats().verify
    const answer = await send(app, { url: '/orders', headers: { authorization } })
    errorAnswer(answer, 'invalid_request')
    expect(handled).toBe(0)
    // Malformed requests are refused locally, without a call to the token service.
    expect(scenario.emulator.stats().verify).toBe(before)
    expect(answer.body).not.toContain('mt_aaaa')
  })
})
