import { expect } from 'vitest'
import { send, type TestResponse } from '../../helpers/http.js'

/** An answer and how long it took, from the first byte sent to the last byte read. */
export interface TimedResponse {
  response: TestResponse
  ms: number
}

/** `GET path` with this `Authorization` value, on a fresh connection, timed. */
export async function timedGet(
  baseUrl: string,
  authorization: string | undefined,
  path = '/protected',
  timeoutMs = 15_000,
): Promise<TimedResponse> {
  const started = performance.now()
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization }
  const response = await send(`${baseUrl}${path}`, { headers, timeoutMs })
  return { response, ms: performance.now() - started }
}

/** `Bearer <token>`. */
export const bearer = (token: string) => `Bearer ${token}`

function header(response: TestResponse, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}

/** The JSON `error` of an answer, if any. */
export function errorCode(response: TestResponse): unknown {
  return (response.json as { error?: unknown } | undefined)?.error
}

/**
 * The answer is design.md's "token service down": 503 `temporarily_unavailable` with a whole
 * number of seconds in `Retry-After` (exactly `retryAfter` when given), `Cache-Control: no-store`
 * and no challenge (the client's credentials are not the problem).
 */
export function expectUnavailable(response: TestResponse, retryAfter?: string): void {
  expect({ status: response.status, error: errorCode(response) }).toEqual({
    status: 503,
    error: 'temporarily_unavailable',
  })
  expect(header(response, 'retry-after')).toMatch(/^[1-9]\d*$/)
  if (retryAfter !== undefined) expect(header(response, 'retry-after')).toBe(retryAfter)
  expect(header(response, 'cache-control')).toMatch(/no-store/)
  expect(header(response, 'www-authenticate')).toBeUndefined()
}

/** The answer is a 401 `invalid_token` with its challenge. */
export function expectInvalidToken(response: TestResponse): void {
  expect({ status: response.status, error: errorCode(response) }).toEqual({
    status: 401,
    error: 'invalid_token',
  })
  expect(header(response, 'www-authenticate')).toMatch(/^Bearer realm="[^"]*", error="invalid_token"/)
}

/** The answer is a 200 carrying the verified token with this id. */
export function expectAccepted(response: TestResponse, tokenId: string): void {
  expect({ status: response.status, id: (response.json as { m2m?: { id?: unknown } })?.m2m?.id }).toEqual({
    status: 200,
    id: tokenId,
  })
}

/** Fails when any of `secrets` appears in the answer (headers or body). */
export function expectNoEcho(response: TestResponse, secrets: readonly string[]): void {
  const answer = `${JSON.stringify(response.headers)}\n${response.text}`
  const echoed = secrets.filter((s) => s.length >= 8 && answer.includes(s)).length
  expect(echoed, 'the answer echoes a credential').toBe(0)
}
