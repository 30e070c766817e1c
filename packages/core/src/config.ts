/**
 * Environment defaults for adapters. The core never reads the process environment itself: each adapter passes
 * its runtime's environment (the process environment on Node, the bindings object on Workers).
 */
import { M2MConfigError } from './errors.js'

/** The environment variables read by {@link resolveVerifierOptions}, in order of precedence. */
export const SECRET_KEY_ENV_VARS = ['CLERK_MACHINE_SECRET_KEY', 'CLERK_SECRET_KEY'] as const

/** The environment variable that overrides the Clerk API base URL. */
export const API_URL_ENV_VAR = 'CLERK_API_URL'

/**
 * The environment variable that names this server's machine (`mch_...`), the `machineId` option:
 * a token must be scoped to it. Required with the instance key (`sk_`) or JWT-format tokens.
 */
export const MACHINE_ID_ENV_VAR = 'CLERK_MACHINE_ID'

/** An environment: variable name to value (the Node process environment, Workers bindings, a plain object). */
export type EnvLike = Readonly<Record<string, string | undefined>>

/**
 * Fills `secretKey`, `apiUrl` and `machineId` from the environment when the options leave them out.
 *
 * - `secretKey`: `options.secretKey`, else `CLERK_MACHINE_SECRET_KEY` (a Machine Secret Key,
 *   `ak_...`), else `CLERK_SECRET_KEY` (the instance key, `sk_...`). Empty strings count as unset.
 * - `apiUrl`: `options.apiUrl`, else `CLERK_API_URL`, else left out (the client's default applies).
 * - `machineId`: `options.machineId`, else `CLERK_MACHINE_ID`, else left out.
 *
 * Everything else is returned unchanged; the verifier validates it when it is built. Throws
 * `M2MConfigError` (option `secretKey`) when no key can be found: adapters call this once, at
 * registration, so a missing key stops the app at startup instead of failing every request.
 *
 * @example
 * ```ts
 * const verifier = createVerifier(resolveVerifierOptions(options, env)) // env: the runtime's variables
 * ```
 */
export function resolveVerifierOptions<T extends { secretKey?: string; apiUrl?: string; machineId?: string }>(
  options: T | undefined,
  env: EnvLike,
): T & { secretKey: string; apiUrl?: string; machineId?: string } {
  const given = (options ?? {}) as T
  const secretKey = nonEmpty(given.secretKey) ?? firstEnv(env, SECRET_KEY_ENV_VARS)
  if (secretKey === undefined) {
    throw new M2MConfigError(
      'secretKey',
      'No Clerk secret key: pass the `secretKey` option or set the CLERK_MACHINE_SECRET_KEY ' +
        '(Machine Secret Key, ak_...) or CLERK_SECRET_KEY (instance Secret Key, sk_...) environment variable',
    )
  }
  const resolved: T & { secretKey: string; apiUrl?: string; machineId?: string } = { ...given, secretKey }
  const apiUrl = nonEmpty(given.apiUrl) ?? nonEmpty(env[API_URL_ENV_VAR])
  if (apiUrl !== undefined) resolved.apiUrl = apiUrl
  const machineId = nonEmpty(given.machineId) ?? nonEmpty(env[MACHINE_ID_ENV_VAR])
  if (machineId !== undefined) resolved.machineId = machineId
  return resolved
}

function firstEnv(env: EnvLike, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = nonEmpty(env[name])
    if (value !== undefined) return value
  }
  return undefined
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

/** The environment variable {@link resolveTokenSourceOptions} reads the sending machine's key from. */
export const MACHINE_SECRET_KEY_ENV_VAR = 'CLERK_MACHINE_SECRET_KEY'

/**
 * Fills `secretKey` and `apiUrl` of a token source from the environment when the options leave them
 * out: `secretKey` from `CLERK_MACHINE_SECRET_KEY` only (the instance key `CLERK_SECRET_KEY` cannot
 * create tokens), `apiUrl` from `CLERK_API_URL`. Empty strings count as unset. Throws
 * `M2MConfigError` (option `secretKey`, naming the variable) when no key can be found, so a missing
 * key stops the app at startup.
 *
 * @example
 * ```ts
 * const source = createTokenSource(resolveTokenSourceOptions({ claims: { app: 'orders' } }, env)) // the runtime's variables
 * ```
 */
export function resolveTokenSourceOptions<T extends { secretKey?: string; apiUrl?: string }>(
  options: T | undefined,
  env: EnvLike,
): T & { secretKey: string; apiUrl?: string } {
  const given = (options ?? {}) as T
  const secretKey = nonEmpty(given.secretKey) ?? nonEmpty(env[MACHINE_SECRET_KEY_ENV_VAR])
  if (secretKey === undefined) {
    throw new M2MConfigError(
      'secretKey',
      'No Machine Secret Key to create tokens with: pass the `secretKey` option or set the ' +
        `${MACHINE_SECRET_KEY_ENV_VAR} environment variable (the sending machine's key, ak_...)`,
    )
  }
  const resolved: T & { secretKey: string; apiUrl?: string } = { ...given, secretKey }
  const apiUrl = nonEmpty(given.apiUrl) ?? nonEmpty(env[API_URL_ENV_VAR])
  if (apiUrl !== undefined) resolved.apiUrl = apiUrl
  return resolved
}
