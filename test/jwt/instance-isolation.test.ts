/**
 * Two Clerk instances (two emulators) in one process: each verifier trusts only its own instance's
 * keys (the key set cache is keyed by API URL and instance key, never by `kid` alone), while
 * verifiers of the same instance share one key set and one JWKS fetch.
 */
import type { InvalidTokenError } from '@m2m-auth/core'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { emulatorJwks } from './support/craft.js'
import { type JwtFixture, startJwtFixture } from './support/fixture.js'

/** Every refusal carries this description; the reason is the `cause`'s (server side only). */
const INVALID = 'The access token is invalid'

let a: JwtFixture
let b: JwtFixture
beforeEach(async () => {
  ;[a, b] = await Promise.all([startJwtFixture(), startJwtFixture()])
})
afterEach(async () => {
  await Promise.all([a.close(), b.close()])
})

it("a verifier of one instance refuses the other instance's tokens and never asks the other's JWKS", async () => {
  const ofA = a.verifier({ cache: false })
  const ofB = b.verifier({ cache: false })
  const tokenOfA = await a.issueJwt()
  const tokenOfB = await b.issueJwt()
  await expect(ofA.verify(tokenOfA)).resolves.toMatchObject({ subject: a.sender.id })
  await expect(ofB.verify(tokenOfB)).resolves.toMatchObject({ subject: b.sender.id })

  // Without machineId, so that only the key can refuse B's token (B's receiver is not A's).
  const ofAnyMachineOfA = a.verifier({ cache: false, machineId: undefined, anyMachine: true })
  const error = await ofAnyMachineOfA.verify(tokenOfB).catch((e: unknown) => e)
  expect(error).toMatchObject({ status: 401, code: 'invalid_token', description: INVALID })
  expect((error as InvalidTokenError).cause).toMatchObject({ description: 'unknown key id' })
  expect(a.jwksRequests()).toBe(1)
  expect(b.jwksRequests()).toBe(1)
})

it("a token signed by the other instance under this instance's kid fails its signature check", async () => {
  const ofA = a.verifier({ cache: false, machineId: undefined, anyMachine: true })
  await ofA.verify(await a.issueJwt())
  const [keyOfA] = await emulatorJwks(a.emulator.url, a.emulator.secretKey)
  const [header, payload, signature] = (await b.issueJwt()).split('.') as [string, string, string]
  const relabelled = JSON.parse(Buffer.from(header, 'base64url').toString())
  relabelled.kid = keyOfA!.kid
  const forged = `${Buffer.from(JSON.stringify(relabelled)).toString('base64url')}.${payload}.${signature}`

  const error = await ofA.verify(forged).catch((e: unknown) => e)
  expect(error).toMatchObject({ status: 401, code: 'invalid_token', description: INVALID })
  expect((error as InvalidTokenError).cause).toMatchObject({ description: 'invalid signature' })
})

it('verifiers of the same instance share one key set: one JWKS request for all of them', async () => {
  const verifiers = Array.from({ length: 4 }, () => a.verifier({ cache: false }))
  const token = await a.issueJwt()
  await Promise.all(verifiers.map((verifier) => verifier.verify(token)))
  expect(a.jwksRequests()).toBe(1)
})
