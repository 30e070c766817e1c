/**
 * Every option key the library knows, one declarative list per options object. This is the one
 * place to edit when an option is added: a key missing here is refused at construction as unknown
 * (with a "did you mean" suggestion), so a misspelt option can never silently turn a check off.
 *
 * One key per line, sorted within each group, so adding an option is a one-line change.
 */

/** Keys of `createVerifier()` options (and of the verifier part of every adapter's options). */
export const VERIFIER_OPTION_KEYS = [
  'anyMachine',
  'apiUrl',
  'apiVersion',
  'breaker',
  'budget',
  'cache',
  'clockSkewMs',
  'fetch',
  'jwt',
  'jwtKey',
  'logger',
  'machineId',
  'now',
  'onEvent',
  'pathStyle',
  'retry',
  'secretKey',
  'singleFlight',
  'timeoutMs',
  'waitUntil',
] as const

/** Keys of the verifier's nested `cache` options. */
export const CACHE_OPTION_KEYS = [
  'max',
  'maxBytes',
  'negativeMax',
  'negativeTtlMs',
  'refreshAheadRatio',
  'staleIfErrorMs',
  'store',
  'ttlMs',
] as const

/** Keys of the verifier's nested `jwt` options. */
export const JWT_OPTION_KEYS = ['cooldownMs', 'maxAgeMs'] as const

/** Keys of a `retry` policy (client, verifier and per-call options). */
export const RETRY_OPTION_KEYS = [
  'initialDelayMs',
  'jitter',
  'maxAttempts',
  'maxDelayMs',
  'maxElapsedMs',
  'retryRateLimited',
] as const

/** The second argument of every client call (`M2MCallOptions`). */
export const CALL_OPTION_KEYS = ['deadlineMs', 'retry', 'secretKey', 'signal'] as const
/** Keys of the verifier's nested `budget` options (the upstream budget). */
export const BUDGET_OPTION_KEYS = ['burst', 'maxInFlight', 'ratePerSecond'] as const

/** Keys of the verifier's nested `breaker` options (the verify call's breaker). */
export const BREAKER_OPTION_KEYS = ['failureThreshold', 'maxOpenMs', 'minOpenMs'] as const

/** Keys of `createTokenSource()` options (the calling side). */
export const TOKEN_SOURCE_OPTION_KEYS = [
  'apiUrl',
  'apiVersion',
  'claims',
  'fetch',
  'hardRefreshBeforeMs',
  'logger',
  'minRemainingTtlSeconds',
  'now',
  'onEvent',
  'pathStyle',
  'refreshBeforeMs',
  'retry',
  'secondsUntilExpiration',
  'secretKey',
  'timeoutMs',
  'tokenFormat',
] as const

/** Keys of `createM2MFetch()` options. */
export const M2M_FETCH_OPTION_KEYS = ['fetch', 'origins', 'source'] as const

/** Keys of `createM2MInterceptor()` options (`@m2m-auth/undici`). */
export const M2M_INTERCEPTOR_OPTION_KEYS = ['origins', 'source'] as const

/** Keys of `createRedisStore()` options (`@m2m-auth/redis-store`). */
export const REDIS_STORE_OPTION_KEYS = [
  'broadcast',
  'lock',
  'logger',
  'onError',
  'prefix',
  'timeoutMs',
] as const

/** Keys of `createWorkersStore()` options (`@m2m-auth/workers-store`). */
export const WORKERS_STORE_OPTION_KEYS = ['baseUrl', 'cache'] as const

/** Keys of `createM2MClient()` options. */
export const CLIENT_OPTION_KEYS = [
  'apiUrl',
  'apiVersion',
  'fetch',
  'now',
  'pathStyle',
  'random',
  'retry',
  'secretKey',
  'sleep',
  'timeoutMs',
] as const

/** Keys of a rule, accepted at middleware level and at route level by every adapter. */
export const RULE_OPTION_KEYS = ['authorize', 'callers', 'optional', 'scope'] as const

/**
 * Keys every adapter accepts besides the verifier's and the rule's: a ready `verifier` (instead of
 * the verifier options), the challenge `realm` and the `logger` (shared with the verifier).
 */
export const ADAPTER_OPTION_KEYS = ['logger', 'realm', 'verifier'] as const

/** Keys of one adapter's own options (the few that only one framework needs). */
export const ADAPTER_OWN_OPTION_KEYS = {
  express: ['errorHandling'],
  fastify: ['errorHandling', 'global'],
  hono: [],
} as const satisfies Record<string, readonly string[]>
