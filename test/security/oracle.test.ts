/**
 * Threat: a thief holding a token probes the API to learn whether it is alive elsewhere (scoped to
 * another machine), expired, revoked or simply unknown, or reads our configuration out of a 500.
 * Every 401 for a token that is not valid here is the same answer; a 500 says nothing about the
 * key. The reasons go to the log (once per reason), never to the caller. Every adapter, real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { revokeToken } from '../helpers/emulator.js'
import {
  get,
  randomOpaqueToken,
  recordingLogger,
  type SecurityEnv,
  startSecurityEnv,
  subjects,
  type TestResponse,
  visible,
} from './support.js'

let env: SecurityEnv

beforeAll(async () => {
  env = await startSecurityEnv()
})

afterAll(async () => {
  await env?.close()
})

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A JWT of the M2M shape (sub `mch_`) that no key of the instance signed. */
function forgedJwt(): string {
  const now = Math.floor(Date.now() / 1000)
  return `${b64({ alg: 'RS256', kid: 'ins_forged', typ: 'JWT' })}.${b64({ sub: 'mch_forged', jti: 'mt_x', iat: now, exp: now + 600 })}.${'A'.repeat(342)}`
}

/** A session-like JWT (sub `user_`): not an M2M token at all. */
function sessionJwt(): string {
  return `${b64({ alg: 'RS256', kid: 'ins_x' })}.${b64({ sub: 'user_2x', iat: 1 })}.${'B'.repeat(40)}`
}

/** Every kind of token that is not valid here, by name. Credentials: never printed. */
async function refusedTokens(): Promise<Record<string, string>> {
  const revoked = await env.issue()
  await revokeToken(env.emulator.url, env.emulator.secretKey, revoked.id)
  const expiring = await env.issue('sender', { secondsUntilExpiration: 1 })
  return {
    unknown: randomOpaqueToken(1),
    revoked: revoked.token,
    expired: expiring.token,
    'scoped to another machine (opaque)': (await env.issue('neighbour')).token,
    'scoped to another machine (JWT)': (await env.issue('neighbour', { tokenFormat: 'jwt' })).token,
    'forged JWT': forgedJwt(),
    'wrong type (session JWT)': sessionJwt(),
    'wrong type (OAuth token)': `oat_${'c'.repeat(32)}`,
    'malformed opaque': 'mt_short',
  }
}

for (const subject of subjects) {
  describe(`${subject.name}: no oracle`, () => {
    it('answers every token that is not valid here with the same 401, and logs each reason once', async () => {
      const logger = recordingLogger()
      const server = await env.start(subject, env.verifier({ logger }))
      const tokens = await refusedTokens()
      env.emulatorClock.advance(5000) // the 1-second token is now expired
      try {
        const answers: Record<string, ReturnType<typeof visible>> = {}
        for (const [name, token] of Object.entries(tokens)) answers[name] = visible(await get(server, token))
        // Twice: the negative cache must not answer differently from the first verification.
        for (const [name, token] of Object.entries(tokens)) {
          expect(visible(await get(server, token)), `${name}, asked again`).toEqual(answers.unknown)
        }
        for (const [name, answer] of Object.entries(answers)) expect(answer, name).toEqual(answers.unknown)
        expect(answers.unknown!.status).toBe(401)
        expect(answers.unknown!.challenge).toMatch(/error="invalid_token"/)

        const log = logger.lines.join('\n')
        // (The emulator, like Clerk, answers 404 for revoked and expired tokens: "does not know".)
        for (const reason of [
          /scoped to other machines/,
          /not scoped to this machine/,
          /does not know this token/,
        ]) {
          expect(log).toMatch(reason)
        }
        const refusals = logger.lines.filter((line) => line.includes('A token was refused'))
        expect(new Set(refusals).size, 'each reason is logged once').toBe(refusals.length)
        for (const token of Object.values(tokens)) expect(log).not.toContain(token)
      } finally {
        env.emulatorClock.advance(-5000)
        await server.close()
      }
    })

    it('answers a rejected secret key with a generic 500; the detail goes to the log only', async () => {
      const logger = recordingLogger()
      const wrongKey = `sk_test_${'9'.repeat(40)}`
      const server = await env.start(subject, env.verifier({ secretKey: wrongKey, logger }))
      try {
        const token = (await env.issue()).token
        const answers: TestResponse[] = [await get(server, token), await get(server, randomOpaqueToken(2))]
        for (const answer of answers) {
          expect(answer.status).toBe(500)
          expect(answer.text).not.toMatch(/secret key|HTTP 40\d|rejected/i)
          expect(answer.text).not.toContain(wrongKey)
        }
        expect(visible(answers[0]!)).toEqual(visible(answers[1]!))
        const log = logger.lines.join('\n')
        expect(log).toMatch(/rejected this server's secret key/)
        expect(log).not.toContain(wrongKey)
        expect(log).not.toContain(token)
      } finally {
        await server.close()
      }
    })
  })
}
