/**
 * Where the secret key comes from, and the verifiers built from it. On Node, Bun and Deno the
 * environment is known when `m2mAuth()` is called; on Cloudflare Workers the bindings arrive with
 * each request. So verifiers are built per distinct configuration, the first time it is seen, and
 * reused by every later request: never one per request.
 */
import {
  API_URL_ENV_VAR,
  createVerifier,
  type EnvLike,
  M2MConfigError,
  MACHINE_ID_ENV_VAR,
  resolveVerifierOptions,
  SECRET_KEY_ENV_VARS,
  ServerConfigError,
  type Verifier,
  type VerifierOptions,
} from '@m2m-auth/core'
import type { Context } from 'hono'
import { env, getRuntimeKey } from 'hono/adapter'

const ENV_VARS = [...SECRET_KEY_ENV_VARS, API_URL_ENV_VAR, MACHINE_ID_ENV_VAR] as const

/**
 * Distinct configurations kept per middleware. One app sees one, or a few (several Worker
 * environments sharing an isolate); the bound only guards against a misbehaving host.
 */
const MAX_VERIFIERS = 16

/** Our variables out of an environment-like value (strings only), or `undefined` if none is set. */
function pickEnv(source: unknown): Record<string, string> | undefined {
  if (typeof source !== 'object' || source === null) return undefined
  let picked: Record<string, string> | undefined
  for (const name of ENV_VARS) {
    const value = (source as Record<string, unknown>)[name]
    if (typeof value === 'string') {
      picked ??= {}
      picked[name] = value
    }
  }
  return picked
}

/**
 * The runtime's environment through Hono's `env()`: `process.env` (Node, Bun) or `Deno.env`. Read
 * without a request context, which only workerd needs (its environment is the per-request
 * bindings, read from `c.env`). Deno throws without `--allow-env`: an empty environment, not a crash.
 */
function runtimeEnv(): Record<string, string> {
  try {
    return pickEnv(env({ env: undefined } as unknown as Context)) ?? {}
  } catch {
    return {}
  }
}

/** True on Cloudflare Workers, where one request must not await another request's I/O. */
export function isWorkerd(): boolean {
  return getRuntimeKey() === 'workerd'
}

/** Runtimes that run an app as a long-lived process: work left after a response goes on there. */
const PROCESS_RUNTIMES: readonly string[] = ['node', 'bun', 'deno']

/**
 * The verifier's `waitUntil` where requests come with an execution context (Workers and other edge
 * runtimes): a refresh ahead, or a write or delete of an `awaitWrites` store, is handed to the
 * request's `c.executionCtx.waitUntil`, so that it is not cancelled with the response. Only called
 * when such work starts, so Hono's throwing getter costs nothing per request. A request without
 * one (`app.request()` in a test) answers `false`: the verifier then awaits the store work.
 */
function waitUntilOfContext(task: Promise<unknown>, request: unknown): boolean {
  let executionCtx: { waitUntil(task: Promise<unknown>): void }
  try {
    executionCtx = (request as Context).executionCtx
  } catch {
    return false
  }
  executionCtx.waitUntil(task)
  return true
}

/** Builds and remembers the verifiers of one middleware. */
export class VerifierPool {
  readonly #options: Partial<VerifierOptions>
  readonly #verifiers = new Map<string, Verifier>()
  /** The runtime's variables, read once: reading `process.env` costs about 0.2 µs per variable. */
  readonly #ambient: Record<string, string>
  /** The verifier for requests without bindings of ours (every request on Node, Bun and Deno). */
  #default: Verifier | undefined

  /** A ready verifier given in the options: used for every request, bindings or not. */
  readonly #given: Verifier | undefined

  constructor(options: Partial<VerifierOptions>, given?: Verifier) {
    this.#given = given
    let own = options
    // Single-flight shares one upstream call between concurrent requests: not allowed on workerd.
    if (isWorkerd() && own.singleFlight === undefined) own = { ...own, singleFlight: false }
    if (!PROCESS_RUNTIMES.includes(getRuntimeKey()) && own.waitUntil === undefined) {
      own = { ...own, waitUntil: waitUntilOfContext }
    }
    this.#options = own
    this.#ambient = runtimeEnv()
  }

  /**
   * Builds the verifier at registration when the key is known then (a `secretKey` option, even an
   * `undefined` one, or a key in the runtime's environment), so a bad or missing key throws
   * `M2MConfigError` at `m2mAuth()` time. Otherwise the key may still come with each request's
   * bindings (Workers, `app.request(path, init, env)`), and `forRequest()` reports its absence.
   */
  prepare(): void {
    if (this.#given !== undefined) {
      this.#default = this.#given
      return
    }
    const explicit = Object.hasOwn(this.#options, 'secretKey')
    if (!explicit && !SECRET_KEY_ENV_VARS.some((name) => this.#ambient[name]?.trim())) return
    this.#default = this.#get(this.#ambient)
  }

  /** The verifier built at registration (`undefined` when the key comes only with bindings). */
  get startup(): Verifier | undefined {
    return this.#default
  }

  /**
   * The verifier for this request: its bindings (`c.env`) win over the runtime's environment. A
   * configuration error becomes a `ServerConfigError` (500), logged through `log`.
   */
  forRequest(c: Context, log: (error: M2MConfigError) => void): Verifier {
    if (this.#given !== undefined) return this.#given
    const bindings = pickEnv(c.env)
    if (bindings === undefined && this.#default !== undefined) return this.#default
    try {
      return this.#get(bindings === undefined ? this.#ambient : { ...this.#ambient, ...bindings })
    } catch (error) {
      if (!(error instanceof M2MConfigError)) throw error
      log(error)
      throw new ServerConfigError('The server is misconfigured', error)
    }
  }

  #get(environment: EnvLike): Verifier {
    const resolved = resolveVerifierOptions(this.#options, environment)
    // The exact key string is fine as a map key: it never leaves this process.
    const id = `${resolved.apiUrl ?? ''}\n${resolved.secretKey}\n${resolved.machineId ?? ''}`
    let verifier = this.#verifiers.get(id)
    if (verifier === undefined) {
      verifier = createVerifier(resolved)
      if (this.#verifiers.size >= MAX_VERIFIERS) {
        this.#verifiers.delete(this.#verifiers.keys().next().value as string)
      }
      this.#verifiers.set(id, verifier)
    }
    return verifier
  }
}
