import { type Emulator, type EmulatorOptions, startEmulator } from '@m2m-auth/emulator'

export { type Emulator, type EmulatorMachine, type Faults, startEmulator } from '@m2m-auth/emulator'

/** A clock that tests move by hand instead of sleeping. */
export interface TestClock {
  now(): number
  /** Moves the clock forward (or back, with a negative value). */
  advance(ms: number): void
  /** Back to real time. */
  reset(): void
}

/** Real time plus an offset that {@link TestClock.advance} changes. */
export function createTestClock(): TestClock {
  let offsetMs = 0
  return {
    now: () => Date.now() + offsetMs,
    advance: (ms) => {
      offsetMs += ms
    },
    reset: () => {
      offsetMs = 0
    },
  }
}

/** An emulator whose clock the test controls, with the default two machines. */
export interface TestEmulator {
  emulator: Emulator
  clock: TestClock
}

/** Starts an emulator on `127.0.0.1:0` driven by a {@link TestClock}. */
export async function startTestEmulator(options: EmulatorOptions = {}): Promise<TestEmulator> {
  const clock = createTestClock()
  const emulator = await startEmulator({ now: clock.now, ...options, port: 0, host: '127.0.0.1' })
  return { emulator, clock }
}

/** The fields of a created token that tests use. `token` is the credential itself: never log it. */
export interface IssuedToken {
  id: string
  token: string
  subject: string
  scopes: string[]
}

/** Parameters of {@link issueToken}, camelCased (sent as Clerk's snake_case). */
export interface IssueTokenParams {
  /** @default 'opaque' */
  tokenFormat?: 'opaque' | 'jwt'
  secondsUntilExpiration?: number
  claims?: Record<string, unknown>
}

/**
 * Creates a token the way a calling machine does: `POST /m2m_tokens` with its Machine Secret Key,
 * straight on the wire (no code of ours in between).
 */
export async function issueToken(
  apiUrl: string,
  machineSecretKey: string,
  params: IssueTokenParams = {},
): Promise<IssuedToken> {
  const body: Record<string, unknown> = { token_format: params.tokenFormat ?? 'opaque' }
  if (params.secondsUntilExpiration !== undefined) {
    body.seconds_until_expiration = params.secondsUntilExpiration
  }
  if (params.claims !== undefined) body.claims = params.claims
  const json = await call(apiUrl, '/m2m_tokens', machineSecretKey, body, 201)
  return {
    id: String(json.id),
    token: String(json.token),
    subject: String(json.subject),
    scopes: Array.isArray(json.scopes) ? json.scopes.map(String) : [],
  }
}

/** Revokes a token: `POST /m2m_tokens/{id}/revoke` with the creating machine's key or `sk_`. */
export async function revokeToken(apiUrl: string, secretKey: string, tokenId: string): Promise<void> {
  await call(apiUrl, `/m2m_tokens/${encodeURIComponent(tokenId)}/revoke`, secretKey, {}, 200)
}

async function call(
  apiUrl: string,
  path: string,
  secretKey: string,
  body: Record<string, unknown>,
  expectedStatus: number,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  // The error names the route and status only: the body of a create holds the token.
  if (response.status !== expectedStatus) {
    throw new Error(`POST ${path}: expected ${expectedStatus}, got ${response.status}`)
  }
  return JSON.parse(text) as Record<string, unknown>
}
