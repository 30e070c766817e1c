/**
 * The dual-package hazard: an app that both `import`s and `require`s @m2m-auth/core (common with
 * Express) loads the ESM and the CJS build, two copies of every error class. An error thrown by one
 * copy must still be an instance of the other copy's classes, or adapters and apps misroute it.
 * Runs on the built files (`pnpm build` first), loaded the way an app loads them.
 */
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

type Core = typeof import('../src/index.js')
type ErrorName = keyof typeof MAKE

const esmPath = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const cjsPath = fileURLToPath(new URL('../dist/index.cjs', import.meta.url))
const esm = (await import(/* @vite-ignore */ esmPath)) as Core
const cjs = createRequire(import.meta.url)(cjsPath) as Core

/** One instance of every exported error class, built from a given copy of the package. */
const MAKE = {
  M2MError: (m: Core) => new m.M2MError('some_code', 'message'),
  M2MConfigError: (m: Core) => new m.M2MConfigError('ttlMs', 'ttlMs must be a number'),
  M2MApiError: (m: Core) => new m.M2MApiError({ status: 500, errors: [{ code: 'x', message: 'y' }] }),
  M2MNetworkError: (m: Core) =>
    new m.M2MNetworkError('unreachable', { cause: new Error('x'), timedOut: true }),
  M2MValidationError: (m: Core) => new m.M2MValidationError('limit', 'limit must be positive'),
  M2MKeyRejectedError: (m: Core) =>
    new m.M2MKeyRejectedError(new m.M2MApiError({ status: 401, errors: [{ code: 'x', message: 'y' }] })),
  AuthError: (m: Core) => new m.AuthError({ code: 'invalid_token', status: 401, description: 'no' }),
  MissingTokenError: (m: Core) => new m.MissingTokenError(),
  InvalidRequestError: (m: Core) => new m.InvalidRequestError('malformed'),
  InvalidTokenError: (m: Core) => new m.InvalidTokenError(),
  InsufficientScopeError: (m: Core) => new m.InsufficientScopeError(['orders:write']),
  TokenServiceUnavailableError: (m: Core) => new m.TokenServiceUnavailableError(3),
  ServerConfigError: (m: Core) => new m.ServerConfigError(),
}

/** Each class's parent, written out by hand: what `instanceof` must answer follows from it. */
const PARENT: Record<ErrorName, ErrorName | null> = {
  M2MError: null,
  M2MConfigError: 'M2MError',
  M2MApiError: 'M2MError',
  M2MNetworkError: 'M2MError',
  M2MValidationError: 'M2MError',
  M2MKeyRejectedError: 'M2MApiError',
  AuthError: 'M2MError',
  MissingTokenError: 'AuthError',
  InvalidRequestError: 'AuthError',
  InvalidTokenError: 'AuthError',
  InsufficientScopeError: 'AuthError',
  TokenServiceUnavailableError: 'AuthError',
  ServerConfigError: 'AuthError',
}

const NAMES = Object.keys(MAKE) as ErrorName[]

function isA(name: ErrorName, ancestor: ErrorName): boolean {
  for (let n: ErrorName | null = name; n !== null; n = PARENT[n]) if (n === ancestor) return true
  return false
}

const directions = [
  { from: 'ESM', to: 'CJS', source: esm, target: cjs },
  { from: 'CJS', to: 'ESM', source: cjs, target: esm },
] as const

describe('errors recognised across the ESM and CJS builds', () => {
  it('loads two distinct copies of the classes (otherwise this suite would prove nothing)', () => {
    expect(esm.AuthError).not.toBe(cjs.AuthError)
    expect(esm.M2MError).not.toBe(cjs.M2MError)
    expect(Function.prototype[Symbol.hasInstance].call(cjs.AuthError, new esm.InvalidTokenError())).toBe(
      false,
    )
  })

  it('covers every error class the package exports', () => {
    const exported = Object.keys(esm).filter((key) => key.endsWith('Error'))
    expect(exported.sort()).toEqual([...NAMES].sort())
  })

  for (const { from, to, source, target } of directions) {
    it(`an error built by the ${from} build is an instance of its ${to} class and every ${to} ancestor`, () => {
      for (const name of NAMES) {
        const error = MAKE[name](source)
        for (const other of NAMES) {
          expect({ error: name, of: other, is: error instanceof target[other] }).toEqual({
            error: name,
            of: other,
            is: isA(name, other),
          })
        }
        expect(error).toBeInstanceOf(Error)
      }
    })
  }

  it('an error thrown by the ESM build is rendered by the CJS toErrorResponse as itself, not as a 500', () => {
    let thrown: unknown
    try {
      esm.parseBearer('Basic dXNlcjpwYXNz')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(esm.AuthError)
    const rendered = cjs.toErrorResponse(thrown, { realm: 'api' })
    expect(rendered.status).toBe((thrown as InstanceType<Core['AuthError']>).status)
    expect(rendered.status).not.toBe(500)
  })

  it('unrelated errors and look-alikes are not instances of either copy', () => {
    const lookAlike = { name: 'AuthError', code: 'invalid_token', status: 401, message: 'x' }
    const renamed = Object.assign(new Error('x'), { name: 'InvalidTokenError', code: 'invalid_token' })
    class Unrelated extends Error {}
    for (const core of [esm, cjs]) {
      for (const name of NAMES) {
        for (const value of [
          new Error('x'),
          new TypeError('x'),
          lookAlike,
          renamed,
          new Unrelated(),
          null,
          'x',
        ]) {
          expect(value instanceof core[name]).toBe(false)
        }
      }
    }
  })

  it("an app's own subclass is an instance of both copies' AuthError, and only of its own class", () => {
    class AppError extends esm.InvalidTokenError {}
    const error = new AppError()
    expect(error).toBeInstanceOf(cjs.AuthError)
    expect(error).toBeInstanceOf(cjs.InvalidTokenError)
    expect(error).not.toBeInstanceOf(cjs.MissingTokenError)
    expect(new cjs.InvalidTokenError()).not.toBeInstanceOf(AppError)
  })
})
