/**
 * Arbitrary answers of the token service to a verify call, and a model of what the API must then
 * answer, written from clerk-m2m-contract.md and design.md (not from core's code):
 * - not 2xx: 400/404/410/422 mean "bad token" (401), 401/403 mean "our key is bad" (500), the rest
 *   means "could not verify" (503);
 * - 2xx: the body must be a token object with the documented field types, else 503 (an unreadable
 *   answer is not a "no"); a readable one is still refused (401) when revoked, expired or not
 *   scoped to this machine; only then 200.
 */
import fc from 'fast-check'
import type { FakeAnswer } from './fake-verify.js'

const HOUR_MS = 3_600_000
const FIELDS = [
  'object',
  'id',
  'subject',
  'claims',
  'scopes',
  'revoked',
  'revocation_reason',
  'expired',
  'expiration',
  'last_used_at',
  'created_at',
  'updated_at',
  'token',
] as const

/** A token object as Clerk sends it for a live token scoped to `machineId`. */
function validObject(machineId: string, now: number): Record<string, unknown> {
  return {
    object: 'machine_to_machine_token',
    id: 'mt_0123456789abcdef0123456789abcdef',
    subject: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
    claims: { tier: 'gold' },
    scopes: [machineId],
    revoked: false,
    revocation_reason: null,
    expired: false,
    expiration: now + HOUR_MS,
    last_used_at: null,
    created_at: now - HOUR_MS,
    updated_at: now - HOUR_MS,
  }
}

type Mutation = (o: Record<string, unknown>) => void

function mutations(machineId: string, now: number): fc.Arbitrary<Mutation> {
  const field = fc.constantFrom(...FIELDS)
  return fc.oneof(
    field.map(
      (key): Mutation =>
        (o) =>
          delete o[key],
    ),
    fc.tuple(field, fc.jsonValue({ maxDepth: 2 })).map(
      ([key, value]): Mutation =>
        (o) =>
          (o[key] = value),
    ),
    fc.constantFrom('revoked', 'expired').map(
      (key): Mutation =>
        (o) =>
          (o[key] = true),
    ),
    fc.constantFrom(null, now - HOUR_MS, now + 2 * HOUR_MS, 0).map(
      (value): Mutation =>
        (o) =>
          (o.expiration = value),
    ),
    fc
      .constantFrom([], ['mch_someoneelse'], [machineId, 'mch_other'], [machineId.toUpperCase()], machineId)
      .map(
        (value): Mutation =>
          (o) =>
            (o.scopes = value),
      ),
    fc.tuple(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map(
      ([key, value]): Mutation =>
        (o) =>
          (o[key] = value),
    ),
  )
}

/** A body: arbitrary JSON, arbitrary text, or a valid token object with a few mutations. */
function body(machineId: string, now: number): fc.Arbitrary<string> {
  const tokenObject = fc.array(mutations(machineId, now), { maxLength: 3 }).map((ms) => {
    const o = validObject(machineId, now)
    for (const m of ms) m(o)
    return JSON.stringify(o)
  })
  // Clerk-shaped error bodies: some say the token's value is malformed, others are about the request.
  const errorItem = fc.record({
    message: fc.constant('is invalid'),
    code: fc.constantFrom(
      ...TOKEN_VALUE_CODES,
      'form_param_unknown',
      'form_param_missing',
      'request_body_invalid',
    ),
    meta: fc.option(fc.record({ param_name: fc.constantFrom('token', 'scopes', 'format') }), {
      nil: undefined,
    }),
  })
  const errorBody = fc.array(errorItem, { maxLength: 3 }).map((errors) => JSON.stringify({ errors }))
  return fc.oneof(
    { weight: 6, arbitrary: tokenObject },
    { weight: 2, arbitrary: errorBody },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null') },
    { weight: 1, arbitrary: fc.string({ maxLength: 64 }) },
    { weight: 1, arbitrary: tokenObject.map((json) => json.slice(0, Math.max(1, json.length - 5))) },
  )
}

/** Arbitrary verify answers: mostly 200 (the interesting bodies), every other class too. */
export function fakeAnswers(machineId: string, now: number): fc.Arbitrary<FakeAnswer> {
  const status = fc.oneof(
    { weight: 6, arbitrary: fc.constant(200) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        201,
        204,
        302,
        400,
        401,
        403,
        404,
        409,
        410,
        418,
        422,
        429,
        500,
        502,
        503,
        504,
      ),
    },
  )
  return fc.record({ status, body: body(machineId, now) })
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)
const isTime = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
const isNonEmptyString = (v: unknown) => typeof v === 'string' && v.length > 0

/** The documented shape of a token object (the `token` field is only in answers to create). */
function hasTokenShape(o: unknown): o is Record<string, unknown> & { scopes?: string[] } {
  if (!isRecord(o)) return false
  const checks = [
    o.object === undefined || o.object === 'machine_to_machine_token',
    isNonEmptyString(o.id) && isNonEmptyString(o.subject),
    o.scopes === undefined || (Array.isArray(o.scopes) && o.scopes.every((s) => typeof s === 'string')),
    typeof o.revoked === 'boolean' && typeof o.expired === 'boolean',
    o.revocation_reason === undefined ||
      o.revocation_reason === null ||
      typeof o.revocation_reason === 'string',
    o.expiration === null || isTime(o.expiration),
    o.last_used_at === undefined || o.last_used_at === null || isTime(o.last_used_at),
    isTime(o.created_at) && (o.updated_at === undefined || isTime(o.updated_at)),
    o.token === undefined || isNonEmptyString(o.token),
  ]
  return checks.every(Boolean)
}

/** Clerk's codes for "the value of this parameter is wrong" (on verify the parameter is `token`). */
const TOKEN_VALUE_CODES = ['form_param_format_invalid', 'form_param_value_invalid'] as const

/** Whether an error body's items (those with a string message and code) all blame the token value. */
function saysTheTokenIsMalformed(text: string): boolean {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return false
  }
  const errors = (parsed as { errors?: unknown } | null)?.errors
  if (typeof parsed !== 'object' || Array.isArray(parsed) || !Array.isArray(errors)) return false
  const items = errors.filter(
    (e): e is { code: string; meta?: unknown } =>
      typeof e === 'object' && e !== null && typeof e.message === 'string' && typeof e.code === 'string',
  )
  return (
    items.length > 0 &&
    items.every((item) => {
      const meta = item.meta
      const param =
        typeof meta === 'object' && meta !== null && !Array.isArray(meta)
          ? (meta as { param_name?: unknown }).param_name
          : undefined
      return (TOKEN_VALUE_CODES as readonly string[]).includes(item.code) && param === 'token'
    })
  )
}

/** The status the API must answer when the token service answers `answer`. */
export function expectedStatus(answer: FakeAnswer, machineId: string, now: number): 200 | 401 | 500 | 503 {
  const { status } = answer
  if (status < 200 || status > 299) {
    if (status === 404 || status === 410) return 401
    // A 400/422 is a bad token only when every Clerk error item says the `token` value is malformed.
    if ((status === 400 || status === 422) && saysTheTokenIsMalformed(answer.body)) return 401
    // Any other 4xx (our key, our request, something unknown) is ours to fix: 500, never a 401.
    if (status >= 400 && status < 500 && status !== 429) return 500
    return 503
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(status === 204 ? '' : answer.body)
  } catch {
    return 503
  }
  if (!hasTokenShape(parsed)) return 503
  if (parsed.revoked === true || parsed.expired === true) return 401
  if (parsed.expiration !== null && (parsed.expiration as number) <= now) return 401
  return (parsed.scopes ?? []).includes(machineId) ? 200 : 401
}

/** The JSON `error` of each non-200 status. */
export const ERROR_OF: Record<401 | 500 | 503, string> = {
  401: 'invalid_token',
  500: 'server_error',
  503: 'temporarily_unavailable',
}
