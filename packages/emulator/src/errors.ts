import type { ClerkErrorItem } from '@m2m-auth/core'

/**
 * An answer in Clerk's error format: `{ errors: [{ message, long_message, code, meta? }],
 * clerk_trace_id }`. Thrown by handlers, rendered by the server.
 */
export class ClerkHttpError extends Error {
  readonly status: number
  readonly errors: ClerkErrorItem[]
  readonly headers: Record<string, string>

  constructor(status: number, errors: ClerkErrorItem[], headers: Record<string, string> = {}) {
    super(errors[0]?.message ?? `HTTP ${status}`)
    this.name = 'ClerkHttpError'
    this.status = status
    this.errors = errors
    this.headers = headers
  }
}

/** Clerk's wire shape of an error body. */
export function errorBody(errors: ClerkErrorItem[], clerkTraceId: string): Record<string, unknown> {
  return {
    errors: errors.map((e) => ({
      message: e.message,
      long_message: e.longMessage ?? e.message,
      code: e.code,
      ...(e.meta === undefined ? {} : { meta: e.meta }),
    })),
    clerk_trace_id: clerkTraceId,
  }
}

const one = (
  status: number,
  code: string,
  message: string,
  longMessage: string,
  meta?: Record<string, unknown>,
) => new ClerkHttpError(status, [{ code, message, longMessage, ...(meta ? { meta } : {}) }])

/** 401: no `Authorization: Bearer` header. */
export const missingKey = () =>
  one(
    401,
    'authentication_invalid',
    'Invalid authentication',
    'Unable to authenticate the request, you need to supply an active secret key in the Authorization header.',
  )

/** 401: a key that belongs to nothing in this instance. The key itself is never repeated. */
export const unknownKey = () =>
  one(
    401,
    'clerk_key_invalid',
    'Secret Key is invalid',
    'The provided secret key is invalid. Make sure that your secret key is correct.',
  )

/**
 * 401 `machine_secret_key_invalid`: a route that only a Machine Secret Key may call (create) got the
 * instance Secret Key, as Clerk answers it (its own SDK tests expect this code).
 */
export const machineKeyRequired = () =>
  one(
    401,
    'machine_secret_key_invalid',
    'Machine secret key is invalid',
    'This endpoint requires a Machine Secret Key (ak_); the instance Secret Key cannot use it.',
  )

/** 403: a valid key of the wrong kind for this route. */
export const wrongKeyKind = (longMessage: string) =>
  one(403, 'authorization_invalid', 'Unauthorized request', longMessage)

/** 404 `resource_not_found`. */
export const notFound = (longMessage = 'The requested resource could not be found.') =>
  one(404, 'resource_not_found', 'not found', longMessage)

/** 400: the body is not valid JSON, or not a JSON object. */
export const bodyInvalid = (longMessage = 'The request body is not valid JSON.') =>
  one(400, 'request_body_invalid', 'Request body invalid', longMessage)

/** 413: the body is larger than the limit. */
export const bodyTooLarge = (limitBytes: number) =>
  one(
    413,
    'request_body_too_large',
    'Request body too large',
    `The request body exceeds ${limitBytes} bytes.`,
  )

/** 409: the resource already exists. */
export const conflict = (longMessage: string) => one(409, 'duplicate_record', 'duplicate', longMessage)

/** 429 with `Retry-After`. */
export function rateLimited(retryAfterSeconds: number): ClerkHttpError {
  const error = one(429, 'too_many_requests', 'Too many requests', 'Too many requests, retry later.')
  return new ClerkHttpError(429, error.errors, { 'Retry-After': String(retryAfterSeconds) })
}

/** 5xx. */
export const serverError = (status: number) =>
  one(
    status,
    'internal_clerk_error',
    'Something went wrong',
    'There was an internal error on our servers. Please try again later.',
  )

/** One field-level problem, rendered like Clerk's form_param errors (`meta.param_name`). */
export interface ParamProblem {
  param: string
  kind: 'missing' | 'unknown' | 'invalid' | 'value'
  detail?: string
}

const PARAM_CODES = {
  missing: ['form_param_missing', 'is missing'],
  unknown: ['form_param_unknown', 'is unknown'],
  invalid: ['form_param_format_invalid', 'is invalid'],
  value: ['form_param_value_invalid', 'is invalid'],
} as const

/** A parameter name as we repeat it: unknown names come from the caller, so they are cut short. */
const clip = (name: string) => (name.length > 64 ? `${name.slice(0, 64)}...` : name)

/** 400 with one error item per problem. */
export function paramErrors(problems: ParamProblem[]): ClerkHttpError {
  return new ClerkHttpError(
    400,
    problems.map(({ param: rawParam, kind, detail }) => {
      const param = clip(rawParam)
      const [code, message] = PARAM_CODES[kind]
      const longMessage =
        kind === 'unknown'
          ? `${param} is not a valid parameter for this request.`
          : `${param} ${detail ?? message}.`
      return { code, message, longMessage, meta: { param_name: param } }
    }),
  )
}
