/**
 * One emulator per test for the JWT integration suites: a `sender` machine scoped to a `receiver`,
 * JWT issuing over the wire, the emulator's JWKS request counter, and a verifier clock the test
 * moves by hand. A fresh emulator means a fresh API URL and instance key, so the process-wide key
 * set cache (keyed by both) starts empty in every test.
 */
import { createVerifier, type Verifier, type VerifierOptions } from '@m2m-auth/core'
import {
  createTestClock,
  type Emulator,
  type EmulatorMachine,
  issueToken,
  startTestEmulator,
  type TestClock,
} from '../../helpers/emulator.js'
import { loopbackFetch } from '../../helpers/http.js'

export interface JwtFixture {
  emulator: Emulator
  sender: EmulatorMachine
  receiver: EmulatorMachine
  /** The verifiers' clock (real time plus an offset): moved instead of sleeping. */
  clock: TestClock
  /** A JWT-format token from `sender` to `receiver`, signed with the emulator's newest key. */
  issueJwt(claims?: Record<string, unknown>): Promise<string>
  /** `GET /v1/jwks` requests the emulator received so far (faulted ones included). */
  jwksRequests(): number
  /** A verifier of `receiver` with the instance key (JWKS), on the fixture clock, over loopback. */
  verifier(options?: Partial<VerifierOptions>): Verifier
  close(): Promise<void>
}

/** Starts an emulator with the two machines; close it after the test. */
export async function startJwtFixture(): Promise<JwtFixture> {
  const { emulator } = await startTestEmulator({
    machines: [{ name: 'sender', scopes: ['receiver'] }, { name: 'receiver' }],
  })
  const find = (name: string) => emulator.machines.find((m) => m.name === name)!
  const sender = find('sender')
  const receiver = find('receiver')
  const clock = createTestClock()
  return {
    emulator,
    sender,
    receiver,
    clock,
    issueJwt: async (claims) =>
      (await issueToken(emulator.url, sender.secretKey, { tokenFormat: 'jwt', claims })).token,
    jwksRequests: () => emulator.stats().byRoute.jwks ?? 0,
    verifier: (options = {}) =>
      createVerifier({
        secretKey: emulator.secretKey,
        apiUrl: emulator.url,
        machineId: receiver.id,
        fetch: loopbackFetch,
        now: clock.now,
        ...options,
      }),
    close: () => emulator.close(),
  }
}

/** Rotates the emulator's signing key through its admin route, as a test tool outside the process would. */
export async function rotateOverHttp(emulator: Emulator, keepOld: boolean): Promise<string> {
  const response = await fetch(`${emulator.url}/__emulator/rotate-jwks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ keepOld }),
  })
  if (response.status !== 200) throw new Error(`rotate-jwks: expected 200, got ${response.status}`)
  return ((await response.json()) as { kid: string }).kid
}

/** The `kid` in a compact JWS header. */
export function kidOf(token: string): unknown {
  const header = token.slice(0, token.indexOf('.'))
  return (JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid?: unknown }).kid
}
