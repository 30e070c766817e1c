/**
 * Input checks, run before any request so that a mistake costs no network call and no rate-limit
 * budget. Messages name the parameter and the rule, never the value (it may be a token or a key).
 */

import { CALL_OPTION_KEYS, RETRY_OPTION_KEYS } from '../options/keys.js'
import { unknownKey } from '../options/suggest.js'
import { M2MValidationError } from './errors.js'
import type { RetryOptions } from './retry.js'
import type {
  CreateTokenParams,
  ListTokensParams,
  M2MCallOptions,
  RevokeTokenParams,
  VerifyTokenParams,
} from './types.js'

/** Throws the error kind of the caller: `M2MValidationError` per call, `M2MConfigError` at build. */
export type Fail = (name: string, message: string) => never

const failParam: Fail = (name, message) => {
  throw new M2MValidationError(name, message)
}

/** A machine id, as in Clerk's OpenAPI spec (`^mch_\w{27}$`). */
export const MACHINE_ID_PATTERN = /^mch_\w{27}$/
/** An M2M token id, as in Clerk's OpenAPI spec (`^mt_[0-9A-Fa-f]{32}$`). */
export const TOKEN_ID_PATTERN = /^mt_[0-9A-Fa-f]{32}$/
/** Visible ASCII only: anything else would break (or be rejected inside) an HTTP header. */
const HEADER_TOKEN_PATTERN = /^[\x21-\x7e]+$/

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isInteger(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max
}

function paramsObject(params: unknown): Record<string, unknown> {
  if (!isObject(params)) failParam('params', 'params must be an object')
  return params
}

/** A secret key (client option or per-call override): a non-empty header-safe string. */
export function checkSecretKey(value: unknown, name: string, fail: Fail): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) fail(name, `${name} must be a non-empty string`)
  if (!HEADER_TOKEN_PATTERN.test(value)) {
    fail(name, `${name} must contain only visible ASCII characters (no spaces or line breaks)`)
  }
}

/** Retry options: shared by the client options and the per-call options. */
export function checkRetryOptions(value: unknown, name: string, fail: Fail): void {
  if (value === undefined || value === false) return
  if (!isObject(value)) fail(name, `${name} must be an object or false`)
  const unknown = unknownKey(value, RETRY_OPTION_KEYS, name)
  if (unknown !== undefined) fail(unknown.name, unknown.message)
  const o = value as Record<keyof RetryOptions, unknown>
  if (o.maxAttempts !== undefined && !isInteger(o.maxAttempts, 1, 100)) {
    fail(`${name}.maxAttempts`, `${name}.maxAttempts must be an integer from 1 to 100`)
  }
  for (const key of ['initialDelayMs', 'maxDelayMs', 'maxElapsedMs'] as const) {
    const v = o[key]
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      fail(`${name}.${key}`, `${name}.${key} must be a finite number >= 0`)
    }
  }
  for (const key of ['jitter', 'retryRateLimited'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean')
      fail(`${name}.${key}`, `${name}.${key} must be a boolean`)
  }
}

/** Checks the second argument of every operation. */
export function validateCallOptions(options: unknown): asserts options is M2MCallOptions | undefined {
  if (options === undefined) return
  if (!isObject(options)) failParam('callOptions', 'callOptions must be an object')
  // A misspelt option (`deadlineMS`, `sigal`) would otherwise be ignored without a word.
  const unknown = unknownKey(options, CALL_OPTION_KEYS, '', 'call option')
  if (unknown !== undefined) failParam(unknown.name, unknown.message)
  if (options.secretKey !== undefined) checkSecretKey(options.secretKey, 'secretKey', failParam)
  checkRetryOptions(options.retry, 'retry', failParam)
  const signal = options.signal
  if (signal !== undefined && !(isObject(signal) && typeof signal.addEventListener === 'function')) {
    failParam('signal', 'signal must be an AbortSignal')
  }
  const deadlineMs = options.deadlineMs
  if (
    deadlineMs !== undefined &&
    !(typeof deadlineMs === 'number' && Number.isFinite(deadlineMs) && deadlineMs > 0)
  ) {
    failParam('deadlineMs', 'deadlineMs must be a number > 0')
  }
}

/** Checks the parameters of createToken. */
export function validateCreateParams(params: unknown): asserts params is CreateTokenParams {
  const p = paramsObject(params)
  const seconds = p.secondsUntilExpiration
  if (seconds !== undefined && seconds !== null) {
    if (!(typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0)) {
      failParam('secondsUntilExpiration', 'secondsUntilExpiration must be a number > 0, or null')
    }
  }
  if (p.tokenFormat !== undefined && p.tokenFormat !== 'opaque' && p.tokenFormat !== 'jwt') {
    failParam('tokenFormat', 'tokenFormat must be "opaque" or "jwt"')
  }
  const minTtl = p.minRemainingTtlSeconds
  if (minTtl !== undefined && !isInteger(minTtl, 0)) {
    failParam('minRemainingTtlSeconds', 'minRemainingTtlSeconds must be an integer >= 0')
  }
  // Clerk answers 400 here: no freshly minted token could ever satisfy the requirement.
  if (typeof minTtl === 'number' && typeof seconds === 'number' && minTtl >= seconds) {
    failParam('minRemainingTtlSeconds', 'minRemainingTtlSeconds must be less than secondsUntilExpiration')
  }
  if (p.claims !== undefined) checkJson(p.claims)
}

function checkJson(claims: unknown): void {
  try {
    JSON.stringify(claims)
  } catch {
    failParam('claims', 'claims must be serializable as JSON')
  }
}

/** Checks the parameters of listTokens. */
export function validateListParams(params: unknown): asserts params is ListTokensParams {
  const p = paramsObject(params)
  if (typeof p.subject !== 'string' || !MACHINE_ID_PATTERN.test(p.subject)) {
    failParam('subject', 'subject must look like mch_ followed by 27 letters, digits or underscores')
  }
  for (const key of ['revoked', 'expired'] as const) {
    if (p[key] !== undefined && typeof p[key] !== 'boolean') failParam(key, `${key} must be a boolean`)
  }
  if (p.limit !== undefined && !isInteger(p.limit, 1, 100)) {
    failParam('limit', 'limit must be an integer from 1 to 100')
  }
  if (p.offset !== undefined && !isInteger(p.offset, 0)) {
    failParam('offset', 'offset must be an integer >= 0')
  }
}

/** Checks the parameters of revokeToken. */
export function validateRevokeParams(params: unknown): asserts params is RevokeTokenParams {
  const p = paramsObject(params)
  if (typeof p.m2mTokenId !== 'string' || !TOKEN_ID_PATTERN.test(p.m2mTokenId)) {
    failParam('m2mTokenId', 'm2mTokenId must look like mt_ followed by 32 hexadecimal characters')
  }
  const reason = p.revocationReason
  if (reason !== undefined && reason !== null && typeof reason !== 'string') {
    failParam('revocationReason', 'revocationReason must be a string or null')
  }
}

/** Checks the parameters of verifyToken. */
export function validateVerifyParams(params: unknown): asserts params is VerifyTokenParams {
  const p = paramsObject(params)
  if (typeof p.token !== 'string' || p.token.length === 0) {
    failParam('token', 'token must be a non-empty string')
  }
}
