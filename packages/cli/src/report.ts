/**
 * Failures: which exit code, and what to print. Usage mistakes exit 2; anything the token service
 * or the network did exits 1. Messages come from our own errors, which never carry a token or a key.
 */
import { M2MApiError, M2MConfigError, M2MNetworkError, M2MValidationError } from '@m2m-auth/core'
import { UsageError } from './flags.js'
import { type PublicToken, tokenDetails } from './output.js'

/**
 * The token service answered 200 for a token that is revoked or expired: `token verify` still
 * rejects it, as the verifier does.
 */
export class TokenRejectedError extends Error {
  readonly status: 'revoked' | 'expired'
  readonly token: PublicToken

  constructor(status: 'revoked' | 'expired', token: PublicToken) {
    super(`the token service answered, but the token is ${status}`)
    this.name = 'TokenRejectedError'
    this.status = status
    this.token = token
  }
}

/**
 * `token verify` got a string that cannot be an M2M token (neither `mt_...` nor a JWT whose `sub`
 * is a machine): rejected locally, as the middleware does, without a request.
 */
export class NotAnM2MTokenError extends Error {
  constructor() {
    super('this is not an M2M token (expected mt_... or a JWT whose sub is mch_...); nothing was sent')
    this.name = 'NotAnM2MTokenError'
  }
}

/** What the failing command had resolved, so messages can point at the right knob. */
export interface FailureContext {
  /** `token create`, `token verify`, ... */
  command?: string
  apiUrl?: string
  timeoutMs?: number
  keySource?: string
}

/** A failure ready to print: human lines for stderr, a JSON document for `--json`. */
export interface Report {
  exitCode: 1 | 2
  lines: string[]
  json: { error: Record<string, unknown> }
}

/** Client parameters, named as the flag or argument that feeds them. */
const PARAMETER_FLAGS: Record<string, string> = {
  secondsUntilExpiration: '--expires-in',
  claims: '--claims',
  tokenFormat: '--format',
  minRemainingTtlSeconds: '--min-remaining-ttl',
  subject: '--subject',
  limit: '--limit',
  offset: '--offset',
  m2mTokenId: 'token id',
  revocationReason: '--reason',
  token: 'token',
  apiUrl: '--api-url / CLERK_API_URL',
  timeoutMs: '--timeout',
  pathStyle: '--path-style',
  secretKey: 'secret key',
}

function usage(message: string, hint: string | undefined, kind: string, command?: string): Report {
  const help = `run: m2m-auth ${command ? `${command} ` : ''}--help`
  const lines = [`error: ${message}`, ...(hint ? [`hint: ${hint}`] : []), help]
  return { exitCode: 2, lines, json: { error: { kind, message, ...(hint ? { hint } : {}) } } }
}

/** Known cac messages, minus any argument values they quote (an extra argument may be a token). */
function cacMessage(message: string): string {
  if (message.startsWith('Unused args')) return 'too many arguments'
  return message.replace(/`/g, "'")
}

function apiHint(error: M2MApiError, ctx: FailureContext): string | undefined {
  if (error.malformedResponse) return `is ${ctx.apiUrl ?? 'the API URL'} really a Clerk Backend API?`
  if (error.status === 401) return `the secret key from ${ctx.keySource ?? 'the configuration'} was rejected`
  if (error.status === 403)
    return 'this key may not do that (a Machine Secret Key only reaches its own tokens)'
  if (error.status === 404 && ctx.command === 'token verify') {
    return 'the token is unknown, revoked or expired, or not scoped to the machine whose key verified it'
  }
  if (error.status === 429) {
    const after =
      error.retryAfterMs === undefined ? '' : `: retry in ${Math.ceil(error.retryAfterMs / 1000)} s`
    return `rate limited${after}`
  }
  if (error.status >= 500) return 'the token service failed (retried where safe); try again later'
  return undefined
}

function apiReport(error: M2MApiError, ctx: FailureContext): Report {
  const first = error.errors[0]
  const lines = [
    `error: ${ctx.command ?? 'request'} failed: HTTP ${error.status}: ${first?.message ?? error.message}`,
  ]
  if (first?.code) lines.push(`  code: ${first.code}`)
  if (first?.longMessage && first.longMessage !== first.message) lines.push(`  detail: ${first.longMessage}`)
  lines.push(`  trace id: ${error.clerkTraceId ?? '(none sent)'}`)
  const hint = apiHint(error, ctx)
  if (hint) lines.push(`hint: ${hint}`)
  const json = {
    kind: 'api',
    message: error.message,
    status: error.status,
    code: first?.code ?? null,
    errors: error.errors,
    clerkTraceId: error.clerkTraceId ?? null,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  }
  return { exitCode: 1, lines, json: { error: json } }
}

/** The innermost `code` of a cause chain (`ECONNREFUSED`, `UND_ERR_SOCKET`, ...), bounded in depth. */
function causeCode(error: unknown): string | undefined {
  let found: string | undefined
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && !code.startsWith('m2m_')) found = code
    current = (current as { cause?: unknown }).cause
  }
  return found
}

function networkReport(error: M2MNetworkError, ctx: FailureContext): Report {
  const where = ctx.apiUrl ?? 'the token service'
  const code = causeCode(error)
  const message = error.timedOut
    ? `no answer from ${where} within ${ctx.timeoutMs ?? 'the'} ms (per attempt)`
    : `could not reach ${where}${code ? ` (${code})` : ''}`
  const hint = error.timedOut
    ? 'allow more time with --timeout <ms>'
    : 'check --api-url / CLERK_API_URL and the network'
  const lines = [`error: ${ctx.command ?? 'request'} failed: ${message}`, `hint: ${hint}`]
  const json = { kind: 'network', message, timedOut: error.timedOut, ...(code ? { cause: code } : {}) }
  return { exitCode: 1, lines, json: { error: json } }
}

/**
 * Turns any failure into a {@link Report}: usage (exit 2) for our own `UsageError`, cac's parse
 * errors, core's `M2MValidationError` and `M2MConfigError`; exit 1 for everything else.
 */
export function reportFailure(error: unknown, ctx: FailureContext, now: number): Report {
  if (error instanceof UsageError) return usage(error.message, error.hint, 'usage', ctx.command)
  if (error instanceof M2MValidationError || error instanceof M2MConfigError) {
    const name = error instanceof M2MValidationError ? error.parameter : error.option
    const what = PARAMETER_FLAGS[name.split('.')[0] ?? name] ?? name
    return usage(`invalid ${what}: ${error.message}`, undefined, 'usage', ctx.command)
  }
  if (error instanceof Error && error.name === 'CACError') {
    return usage(cacMessage(error.message), undefined, 'usage', ctx.command)
  }
  if (error instanceof M2MApiError) return apiReport(error, ctx)
  if (error instanceof TokenRejectedError) {
    const lines = [
      `error: ${ctx.command ?? 'token verify'} failed: ${error.message}`,
      ...tokenDetails(error.token, now),
    ]
    return {
      exitCode: 1,
      lines,
      json: { error: { kind: 'token', message: error.message, token: error.token } },
    }
  }
  if (error instanceof NotAnM2MTokenError) {
    const lines = [`error: ${ctx.command ?? 'token verify'} failed: ${error.message}`]
    return { exitCode: 1, lines, json: { error: { kind: 'token', message: error.message } } }
  }
  if (error instanceof M2MNetworkError) return networkReport(error, ctx)
  if (error instanceof Error && error.name === 'AbortError') {
    return {
      exitCode: 1,
      lines: ['error: interrupted'],
      json: { error: { kind: 'interrupted', message: 'interrupted' } },
    }
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  return {
    exitCode: 1,
    lines: [`error: unexpected failure: ${message}`],
    json: { error: { kind: 'internal', message } },
  }
}
