/**
 * snake_case on the wire, camelCase in our API. Decoding is strict about the fields a verifier
 * relies on (a wrong type there means we cannot trust the answer) and tolerant of unknown extra
 * fields, so that Clerk can add fields without breaking deployed clients.
 */
import type { M2MToken } from '../types.js'

/** The answer to a list call. */
export interface M2MTokenList {
  data: M2MToken[]
  /** All tokens matching the filters, not only this page. */
  totalCount: number
}

/** A body that does not have the documented shape. The message names the field, never its value. */
export class WireShapeError extends Error {}

type WireObject = Record<string, unknown>

/** Shallow camelCase -> snake_case of a params object, dropping `undefined` members. */
export function toSnakeCase(params: object): WireObject {
  const out: WireObject = {}
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value
  }
  return out
}

function isObject(value: unknown): value is WireObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const isString = (v: unknown): v is string => typeof v === 'string'
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean'
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)
const isTimeOrNull = (v: unknown): v is number | null => v === null || isTime(v)
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string'
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString)

/** A field that must be present with the right type. */
function required<T>(o: WireObject, key: string, ok: (v: unknown) => v is T, what: string, at: string): T {
  const value = o[key]
  if (!ok(value)) throw new WireShapeError(`${at}${key} must be ${what}`)
  return value
}

/** A field that may be absent (then `fallback`), but has the right type when present. */
function optional<T>(
  o: WireObject,
  key: string,
  ok: (v: unknown) => v is T,
  what: string,
  at: string,
  fallback: T,
): T {
  return o[key] === undefined ? fallback : required(o, key, ok, what, at)
}

/**
 * Decodes Clerk's `machine_to_machine_token` object. `withToken` demands the secret `token` field
 * (the answer to create). `at` prefixes field names in messages (`m2m_tokens[2].`).
 */
export function decodeToken(value: unknown, withToken: boolean, at = ''): M2MToken {
  if (!isObject(value)) throw new WireShapeError(`${at || 'body'} must be a token object`)
  if (value.object !== undefined && value.object !== 'machine_to_machine_token') {
    throw new WireShapeError(`${at}object must be "machine_to_machine_token"`)
  }
  const createdAt = required(value, 'created_at', isTime, 'a number', at)
  const token: M2MToken = {
    object: 'machine_to_machine_token',
    id: required(value, 'id', isNonEmptyString, 'a non-empty string', at),
    subject: required(value, 'subject', isNonEmptyString, 'a non-empty string', at),
    claims: value.claims === undefined ? null : value.claims,
    scopes: optional(value, 'scopes', isStringArray, 'an array of strings', at, []),
    revoked: required(value, 'revoked', isBoolean, 'a boolean', at),
    revocationReason: optional(value, 'revocation_reason', isStringOrNull, 'a string or null', at, null),
    expired: required(value, 'expired', isBoolean, 'a boolean', at),
    expiration: required(value, 'expiration', isTimeOrNull, 'a number or null', at),
    lastUsedAt: optional(value, 'last_used_at', isTimeOrNull, 'a number or null', at, null),
    createdAt,
    updatedAt: optional(value, 'updated_at', isTime, 'a number', at, createdAt),
  }
  if (withToken || value.token !== undefined) {
    token.token = required(value, 'token', isNonEmptyString, 'a non-empty string', at)
  }
  return token
}

/** Decodes the answer to list: `{ m2m_tokens, total_count }` -> `{ data, totalCount }`. */
export function decodeTokenList(value: unknown): M2MTokenList {
  if (!isObject(value)) throw new WireShapeError('body must be a list object')
  const items = value.m2m_tokens
  if (!Array.isArray(items)) throw new WireShapeError('m2m_tokens must be an array')
  const totalCount = required(value, 'total_count', isCount, 'a non-negative integer', '')
  return { data: items.map((item, i) => decodeToken(item, false, `m2m_tokens[${i}].`)), totalCount }
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}
