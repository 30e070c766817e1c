/**
 * The options every adapter takes, resolved in one place: unknown keys refused (with a
 * suggestion), a ready `verifier` or the verifier's own options (never both), the rule (`scope`,
 * `callers`, `authorize`, `optional`), `realm` and `logger`. Adapters add only their framework's
 * few own keys and the environment.
 */
import { M2MConfigError } from '../errors.js'
import { createLibraryLog, isLogger, type LibraryLog, type Logger } from '../logger.js'
import { type AuthRule, type AuthRuleOptions, createAuthRule } from '../verify/authorize.js'
import type { VerifierOptions } from '../verify/options.js'
import type { Verifier } from '../verify/verifier.js'
import { checkKnownKeys, checkObject } from './check.js'
import {
  ADAPTER_OPTION_KEYS,
  ADAPTER_OWN_OPTION_KEYS,
  RULE_OPTION_KEYS,
  VERIFIER_OPTION_KEYS,
} from './keys.js'

/**
 * The options shared by the three adapters: the verifier's (all optional: `secretKey` and `apiUrl`
 * come from the environment when left out) or a ready `verifier`, plus the rule, `realm` and `logger`.
 *
 * @example
 * ```ts
 * const verifier = createVerifier({ secretKey: 'ak_...', machineId: 'mch_api' })
 * const options: AdapterOptions = { verifier, scope: 'mch_api', callers: ['mch_billing'] }
 * ```
 */
export interface AdapterOptions<TRequest = unknown>
  extends Partial<VerifierOptions>,
    AuthRuleOptions<TRequest> {
  /**
   * A verifier built with `createVerifier()`, shared with other middlewares, routes or frameworks
   * (one cache, one upstream call per token). Verifier options next to it are refused.
   * @default a verifier built from the other options and the environment
   */
  verifier?: Verifier
  /** The protection space named in `WWW-Authenticate: Bearer realm="..."`. @default 'api' */
  realm?: string
  /**
   * Where the library's messages go: an object with `warn` and `error` (console, pino, Fastify's
   * logger). Also the verifier's logger when the adapter builds it.
   * @default console (Fastify: the app's own logger)
   */
  logger?: Logger
}

/** What {@link resolveAdapterOptions} hands back to an adapter. */
export interface ResolvedAdapterOptions<TRequest = unknown> {
  /** The ready verifier given in the options; `undefined` when the adapter builds one. */
  verifier: Verifier | undefined
  /** The verifier's options (with `logger`), to complete from the environment and build. */
  verifierOptions: Partial<VerifierOptions>
  /** The compiled middleware-level rule. */
  rule: AuthRule<TRequest>
  realm: string
  logger: Logger
  /** The adapter's log: configuration messages once, outages rate-limited. */
  log: LibraryLog
  /** The adapter's own keys, as given (the adapter checks their values). */
  own: Record<string, unknown>
}

const RULE_KEYS: readonly string[] = RULE_OPTION_KEYS
const VERIFIER_KEYS: readonly string[] = VERIFIER_OPTION_KEYS

/**
 * Checks and splits an adapter's options; throws `M2MConfigError` naming the key for an unknown
 * key (with a "did you mean"), verifier options next to a `verifier`, or a wrong value.
 *
 * @example
 * ```ts
 * const { verifier, verifierOptions, rule, realm } = resolveAdapterOptions(options, 'express')
 * ```
 */
export function resolveAdapterOptions<TRequest = unknown>(
  options: AdapterOptions<TRequest> | undefined,
  adapter: keyof typeof ADAPTER_OWN_OPTION_KEYS,
  defaults: { logger?: Logger } = {},
): ResolvedAdapterOptions<TRequest> {
  const given = (options ?? {}) as Record<string, unknown>
  checkObject('options', given)
  const ownKeys: readonly string[] = ADAPTER_OWN_OPTION_KEYS[adapter]
  checkKnownKeys(given, [...VERIFIER_KEYS, ...RULE_KEYS, ...ADAPTER_OPTION_KEYS, ...ownKeys])
  const ruleOptions: Record<string, unknown> = {}
  const verifierOptions: Record<string, unknown> = {}
  const own: Record<string, unknown> = {}
  for (const key of Object.keys(given)) {
    if (RULE_KEYS.includes(key)) ruleOptions[key] = given[key]
    else if (ownKeys.includes(key)) own[key] = given[key]
    else if (VERIFIER_KEYS.includes(key) && key !== 'logger') verifierOptions[key] = given[key]
  }
  const logger = resolveLogger(given.logger, defaults.logger)
  const verifier = resolveVerifier(given.verifier, verifierOptions)
  return {
    verifier,
    verifierOptions: { ...verifierOptions, logger } as Partial<VerifierOptions>,
    rule: createAuthRule(ruleOptions as AuthRuleOptions<TRequest>),
    realm: resolveRealm(given.realm),
    logger,
    log: createLibraryLog(logger),
    own,
  }
}

function resolveVerifier(value: unknown, verifierOptions: Record<string, unknown>): Verifier | undefined {
  if (value === undefined) return undefined
  const v = value as Partial<Verifier> | null
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof v.authenticate !== 'function' ||
    typeof v.verify !== 'function'
  ) {
    throw new M2MConfigError('verifier', 'verifier must be a verifier built with createVerifier()')
  }
  const clash = Object.keys(verifierOptions).find((key) => verifierOptions[key] !== undefined)
  if (clash !== undefined) {
    throw new M2MConfigError(
      clash,
      `\`${clash}\` cannot be given next to \`verifier\`: set the verifier's options where it is built (createVerifier)`,
    )
  }
  return v as Verifier
}

function resolveLogger(value: unknown, fallback: Logger | undefined): Logger {
  if (value === undefined) return fallback ?? globalThis.console
  if (!isLogger(value))
    throw new M2MConfigError('logger', 'logger must be an object with warn and error functions')
  return value
}

function resolveRealm(value: unknown): string {
  if (value === undefined) return 'api'
  if (typeof value !== 'string' || value === '' || !/^[\x20-\x7e]*$/.test(value) || /["\\]/.test(value)) {
    throw new M2MConfigError('realm', 'realm must be a non-empty string of printable ASCII without " or \\')
  }
  return value
}
