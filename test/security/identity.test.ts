/**
 * Threat: a token minted for another service of the same Clerk instance (stolen, or sent by
 * mistake) replayed against this API. With the instance key, Clerk verifies any token of the
 * instance; only the receiver can check that it is in the token's scopes, and only if it knows
 * who it is. Every adapter, real HTTP against the emulator.
 */
import { M2MConfigError } from '@m2m-auth/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { get, recordingLogger, type SecurityEnv, startSecurityEnv, subjects } from './support.js'

let env: SecurityEnv

beforeAll(async () => {
  env = await startSecurityEnv()
})

afterAll(async () => {
  await env?.close()
})

for (const subject of subjects) {
  describe(`${subject.name}: the receiver's identity`, () => {
    it('refuses (401) a token of the instance that is scoped to another machine, accepts its own', async () => {
      const server = await env.start(subject, env.verifier())
      try {
        const foreign = await env.issue('neighbour')
        const own = await env.issue('sender')
        expect((await get(server, foreign.token)).status).toBe(401)
        expect((await get(server, own.token)).status).toBe(200)
      } finally {
        await server.close()
      }
    })

    it('does not start with the instance key and no machine id: the error names machineId and CLERK_MACHINE_ID', async () => {
      const error = await env
        .start(subject, env.verifier({ machineId: undefined }))
        .then((server) => server.close())
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(M2MConfigError)
      expect(error).toMatchObject({ option: 'machineId' })
      expect((error as Error).message).toContain('CLERK_MACHINE_ID')
      expect((error as Error).message).not.toContain(env.emulator.secretKey)
    })

    it('does not start with JWT acceptance (a Machine Secret Key and jwtKey) and no machine id', async () => {
      const pem = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----'
      const options = env.verifier({
        secretKey: env.machines.receiver.secretKey,
        machineId: undefined,
        jwtKey: pem,
      })
      const error = await env
        .start(subject, options)
        .then((server) => server.close())
        .catch((e: unknown) => e)
      expect(error).toMatchObject({ option: 'machineId' })
    })

    it('anyMachine: true (one receiving service) accepts any token of the instance and warns once per verifier', async () => {
      const logger = recordingLogger()
      const server = await env.start(
        subject,
        env.verifier({ machineId: undefined, anyMachine: true, logger }),
      )
      const warnings = () => logger.lines.filter((line) => line.includes('anyMachine: true')).length
      try {
        // At startup, once per verifier the subject's app builds (one per middleware: at most
        // three, for its default, optional and optional-scoped routes), never per request.
        const atStart = warnings()
        expect(atStart).toBeGreaterThanOrEqual(1)
        expect(atStart).toBeLessThanOrEqual(3)
        expect((await get(server, (await env.issue('neighbour')).token)).status).toBe(200)
        expect((await get(server, (await env.issue('sender')).token)).status).toBe(200)
        expect(warnings()).toBe(atStart)
      } finally {
        await server.close()
      }
    })

    it('with a Machine Secret Key, Clerk refuses a foreign token (401), and a given machineId is still checked', async () => {
      const asReceiver = env.verifier({ secretKey: env.machines.receiver.secretKey, machineId: undefined })
      const server = await env.start(subject, asReceiver)
      // The sender's key verifies the sender's own tokens, so only our machineId check refuses them.
      const wrongId = env.verifier({
        secretKey: env.machines.sender.secretKey,
        machineId: env.machines.stranger.id,
      })
      const checked = await env.start(subject, wrongId)
      try {
        const own = await env.issue('sender')
        expect((await get(server, (await env.issue('neighbour')).token)).status).toBe(401)
        expect((await get(server, own.token)).status).toBe(200)
        expect((await get(checked, own.token)).status).toBe(401)
      } finally {
        await server.close()
        await checked.close()
      }
    })
  })
}
