/**
 * Public types of @m2m-auth/emulator. camelCase here; snake_case only on the wire.
 */
import type { M2MToken } from '@m2m-auth/core'

/** Route names used by {@link Faults.routes}, {@link EmulatorStats.byRoute} and latency. */
export type RouteName = 'create' | 'list' | 'revoke' | 'verify' | 'jwks' | 'machines'

/** The routes that {@link EmulatorOptions.latencyMs} applies to. */
export const M2M_ROUTES: readonly RouteName[] = ['create', 'list', 'revoke', 'verify']

/** Every route name a fault may target. */
export const ROUTE_NAMES: readonly RouteName[] = ['create', 'list', 'revoke', 'verify', 'jwks', 'machines']

/**
 * A machine to create at start.
 *
 * @example
 * ```ts
 * { name: 'orders-service', scopes: ['billing-service'] }
 * ```
 */
export interface EmulatorMachineSeed {
  /** Display name (1..255 characters). Also usable in `scopes` of other seeds. */
  name: string
  /** `mch_` + 27 word characters. @default derived from `seed`, else random */
  id?: string
  /** `ak_...` Machine Secret Key. @default derived from `seed`, else random */
  secretKey?: string
  /** Names or ids of the machines this machine may send tokens to. @default [] */
  scopes?: string[]
  /** Lifetime of tokens created without `seconds_until_expiration`. @default 3600 */
  defaultTokenTtlSeconds?: number
}

/** A fixed delay in milliseconds, or a uniformly random one in `[min, max]`. */
export type LatencyMs = number | { min: number; max: number }

/**
 * Faults injected before a request is handled (a faulted request has no effect on state).
 * Rates are fractions in `[0, 1]`: 0 never, 1 always (both deterministic), anything between is
 * drawn from a PRNG seeded by {@link EmulatorOptions.seed}. Checked in this order: hang, reset,
 * rate limit, error, malformed; the first that fires wins.
 */
export interface Faults {
  /** Fraction of requests answered with `errorStatus`. @default 0 */
  errorRate?: number
  /** Status of injected errors. @default 500 */
  errorStatus?: 500 | 502 | 503
  /** Fraction of requests answered `429` with `Retry-After`. @default 0 */
  rateLimitRate?: number
  /** `Retry-After` of injected 429s, in seconds. @default 1 */
  retryAfterSeconds?: number
  /** Fraction of requests never answered (the socket stays open until the client gives up). @default 0 */
  hangRate?: number
  /** Fraction of requests whose socket is destroyed without an answer. @default 0 */
  resetRate?: number
  /** Fraction of requests answered `200` with a body that is not valid JSON. @default 0 */
  malformedRate?: number
  /** Delay before answering every affected request, in milliseconds. @default 0 */
  slowMs?: number
  /** Limit faults to these routes. @default every route except the admin routes */
  routes?: RouteName[]
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number
  /** Interface to bind. @default '127.0.0.1' */
  host?: string
  /**
   * Machines to create. @default two machines, `orders-service` and `billing-service`, each
   * scoped to the other
   */
  machines?: EmulatorMachineSeed[]
  /** Derive ids, keys and the fault PRNG from this string, so a restart gives the same keys. */
  seed?: string
  /** The instance Secret Key (`sk_test_...` / `sk_live_...`). @default derived from `seed`, else random */
  instanceSecretKey?: string
  /** Delay added to the M2M token routes (create, list, revoke, verify). @default 0 */
  latencyMs?: LatencyMs
  /** Faults injected from the start. @default none */
  faults?: Faults
  /**
   * A JSON seed file read once at start: `{ seed?, instanceSecretKey?, machines? }` or a bare array
   * of machines. Options given in code win over the file. State stays in memory.
   */
  statePath?: string
  /** Clock in milliseconds since the epoch, for tests that move time. @default Date.now */
  now?: () => number
  /**
   * How long an expired opaque token is kept (listed with `expired=true`) before it is dropped, in
   * milliseconds, so a long-running emulator stays bounded. @default 600000 (10 minutes)
   */
  expiredTokenRetentionMs?: number
}

/** A machine of a running emulator, with its Machine Secret Key. */
export interface EmulatorMachine {
  id: string
  name: string
  /** `ak_...` */
  secretKey: string
}

/** Request counters. Admin routes are not counted. */
export interface EmulatorStats {
  /** Requests received (faulted ones and unknown routes included). */
  requests: number
  /** Requests per route name (`unknown` for unmatched paths). */
  byRoute: Record<string, number>
  /** Verify requests received (opaque and JWT). */
  verify: number
}

/**
 * Input of `mintToken`: a token as machine `from` gets it from `POST /m2m_tokens`.
 *
 * @example
 * ```ts
 * await emulator.mintToken({ from: 'orders-service' }) // scoped to what orders-service was granted
 * await emulator.mintToken({ from: 'orders-service', to: 'billing-service', format: 'jwt' })
 * ```
 */
export interface MintTokenInput {
  /** The sending machine: its name or id. */
  from: string
  /**
   * The receiving machines (names or ids) the token is scoped to. A test shortcut: Clerk scopes a
   * token to every machine the sender was granted, and the emulator does too when `to` is left out;
   * `to` mints exactly these scopes, granted or not (e.g. a token that lacks a scope, for a 403).
   * @default the sender's grants
   */
  to?: string | string[]
  /** @default 'opaque' */
  format?: 'opaque' | 'jwt'
  /** Lifetime in seconds. @default the sender's default token lifetime (3600) */
  expiresInSeconds?: number
  /** Custom claims (for JWTs an object without reserved claims). @default null */
  claims?: unknown
}

/** The environment of an API under test that receives tokens as one machine. */
export interface EmulatorEnv {
  /** The emulator's base URL. */
  CLERK_API_URL: string
  /** The receiving machine's Machine Secret Key (`ak_...`). */
  CLERK_MACHINE_SECRET_KEY: string
  /** The receiving machine's id (`mch_...`). */
  CLERK_MACHINE_ID: string
}

/**
 * What another process needs to use a running emulator (plain JSON): test-runner entries hand it
 * from their global setup to the test workers, where `connectEmulator(info)` turns it into a client.
 */
export interface EmulatorInfo {
  url: string
  /** The instance Secret Key (`sk_...`): the admin routes need it. */
  secretKey: string
  machines: EmulatorMachine[]
}

/** A running emulator. */
export interface Emulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string
  /** The instance Secret Key (`sk_test_...`). */
  secretKey: string
  /** Every machine, including the ones created after start. */
  readonly machines: EmulatorMachine[]
  /** Creates a machine; `scopes` are names or ids of machines it may send tokens to. */
  createMachine(input: { name: string; scopes?: string[] }): EmulatorMachine
  /** Lets machine `from` (id or name) send tokens to machine `to` (id or name). Idempotent. */
  grantScope(from: string, to: string): void
  /** Replaces the active faults (`{}` clears them). */
  setFaults(faults: Faults): void
  /** Replaces the latency of the M2M routes (0 clears it). */
  setLatency(latencyMs: LatencyMs): void
  /** New RSA signing key with a new `kid`; `keepOld` keeps older public keys in the JWKS. */
  rotateJwtKey(options?: { keepOld?: boolean }): Promise<{ kid: string }>
  stats(): EmulatorStats
  resetStats(): void
  /** A machine by name or id; throws a `TypeError` when there is none. */
  machine(ref: string): EmulatorMachine
  /**
   * The environment of the API under test, which receives tokens as `machine` (name or id).
   *
   * @example
   * ```ts
   * Object.assign(process.env, emulator.envFor('billing-service')) // before the app is built
   * ```
   */
  envFor(machine: string): EmulatorEnv
  /**
   * Mints a token, never faulted (so a test can get a token while the token routes fail).
   *
   * @example
   * ```ts
   * const { token, id } = await emulator.mintToken({ from: 'orders-service' })
   * ```
   */
  mintToken(input: MintTokenInput): Promise<M2MToken>
  /** Revokes a stored (opaque) token by id; the receiving API then answers 401 for it. */
  revokeToken(id: string, options?: { reason?: string }): Promise<M2MToken>
  /** Clears every fault (same as `setFaults({})`). */
  clearFaults(): void
  /** The plain-JSON description other processes connect with (`connectEmulator(info)`). */
  info(): EmulatorInfo
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>
}
