import { expect } from 'vitest'
import type { TestResponse } from '../helpers/http.js'
import type { RowContext, RowExpectation } from './rows/types.js'

/**
 * Checks an answer against its row and against what every answer of its kind must carry
 * (design.md, "Answers on the wire"). Failure messages never include a credential.
 */
export function assertAnswer(
  response: TestResponse,
  want: RowExpectation,
  ctx: RowContext,
  secrets: readonly string[],
): void {
  const body = response.json as Record<string, unknown> | undefined
  // Status and error code together, so a wrong status shows what the adapter said instead.
  expect({ status: response.status, error: body?.error }).toEqual({
    status: want.status,
    error: want.status === 200 ? body?.error : want.error,
  })
  if (want.status === 200) want.check?.(response, ctx)
  else assertErrorAnswer(response, want, ctx)
  assertNoEcho(response, secrets)
}

function assertErrorAnswer(response: TestResponse, want: RowExpectation, ctx: RowContext): void {
  const body = response.json as Record<string, unknown> | undefined
  expect(body, 'error answers have a JSON body').toBeTypeOf('object')
  expect(body?.error_description).toBeTypeOf('string')
  expect(header(response, 'content-type')).toMatch(/^application\/json/)
  expect(header(response, 'cache-control')).toMatch(/(^|[\s,])no-store([\s,]|$)/)

  const challenge = header(response, 'www-authenticate')
  const realm = `Bearer realm="${ctx.realm}"`
  if (want.status >= 500) {
    expect(challenge, 'server-side failures are not the client credentials: no challenge').toBeUndefined()
  } else if (want.error === 'unauthorized') {
    expect(challenge, 'no credentials: a bare challenge (RFC 6750 3.1)').toBe(realm)
  } else {
    expect(challenge?.startsWith(`${realm}, error="${want.error}"`), `challenge: ${challenge}`).toBe(true)
  }

  if (want.status === 403) {
    const scope = /\bscope="([^"]*)"/.exec(challenge ?? '')?.[1]
    expect(scope, '403 challenges name the required scope').toBe(want.scope?.(ctx))
  }
  if (want.status === 503) {
    const retryAfter = header(response, 'retry-after')
    expect(retryAfter).toMatch(/^[1-9]\d*$/)
    if (want.retryAfter !== undefined) expect(retryAfter).toBe(want.retryAfter)
  }
}

/** No credential (sent or issued) and no secret key may appear anywhere in the answer. */
function assertNoEcho(response: TestResponse, secrets: readonly string[]): void {
  const answer = `${JSON.stringify(response.headers)}\n${response.text}`
  const echoed = secrets
    .map((secret, index) => ({ index, found: secret.length >= 8 && answer.includes(secret) }))
    .filter((s) => s.found)
    .map((s) => `credential #${s.index}`)
  expect(echoed, 'the answer echoes a credential').toEqual([])
}

/** The credential-looking parts of the `Authorization` values a row sent. */
export function sentCredentials(authorization: string | string[] | undefined): string[] {
  const values = authorization === undefined ? [] : [authorization].flat()
  return values.flatMap((value) => value.split(/[\s,]+/)).filter((part) => !/^bearer$/i.test(part))
}

function header(response: TestResponse, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value.join(', ') : value
}
